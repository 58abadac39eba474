"""live board index carries industry and source

ix_projects_live_board (live projects by stage: the board, lists filtered by stage) gains
industry and source as trailing columns, so that the district's list filtered by a stage and
an industry or a source counts and sorts from the index alone: at 100,000 projects the 12,000
signed 工业 projects were found by reading each of the 20,000 signed ones from the table
(SQLite: count 27 -> 1.6 ms, the first page sorted by planned investment 28 -> 2.8 ms).

Revision ID: c6d7e8f9a0b1
Revises: b5c6d7e8f9a0
Create Date: 2026-12-03 19:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c6d7e8f9a0b1'
down_revision = 'b5c6d7e8f9a0'
branch_labels = None
depends_on = None

LIVE = 'deleted_at IS NULL AND dropped_on IS NULL'
BOARD = ['stage_order', 'stage_since', 'id', 'planned_investment']


def _board_index(columns):
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index('ix_projects_live_board')
        batch_op.create_index(
            'ix_projects_live_board', columns, unique=False,
            sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE),
        )


def upgrade():
    _board_index([*BOARD, 'industry', 'source'])


def downgrade():
    _board_index(BOARD)
