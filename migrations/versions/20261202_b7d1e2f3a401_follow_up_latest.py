"""follow_up_latest (placeholder: filled in by the work that needs it)

Revision ID: b7d1e2f3a401
Revises: e5b2c8d4a713
Create Date: 2026-12-02 05:00:00

"""

# revision identifiers, used by Alembic.
revision = 'b7d1e2f3a401'
down_revision = 'e5b2c8d4a713'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
