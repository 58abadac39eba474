"""search index after commit (SQLite)

A bulk insert (an import) can leave its projects' FTS5 trigram entries for after its commit:
it names them in `projects_search_pending` before inserting them, the triggers pass them by,
and app/projects/search.py indexes them afterwards in short transactions of their own (the
trigram index was about half of what a 10,000-row import did while holding SQLite's one
write lock). The search finds pending projects by LIKE meanwhile, so its answers never
change. PostgreSQL is untouched: its GIN index blocks no other writer.

NOTE for later migrations on SQLite: a batch_alter_table that recreates `projects` drops the
triggers below; re-run `create_triggers()` of this file (tests/search/test_search_index.py
fails otherwise).

Revision ID: d1a2b3c4e5f6
Revises: c4d5e6f7a8b9
Create Date: 2026-12-03 07:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd1a2b3c4e5f6'
down_revision = 'c4d5e6f7a8b9'
branch_labels = None
depends_on = None

NOT_PENDING = "NOT EXISTS (SELECT 1 FROM projects_search_pending WHERE project_id = {row}.id)"
TRIGGERS = ('projects_search_ai', 'projects_search_ad', 'projects_search_au')

PENDING_TRIGGERS = [
    "CREATE TRIGGER projects_search_ai AFTER INSERT ON projects "
    f"WHEN {NOT_PENDING.format(row='new')} BEGIN "
    "INSERT INTO projects_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER projects_search_ad AFTER DELETE ON projects BEGIN "
    "INSERT INTO projects_search(projects_search, rowid, search_text) "
    f"SELECT 'delete', old.id, old.search_text WHERE {NOT_PENDING.format(row='old')}; "
    "DELETE FROM projects_search_pending WHERE project_id = old.id; END",
    "CREATE TRIGGER projects_search_au AFTER UPDATE OF search_text ON projects "
    f"WHEN {NOT_PENDING.format(row='new')} BEGIN "
    "INSERT INTO projects_search(projects_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO projects_search(rowid, search_text) VALUES (new.id, new.search_text); END",
]

# The triggers of search_and_board_indexes (ed6d2f14fd2f), for the downgrade.
PLAIN_TRIGGERS = [
    "CREATE TRIGGER projects_search_ai AFTER INSERT ON projects BEGIN "
    "INSERT INTO projects_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER projects_search_ad AFTER DELETE ON projects BEGIN "
    "INSERT INTO projects_search(projects_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER projects_search_au AFTER UPDATE OF search_text ON projects "
    "BEGIN INSERT INTO projects_search(projects_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO projects_search(rowid, search_text) VALUES (new.id, new.search_text); END",
]


def _replace_triggers(statements):
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for statement in statements:
        op.execute(statement)


def create_triggers():
    """The triggers that pass pending projects by (idempotent)."""
    _replace_triggers(PENDING_TRIGGERS)


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute(
        "CREATE TABLE IF NOT EXISTS projects_search_pending "
        "(project_id INTEGER NOT NULL PRIMARY KEY)"
    )
    create_triggers()


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute(
        "INSERT INTO projects_search(rowid, search_text) SELECT p.id, p.search_text "
        "FROM projects p JOIN projects_search_pending q ON q.project_id = p.id"
    )
    _replace_triggers(PLAIN_TRIGGERS)
    op.execute("DROP TABLE projects_search_pending")
