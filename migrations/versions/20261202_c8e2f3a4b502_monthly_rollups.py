"""monthly_rollups (placeholder: filled in by the work that needs it)

Revision ID: c8e2f3a4b502
Revises: b7d1e2f3a401
Create Date: 2026-12-02 05:00:00

"""

# revision identifiers, used by Alembic.
revision = 'c8e2f3a4b502'
down_revision = 'b7d1e2f3a401'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
