"""api_tokens (placeholder: filled in by the work that needs it)

Revision ID: d9f3a4b5c603
Revises: c8e2f3a4b502
Create Date: 2026-12-02 05:00:00

"""

# revision identifiers, used by Alembic.
revision = 'd9f3a4b5c603'
down_revision = 'c8e2f3a4b502'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
