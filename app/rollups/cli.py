"""`flask --app wsgi rebuild-rollups`: every monthly roll-up, and the duplicate groups,
recomputed from the records."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.core.unit_of_work import transactional
from app.extensions import db
from app.projects.duplicates import rebuild_groups
from app.rollups.maintain import rebuild


@click.command("rebuild-rollups")
@with_appcontext
@transactional
def rebuild_rollups() -> None:
    """Recompute the monthly roll-ups of funds and of the signed cohort, and the duplicate
    groups the to-do page and 疑似重复 list read, from the records."""
    rebuild(db.session)
    click.echo("月度汇总已按记录重算")
    rebuild_groups(db.session)
    click.echo("疑似重复分组已按记录重算")
