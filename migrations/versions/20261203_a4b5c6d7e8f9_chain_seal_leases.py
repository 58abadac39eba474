"""chain seal leases

SQLite: the sealer at work on a hash chain holds a lease row, so that a save committed behind
a 10,000-row import leaves its one history entry to the import's sealer instead of sealing the
import's entries itself first (app/core/chain.py). PostgreSQL tells the same by its advisory
lock and leaves the table empty.

Revision ID: a4b5c6d7e8f9
Revises: f3c4d5e6a7b8
Create Date: 2026-12-03 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4b5c6d7e8f9'
down_revision = 'f3c4d5e6a7b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'chain_seal_leases',
        sa.Column('chain', sa.String(length=64), nullable=False),
        sa.Column('holder', sa.String(length=32), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('chain', name=op.f('pk_chain_seal_leases')),
    )


def downgrade():
    op.drop_table('chain_seal_leases')
