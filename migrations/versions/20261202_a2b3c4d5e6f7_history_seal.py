"""history entries sealed into the chain after commit

Writers insert history and security-log rows unsealed (seq, prev_hash, hash empty) with no lock;
a short transaction after the commit seals them (app/core/chain.py). Existing rows get seq = id,
the order they were chained in, so every stored hash still verifies. The append-only guard now
lets exactly one UPDATE through: sealing a pending row, its content unchanged.

Downgrade refuses while rows are pending (run `flask verify-history`, which seals them first);
rows sealed out of id order would then be reported by the older, id-ordered check.

Revision ID: a2b3c4d5e6f7
Revises: f1e2d3c4b5a6
Create Date: 2026-12-02 16:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a2b3c4d5e6f7'
down_revision = 'f1e2d3c4b5a6'
branch_labels = None
depends_on = None

# The chained tables and their content columns (everything but seq, prev_hash and hash).
CONTENT = {
    "history": ("id", "at", "actor_id", "actor_name", "table_name", "record_id", "action",
                "label", "before_json", "after_json", "reason"),
    "security_events": ("id", "at", "user_id", "username", "ip", "event", "detail_json"),
}
SEALING = (
    "OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.hash IS NULL "
    "AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL"
)
PG_SEAL_ONLY = (
    "CREATE OR REPLACE FUNCTION crm_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN IF TG_OP = 'UPDATE' AND {SEALING} "
    "AND to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash' "
    "= to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash' "
    "THEN RETURN NEW; END IF; "
    "RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME; END $$"
)
PG_APPEND_ONLY = (
    "CREATE OR REPLACE FUNCTION crm_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME; END $$"
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _set_triggers(enabled: bool) -> None:
    """PostgreSQL: switch the guard off for the migration's own UPDATE (and back on)."""
    switch = "ENABLE" if enabled else "DISABLE"
    for table in CONTENT:
        op.execute(f"ALTER TABLE {table} {switch} TRIGGER {table}_append_only")


def _drop_sqlite_guards() -> None:
    for table in CONTENT:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def _sqlite_guards(seal_only: bool) -> None:
    for table, columns in CONTENT.items():
        unchanged = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in columns)
        when = f" WHEN NOT ({SEALING} AND {unchanged})" if seal_only else ""
        op.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}{when} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def upgrade():
    if _postgresql():
        _set_triggers(False)
    else:
        _drop_sqlite_guards()
    for table in CONTENT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
            batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
            batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_seq'), ['seq'])
        op.execute(f"UPDATE {table} SET seq = id")  # noqa: S608 - the two table names above
        op.create_index(
            f'ix_{table}_pending', table, ['id'],
            postgresql_where=sa.text('seq IS NULL'), sqlite_where=sa.text('seq IS NULL'),
        )
    if _postgresql():
        op.execute(PG_SEAL_ONLY)
        _set_triggers(True)
    else:
        _sqlite_guards(seal_only=True)


def downgrade():
    for table in CONTENT:
        query = f"SELECT count(*) FROM {table} WHERE seq IS NULL"  # noqa: S608 - see CONTENT
        if op.get_bind().execute(sa.text(query)).scalar():
            raise RuntimeError(f"{table} 还有未封存的记录：先运行 flask verify-history 再降级")
    if _postgresql():
        op.execute(PG_APPEND_ONLY)
    else:
        _drop_sqlite_guards()
    for table in CONTENT:
        op.drop_index(f'ix_{table}_pending', table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_seq'), type_='unique')
            batch_op.drop_column('seq')
            batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
            batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
    if not _postgresql():
        _sqlite_guards(seal_only=False)
