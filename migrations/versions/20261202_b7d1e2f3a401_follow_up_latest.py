"""latest follow-up flag and badge indexes

Revision ID: b7d1e2f3a401
Revises: e5b2c8d4a713
Create Date: 2026-12-02 05:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d1e2f3a401'
down_revision = 'e5b2c8d4a713'
branch_labels = None
depends_on = None


# As app/projects/models.py LATEST_DUE_SQL: each database's spelling of the boolean test.
LATEST_DUE_SQLITE = "is_latest = 1 AND next_due_on IS NOT NULL"
LATEST_DUE_POSTGRESQL = "is_latest AND next_due_on IS NOT NULL"

# The latest live follow-up of each project, by happened_on then id (one statement, both
# databases; app/projects/contacts.py refresh_latest keeps it from here on).
BACKFILL = """
UPDATE follow_ups SET is_latest = (
    follow_ups.deleted_at IS NULL AND NOT EXISTS (
        SELECT 1 FROM follow_ups AS later
        WHERE later.project_id = follow_ups.project_id
          AND later.deleted_at IS NULL
          AND (later.happened_on > follow_ups.happened_on
               OR (later.happened_on = follow_ups.happened_on AND later.id > follow_ups.id))
    )
)
"""


def upgrade():
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_latest', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Finding "a later live follow-up of the same project" by index, for the backfill and
    # for every refresh after a write.
    op.create_index(
        'ix_follow_ups_project_order',
        'follow_ups',
        ['project_id', 'happened_on', 'id'],
        unique=False,
    )
    op.execute(BACKFILL)
    op.create_index(
        'ix_follow_ups_latest_due',
        'follow_ups',
        ['user_id', 'next_due_on'],
        unique=False,
        sqlite_where=sa.text(LATEST_DUE_SQLITE),
        postgresql_where=sa.text(LATEST_DUE_POSTGRESQL),
    )


def downgrade():
    op.drop_index('ix_follow_ups_latest_due', table_name='follow_ups')
    op.drop_index('ix_follow_ups_project_order', table_name='follow_ups')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_column('is_latest')
