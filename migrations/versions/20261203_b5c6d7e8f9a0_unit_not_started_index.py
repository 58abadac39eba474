"""unit not-started index

Signed projects not started, by unit and signing date (live, not dropped), declared in
app/reports/models.py: a unit's 超时限未开工 count and first rows (its 我的待办 and the
navigation badge, on every page) read its own few hundred rows; through
ix_projects_report_not_started they read every unit's signed before the limit (23,000 at
100,000 projects: 4.2 ms each on SQLite, twice a page).

Revision ID: b5c6d7e8f9a0
Revises: a4b5c6d7e8f9
Create Date: 2026-12-03 15:15:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b5c6d7e8f9a0'
down_revision = 'a4b5c6d7e8f9'
branch_labels = None
depends_on = None

LIVE_NOT_STARTED = 'deleted_at IS NULL AND dropped_on IS NULL AND started_on IS NULL'


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(
            'ix_projects_unit_not_started', ['unit_id', 'signed_on'], unique=False,
            sqlite_where=sa.text(LIVE_NOT_STARTED), postgresql_where=sa.text(LIVE_NOT_STARTED),
        )


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index('ix_projects_unit_not_started')
