"""withdraw import batches

An import batch can be withdrawn (撤回): it records who, when and why, and the same file may
then be imported again, so "one batch per (kind, file hash)" holds among live batches only (a
partial unique index replaces the unique constraint). Projects and key projects record the
batch that wrote them, as funds entries already did.

Not batch mode for `projects`: on SQLite it would copy the table, which SQLite refuses for the
generated stage columns and which would drop the search triggers of ed6d2f14fd2f; a plain
ADD COLUMN with a named REFERENCES clause is enough (as 5cade5ed8fad did for trip_id).

`import_batches` itself must be copied on SQLite to lose its inline unique constraint, and SQLite
refuses to drop a table other rows refer to while foreign keys are on (measured: "FOREIGN KEY
constraint failed", even with defer_foreign_keys); the pragma only changes outside a
transaction, so the copy runs in a transaction of its own with them off, then checks them.

Revision ID: e5b2c8d4a713
Revises: 9a7e3c1f2b64
Create Date: 2026-12-02 01:45:00

"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5b2c8d4a713'
down_revision = '9a7e3c1f2b64'
branch_labels = None
depends_on = None

LIVE = sa.text('withdrawn_at IS NULL')
MARKED = ('projects', 'key_projects')


def _add_batch_column(table):
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            f'ALTER TABLE {table} ADD COLUMN import_batch_id INTEGER '
            f'CONSTRAINT fk_{table}_import_batch_id_import_batches REFERENCES import_batches (id)'
        )
    else:
        op.add_column(table, sa.Column('import_batch_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f(f'fk_{table}_import_batch_id_import_batches'),
            table, 'import_batches', ['import_batch_id'], ['id'],
        )
    op.create_index(op.f(f'ix_{table}_import_batch_id'), table, ['import_batch_id'])


def _drop_batch_column(table):
    op.drop_index(op.f(f'ix_{table}_import_batch_id'), table_name=table)
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE {table} DROP COLUMN import_batch_id')
    else:
        op.drop_constraint(
            op.f(f'fk_{table}_import_batch_id_import_batches'), table, type_='foreignkey'
        )
        op.drop_column(table, 'import_batch_id')


@contextmanager
def _foreign_keys_off():
    """On SQLite: end the migration's transaction, copy with foreign keys off, check them."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        yield
        return
    bind.exec_driver_sql('COMMIT')
    bind.exec_driver_sql('PRAGMA foreign_keys=OFF')
    bind.exec_driver_sql('BEGIN IMMEDIATE')
    try:
        yield
        broken = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
        if broken:
            raise RuntimeError(f'foreign keys broken by the copy: {broken[:5]}')
        bind.exec_driver_sql('COMMIT')
    except BaseException:
        bind.exec_driver_sql('ROLLBACK')
        raise
    finally:
        bind.exec_driver_sql('PRAGMA foreign_keys=ON')
        bind.exec_driver_sql('BEGIN IMMEDIATE')  # for the rest of the migration


def upgrade():
    with _foreign_keys_off(), op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdraw_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_import_batches_withdrawn_by_id_users'), 'users',
            ['withdrawn_by_id'], ['id'],
        )
        batch_op.drop_constraint('uq_import_batches_kind_sha256', type_='unique')
    op.create_index(
        'uq_import_batches_live_kind_sha256', 'import_batches', ['kind', 'sha256'], unique=True,
        sqlite_where=LIVE, postgresql_where=LIVE,
    )
    for table in MARKED:
        _add_batch_column(table)


def downgrade():
    bind = op.get_bind()
    twice = bind.execute(sa.text(
        'SELECT count(*) FROM (SELECT kind, sha256 FROM import_batches '
        'GROUP BY kind, sha256 HAVING count(*) > 1) AS twice'
    )).scalar()
    if twice:
        raise RuntimeError(
            f'{twice} files were imported again after a withdrawal; the old unique constraint '
            'cannot hold them. Resolve those batches before downgrading.'
        )
    for table in reversed(MARKED):
        _drop_batch_column(table)
    op.drop_index('uq_import_batches_live_kind_sha256', table_name='import_batches')
    with _foreign_keys_off(), op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_import_batches_kind_sha256', ['kind', 'sha256'])
        batch_op.drop_constraint(
            batch_op.f('fk_import_batches_withdrawn_by_id_users'), type_='foreignkey'
        )
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
