"""Submission ids on every create form: follow-ups, visits, commitments, problems, events,
trips and leaders, as projects and funds entries have had, so a retried post finds the row
its first post wrote instead of writing a second one. Existing rows keep NULL.

Revision ID: b7d4e1a93c52
Revises: 5e2b7c9d4a10
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "b7d4e1a93c52"
down_revision = "5e2b7c9d4a10"
branch_labels = None
depends_on = None

TABLES = (
    "follow_ups",
    "care_visits",
    "care_commitments",
    "problems",
    "events",
    "trips",
    "leaders",
)


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("submission_id", sa.String(length=36), nullable=True))
            batch.create_unique_constraint(f"uq_{table}_submission_id", ["submission_id"])


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_submission_id", type_="unique")
            batch.drop_column("submission_id")
