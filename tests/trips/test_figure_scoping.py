"""The trips and targets figures cut their rows with the scoping's allow-list: a role it does
not know sees nothing, where they used to let any role but `unit` see everything."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from app.core import scoping
from app.extensions import db
from app.reports.figures import targets, trips

ON = date(2026, 11, 19)


def _actor(role, unit=None):
    return SimpleNamespace(id=None, role=role, unit_id=unit.id if unit else None, username="")


@pytest.fixture
def figures_data(make, people, heads, add_trip):
    add_trip([heads["party"]], date(2026, 3, 2))
    add_trip([heads["a_party"]], date(2026, 3, 9))
    add_trip([heads["b_party"], heads["b_government"]], date(2026, 4, 6))
    make.target(people["unit_a"], funds_total="1000")
    make.target(people["unit_b"], funds_total="1000")


def _compliance_names(app, actor) -> set[str]:
    with app.app_context(), scoping.acting_as(db.session, actor):
        return {row.leader.name for row in trips.compliance(actor, 2026, ON)}


def _overlap_count(app, actor) -> int:
    with app.app_context(), scoping.acting_as(db.session, actor):
        return len(trips.overlaps(actor, 2026))


def _target_units(app, actor) -> tuple[list[int], bool]:
    with app.app_context(), scoping.acting_as(db.session, actor):
        table = targets.target_table(actor, 2026, 10)
        return [r.unit_id for r in table.rows], table.total is not None


@pytest.mark.parametrize("role", ["visitor", "auditor", None, "Unit"])
def test_a_role_the_scoping_does_not_know_sees_no_trip_or_target_figure(
    app, people, figures_data, role
):
    actor = _actor(role, people["unit_a"])
    assert _compliance_names(app, actor) == set()
    assert _overlap_count(app, actor) == 0
    assert _target_units(app, actor) == ([], False)


def test_a_unit_sees_its_own_leaders_and_its_own_target_row(app, people, figures_data):
    actor = _actor("unit", people["unit_a"])
    assert _compliance_names(app, actor) == {"杨书记"}
    assert _overlap_count(app, actor) == 0
    assert _target_units(app, actor) == ([people["unit_a"].id], False)


@pytest.mark.parametrize("role", ["bureau", "leader", "admin"])
def test_the_district_roles_see_every_leader_and_unit(app, people, figures_data, role):
    actor = _actor(role)
    assert {"张书记", "杨书记", "孙书记", "马镇长"} <= _compliance_names(app, actor)
    assert _overlap_count(app, actor) == 1  # 北山镇's two heads away together
    units, total = _target_units(app, actor)
    assert set(units) >= {people["unit_a"].id, people["unit_b"].id} and total


def test_a_units_rank_is_still_computed_against_the_whole_district(
    app, make, people, figures_data
):
    """The ranking is read district-wide even though the unit sees only its own row."""
    project = make.project(people["unit_b"], name="北山项目", signed_on=date(2026, 2, 1))
    make.funds_entry(project, "500", received_on=date(2026, 3, 1))
    actor = _actor("unit", people["unit_a"])
    with app.app_context(), scoping.acting_as(db.session, actor):
        table = targets.target_table(actor, 2026, 10)
    [row] = table.rows
    assert row.unit_id == people["unit_a"].id
    assert row.rank == 2  # behind 北山镇, whose funds it cannot see
