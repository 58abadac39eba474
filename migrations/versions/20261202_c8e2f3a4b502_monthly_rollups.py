"""monthly roll-ups of funds and the signed cohort

Revision ID: c8e2f3a4b502
Revises: b7d1e2f3a401
Create Date: 2026-12-02 05:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c8e2f3a4b502'
down_revision = 'b7d1e2f3a401'
branch_labels = None
depends_on = None

FUNDS = sa.table(
    "funds_entries",
    sa.column("project_id", sa.Integer),
    sa.column("received_on", sa.Date),
    sa.column("amount", sa.BigInteger),
    sa.column("origin", sa.String),
    sa.column("status", sa.String),
)
PROJECTS = sa.table(
    "projects",
    sa.column("id", sa.Integer),
    sa.column("unit_id", sa.Integer),
    sa.column("signed_on", sa.Date),
    sa.column("funded_on", sa.Date),
    sa.column("dropped_on", sa.Date),
    sa.column("deleted_at", sa.DateTime),
    sa.column("stage_order", sa.Integer),
    sa.column("contract_investment", sa.BigInteger),
    *(sa.column(name, sa.Date) for name in (
        "negotiating_on", "registered_on", "started_on", "operating_on")),
)
DATED = ("negotiating_on", "signed_on", "registered_on", "funded_on", "started_on",
         "operating_on", "dropped_on")


def _ym(prefix=""):
    return [
        sa.Column(f"{prefix}year", sa.Integer, nullable=False),
        sa.Column(f"{prefix}month", sa.Integer, nullable=False),
    ]


def _ymof(column):
    return sa.extract("year", column), sa.extract("month", column)


def _fill():
    joined = FUNDS.join(PROJECTS, PROJECTS.c.id == FUNDS.c.project_id)
    live = PROJECTS.c.deleted_at.is_(None)
    verified = FUNDS.c.status == "verified"
    keys = (PROJECTS.c.unit_id, *_ymof(FUNDS.c.received_on), FUNDS.c.origin)
    funds = (
        sa.select(*keys, sa.func.sum(FUNDS.c.amount), sa.func.count())
        .select_from(joined).where(verified, live).group_by(*keys)
    )
    keys = (
        PROJECTS.c.unit_id, *_ymof(PROJECTS.c.signed_on), PROJECTS.c.stage_order,
        PROJECTS.c.funded_on.is_not(None), PROJECTS.c.dropped_on.is_not(None),
    )
    cohort = (
        sa.select(
            *keys, sa.func.count(), sa.func.coalesce(sa.func.sum(PROJECTS.c.contract_investment), 0),
            *(sa.func.max(PROJECTS.c[name]) for name in DATED),
        )
        .where(PROJECTS.c.signed_on.is_not(None), live).group_by(*keys)
    )
    keys = (PROJECTS.c.unit_id, *_ymof(PROJECTS.c.signed_on), *_ymof(FUNDS.c.received_on))
    cohort_funds = (
        sa.select(*keys, sa.func.sum(FUNDS.c.amount))
        .select_from(joined)
        .where(verified, live, PROJECTS.c.signed_on.is_not(None)).group_by(*keys)
    )
    return (
        ("rollup_funds_months",
         ("unit_id", "year", "month", "origin", "amount", "entries"), funds),
        ("rollup_cohort_months",
         ("unit_id", "year", "month", "stage_order", "funded", "dropped", "projects", "contract",
          *(f"latest_{name}" for name in DATED)),
         cohort),
        ("rollup_cohort_funds",
         ("unit_id", "year", "month", "received_year", "received_month", "amount"), cohort_funds),
    )


def upgrade():
    _create("rollup_funds_months", [
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
    ], ("origin",))
    _create("rollup_cohort_months", [
        sa.Column("stage_order", sa.Integer, nullable=False),
        sa.Column("funded", sa.Boolean, nullable=False),
        sa.Column("dropped", sa.Boolean, nullable=False),
        sa.Column("projects", sa.Integer, nullable=False),
        sa.Column("contract", sa.BigInteger, nullable=False),
        *(sa.Column(f"latest_{name}", sa.Date) for name in DATED),
    ], ("stage_order", "funded", "dropped"))
    _create("rollup_cohort_funds", [
        *_ym("received_"),
        sa.Column("amount", sa.BigInteger, nullable=False),
    ], ("received_year", "received_month"))
    for name, columns, rows in _fill():
        table = sa.table(name, *(sa.column(c) for c in columns))
        op.execute(sa.insert(table).from_select(columns, rows))


def _create(name, columns, keys):
    op.create_table(
        name,
        sa.Column("unit_id", sa.Integer, nullable=False),
        *_ym(),
        *columns,
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f(f"fk_{name}_unit_id_units")),
        sa.PrimaryKeyConstraint("unit_id", "year", "month", *keys, name=op.f(f"pk_{name}")),
    )


def downgrade():
    for name in ("rollup_cohort_funds", "rollup_cohort_months", "rollup_funds_months"):
        op.drop_table(name)
