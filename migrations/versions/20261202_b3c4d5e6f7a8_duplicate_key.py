"""projects keep their duplicate-check key, and the duplicate groups are kept in a table

Revision ID: b3c4d5e6f7a8
Revises: a2b3c4d5e6f7
Create Date: 2026-12-02 16:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3c4d5e6f7a8'
down_revision = 'a2b3c4d5e6f7'
branch_labels = None
depends_on = None


# As app/projects/duplicates.py `_set_keys`: a project's group key is the smallest investor
# key among the live projects sharing its USCC, else its own; NULL once deleted. Two set-based
# statements (a correlated subquery per row took minutes at 100,000 projects).
OWN_KEYS = """
UPDATE projects SET duplicate_key = CASE WHEN deleted_at IS NOT NULL THEN NULL
                                         ELSE investor_key END
WHERE uscc IS NULL OR deleted_at IS NOT NULL
"""
CODE_KEYS = """
UPDATE projects SET duplicate_key = code_keys.code_key
FROM (SELECT uscc, min(investor_key) AS code_key FROM projects
      WHERE uscc IS NOT NULL AND deleted_at IS NULL GROUP BY uscc) AS code_keys
WHERE projects.uscc = code_keys.uscc AND projects.deleted_at IS NULL
"""

# As `groups_select`: two or more live projects of one key that are in different units, share
# a USCC, or carry the same name in one unit (docs/domain.md, "Duplicates").
GROUPS = """
INSERT INTO duplicate_groups (group_key, size)
SELECT duplicate_key, count(*) FROM projects
WHERE duplicate_key IS NOT NULL AND deleted_at IS NULL
GROUP BY duplicate_key
HAVING count(*) > 1 AND (
    count(DISTINCT unit_id) > 1
    OR count(DISTINCT uscc) < count(uscc)
    OR count(DISTINCT CAST(unit_id AS VARCHAR) || '|' || name) < count(*)
)
"""


def upgrade():
    op.add_column('projects', sa.Column('duplicate_key', sa.String(length=200), nullable=True))
    op.create_index('ix_projects_duplicate_key', 'projects', ['duplicate_key'], unique=False)
    op.create_table(
        'duplicate_groups',
        sa.Column('group_key', sa.String(length=200), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('group_key', name=op.f('pk_duplicate_groups')),
    )
    op.execute(OWN_KEYS)
    op.execute(CODE_KEYS)
    op.execute(GROUPS)


def downgrade():
    op.drop_table('duplicate_groups')
    op.drop_index('ix_projects_duplicate_key', table_name='projects')
    # Not a batch: SQLite's copy of the table cannot insert into its generated columns.
    op.execute('ALTER TABLE projects DROP COLUMN duplicate_key')
