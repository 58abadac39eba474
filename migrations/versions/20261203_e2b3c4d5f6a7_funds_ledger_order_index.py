"""funds ledger order index

The ledger lists entries newest receipt first (received_on DESC, id DESC); without an index
in that order both databases sorted every entry for its first page (500 ms at 200,000 entries
on SQLite, bench/http_table.py).

Revision ID: e2b3c4d5f6a7
Revises: d1a2b3c4e5f6
Create Date: 2026-12-03 07:25:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e2b3c4d5f6a7'
down_revision = 'd1a2b3c4e5f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('funds_entries', schema=None) as batch_op:
        batch_op.create_index('ix_funds_entries_received', ['received_on', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('funds_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_funds_entries_received')
