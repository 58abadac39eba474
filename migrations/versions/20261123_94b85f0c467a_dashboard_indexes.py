"""dashboard indexes

Read indexes for the dashboard (驾驶舱), declared in app/reports/models.py
(bench/bench_dashboard.py, 100,000 projects and 200,000 funds entries):
- projects signed, by signing date, with every column the cohort funnel, its verified funds and
  the per-unit signed figures read, so those come from the index alone (SQLite: the funnel
  about 45 -> 5 ms, the cohort's funds 67 -> 24 ms). It is partial (signed ones only) so that
  SQLite prefers it to ix_projects_signed_on: SQLite 3.40 never counts an index holding a
  generated column (stage_order) as covering, and picks the smaller index of the two. Being
  smaller, it is also picked over ix_projects_report_not_started for the 超时限未开工 count,
  hence started_on in it: that count stays an index-only read. `id` is for PostgreSQL, whose
  index-only scans need it (SQLite keeps the rowid in every index anyway);
- projects by start, production and lead date: the per-unit started and reported counts and
  the month's started and operating projects read a date range instead of the whole table;
- live projects' id and unit: the funds figures by unit join each entry to its project's unit
  through this small index instead of the wide table row (SQLite: 190 -> 50 ms);
- the ids of soft-deleted projects (a handful): the funds by month leave out their entries with
  `project_id NOT IN (...)` without reading any project row;
- the ids of live, not dropped projects: the overdue problems and commitments counts look each
  one's project up in it (a few thousand index-only probes) instead of reading every project
  or fetching each project row.
Only indexes are created, with plain op.create_index: SQLite's batch mode would recreate
`projects` and lose the search triggers of ed6d2f14fd2f.

Revision ID: 94b85f0c467a
Revises: 17bc2955956f
Create Date: 2026-11-23 00:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '94b85f0c467a'
down_revision = '17bc2955956f'
branch_labels = None
depends_on = None

LIVE = "deleted_at IS NULL"
INDEXES = [
    ('ix_projects_report_signed',
     ['signed_on', 'unit_id', 'stage_order', 'funded_on', 'started_on', 'dropped_on',
      'contract_investment', 'planned_investment', 'deleted_at', 'id'],
     f"{LIVE} AND signed_on IS NOT NULL"),
    ('ix_projects_report_started', ['started_on', 'unit_id', 'deleted_at'],
     f"{LIVE} AND started_on IS NOT NULL"),
    ('ix_projects_report_operating', ['operating_on', 'unit_id', 'deleted_at'],
     f"{LIVE} AND operating_on IS NOT NULL"),
    ('ix_projects_report_lead', ['lead_on', 'unit_id', 'deleted_at'], LIVE),
    ('ix_projects_report_live_unit', ['id', 'unit_id', 'deleted_at'], LIVE),
    ('ix_projects_report_deleted', ['id'], "deleted_at IS NOT NULL"),
    ('ix_projects_report_active', ['id'], f"{LIVE} AND dropped_on IS NULL"),
]


def upgrade():
    for name, columns, where in INDEXES:
        op.create_index(
            name,
            'projects',
            columns,
            unique=False,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def downgrade():
    for name, _columns, _where in reversed(INDEXES):
        op.drop_index(name, table_name='projects')
