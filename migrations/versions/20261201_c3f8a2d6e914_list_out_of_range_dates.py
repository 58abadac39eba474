"""List stored dates outside the range the product now accepts (changes no data)

Every date typed or imported must now lie between 2000-01-01 and five years after today
(app/core/dates.py, date_bounds). Dates stored before that rule may lie outside it, like the
planned trip ending 9999-12-31 that made /trips/ answer 500 for everyone who could see it.
This migration logs, per table and column, how many stored dates lie outside and the ids of
the first rows, so the bureau can correct them on each record's edit page. It changes no row:
a wrong date is the bureau's to correct, not a migration's to guess, and the figures and pages
are safe on extreme dates (tests/trips/test_extreme_dates.py), so the rows no longer break them.

Revision ID: c3f8a2d6e914
Revises: b7d4e1a93c52
Create Date: 2026-12-01
"""

import logging
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "c3f8a2d6e914"
down_revision = "b7d4e1a93c52"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

EARLIEST = date(2000, 1, 1)
YEARS_AHEAD = 5
SHOWN_IDS = 20

# Every date column a person or an import fills in, as the schema stood at this revision.
DATE_COLUMNS = {
    "projects": (
        "lead_on",
        "negotiating_on",
        "signed_on",
        "registered_on",
        "funded_on",
        "started_on",
        "operating_on",
        "dropped_on",
    ),
    "follow_ups": ("happened_on", "next_due_on"),
    "care_visits": ("visited_on",),
    "care_commitments": ("due_on", "fulfilled_on"),
    "problems": ("raised_on", "deadline", "resolved_on"),
    "problem_escalations": ("escalated_on",),
    "events": ("held_on",),
    "funds_entries": ("received_on",),
    "leaders": ("took_office_on",),
    "trips": ("started_on", "ended_on"),
}


def out_of_range(connection, earliest: date, latest: date) -> list[tuple[str, str, list[int]]]:
    """(table, column, ids) of every stored date outside earliest..latest."""
    found = []
    for table, columns in DATE_COLUMNS.items():
        for column in columns:
            rows = connection.execute(
                sa.text(
                    f"SELECT id FROM {table} WHERE {column} < :earliest "  # noqa: S608
                    f"OR {column} > :latest ORDER BY id"
                ),
                {"earliest": earliest, "latest": latest},
            )
            ids = [row[0] for row in rows]
            if ids:
                found.append((table, column, ids))
    return found


def upgrade():
    today = date.today()
    try:
        latest = today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + YEARS_AHEAD, day=28)
    found = out_of_range(op.get_bind(), EARLIEST, latest)
    if not found:
        log.info("no stored date lies outside %s..%s", EARLIEST, latest)
    for table, column, ids in found:
        shown = ", ".join(str(i) for i in ids[:SHOWN_IDS])
        if len(ids) > SHOWN_IDS:
            shown += " ..."
        log.warning(
            "%s.%s: %d row(s) dated outside %s..%s, to correct on their edit pages: id %s",
            table,
            column,
            len(ids),
            EARLIEST,
            latest,
            shown,
        )


def downgrade():
    pass
