"""two-character search through the trigram index (SQLite)

FTS5's trigram index cannot match a needle of two characters, so a search for 华润 read all
100,000 search_text values (59 ms on its own, 112 ms for the bureau's list page). Two objects
let it use the index instead (app/projects/search.py, `_pair_members`):
- `projects_search_terms`, an fts5vocab table over projects_search: the trigrams that begin
  with the two characters (华润置, 华润啤, ...), found by a range of terms in 0.3 ms;
- `ix_projects_search_tail`, an index of search_text's last two characters: the one place a
  pair is followed by no third character, so that no trigram holds it.
PostgreSQL is untouched: its bigram GIN index matches two characters already.

Revision ID: d7e8f9a0b1c2
Revises: c6d7e8f9a0b1
Create Date: 2026-12-04 03:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd7e8f9a0b1c2'
down_revision = 'c6d7e8f9a0b1'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS projects_search_terms "
        "USING fts5vocab(projects_search, 'row')"
    )
    # The literal -2 must stay literal: SQLite uses an expression index only for the same text.
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_projects_search_tail ON projects (substr(search_text, -2))"
    )


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute("DROP INDEX IF EXISTS ix_projects_search_tail")
    op.execute("DROP TABLE IF EXISTS projects_search_terms")
