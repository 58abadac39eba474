"""Timestamps from the application: drop the database's now() defaults on PostgreSQL

The ORM writes every created_at / updated_at itself, in UTC. On PostgreSQL a server default
of now() stored China time when the server's TimeZone was Asia/Shanghai (docs/pitfalls.md,
"Time"); dropping it makes a forgotten timestamp an error instead of a wrong value.
SQLite's CURRENT_TIMESTAMP is UTC already, and SQLite cannot drop a default without
rebuilding the table (which would lose the projects table's generated columns), so SQLite
keeps its defaults.

Revision ID: 3c1d0e7a5b21
Revises: 94b85f0c467a
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "3c1d0e7a5b21"
down_revision = "94b85f0c467a"
branch_labels = None
depends_on = None

NOW_DEFAULTS = sa.text(
    "SELECT table_name, column_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND column_name IN ('created_at', 'updated_at') "
    "AND (column_default ILIKE 'now()%' OR column_default ILIKE 'CURRENT_TIMESTAMP%')"
)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table, column in bind.execute(NOW_DEFAULTS).all():
        op.alter_column(table, column, server_default=None)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in sa.inspect(bind).get_table_names():
        for column in sa.inspect(bind).get_columns(table):
            if column["name"] in ("created_at", "updated_at") and column["default"] is None:
                op.alter_column(table, column["name"], server_default=sa.func.now())
