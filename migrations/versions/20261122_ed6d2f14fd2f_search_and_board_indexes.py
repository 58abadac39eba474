"""search and board indexes

Indexes for the project list, search and board at 100,000 projects (bench/bench_projects.py):
- both databases: a partial index of the live projects by stage (the board's columns and cards),
  replacing ix_projects_active_stage (deleted_at, dropped_on, stage_order): with both present
  SQLite picked the old one for the board's GROUP BY and read every row (144 ms against 28 ms);
- SQLite: the FTS5 trigram table `projects_search` over projects.search_text, kept in step by
  triggers (used for search needles of 3+ characters, see app/projects/search.py);
- PostgreSQL: the function crm_bigrams(text) and a GIN index of search_text's character pairs
  (search needles of 2+ characters, Chinese included, whatever the database's LC_CTYPE).

NOTE for later migrations on SQLite: a batch_alter_table that recreates `projects` drops the
triggers below. tests/search/test_search_index.py fails if that happens; re-run
`create_triggers()` of search_index_after_commit (d1a2b3c4e5f6), whose triggers replaced these.

Revision ID: ed6d2f14fd2f
Revises: 5cade5ed8fad
Create Date: 2026-11-22 21:26:50.640607

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ed6d2f14fd2f'
down_revision = '5cade5ed8fad'
branch_labels = None
depends_on = None

LIVE = "deleted_at IS NULL AND dropped_on IS NULL"

SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS projects_search USING fts5("
    "search_text, content='projects', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS projects_search_ai AFTER INSERT ON projects BEGIN "
    "INSERT INTO projects_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS projects_search_ad AFTER DELETE ON projects BEGIN "
    "INSERT INTO projects_search(projects_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS projects_search_au AFTER UPDATE OF search_text ON projects "
    "BEGIN INSERT INTO projects_search(projects_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO projects_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO projects_search(projects_search) VALUES ('rebuild')",
]

POSTGRES_BIGRAMS = (
    "CREATE OR REPLACE FUNCTION crm_bigrams(t text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
    "SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}') "
    "FROM generate_series(1, length(t) - 1) AS i $$"
)


def create_sqlite_search():
    """The FTS5 trigram index of search_text and its triggers (idempotent; rebuilds it)."""
    for statement in SQLITE_SEARCH:
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index('ix_projects_active_stage')
    op.create_index(
        'ix_projects_live_board',
        'projects',
        ['stage_order', 'stage_since', 'id', 'planned_investment'],
        unique=False,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )
    if dialect == 'sqlite':
        create_sqlite_search()
    elif dialect == 'postgresql':
        op.execute(POSTGRES_BIGRAMS)
        op.execute(
            "CREATE INDEX ix_projects_search_bigrams ON projects "
            "USING gin (crm_bigrams(search_text))"
        )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for trigger in ('projects_search_ai', 'projects_search_ad', 'projects_search_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS projects_search")
    elif dialect == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_projects_search_bigrams")
        op.execute("DROP FUNCTION IF EXISTS crm_bigrams(text)")
    op.drop_index('ix_projects_live_board', table_name='projects')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(
            'ix_projects_active_stage', ['deleted_at', 'dropped_on', 'stage_order'], unique=False
        )
