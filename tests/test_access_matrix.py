"""Every route, for every role and for anonymous: deny by default, 403 for the wrong role,
login for anonymous, CSRF on every POST. A new route fails here until it is listed."""

from __future__ import annotations

import pytest

from app.core.permissions import permission_of
from app.imports import exports

ALL = {"admin", "auditor", "bureau", "unit", "leader"}
PUBLIC = "public"
READERS = {"admin", "bureau", "unit", "leader"}  # business data: everyone but the auditor
WRITERS = {"bureau", "unit"}  # business data writes

# endpoint -> roles that may open it (GET); PUBLIC for anonymous access.
EXPECTED: dict[str, set[str] | str] = {
    "main.health": PUBLIC,
    "auth.login": PUBLIC,
    "main.home": ALL,
    "auth.logout": ALL,
    "auth.change_password": ALL,
    "auth.keep_alive": ALL,
    "auth.profile": ALL,  # one's own API tokens
    "auth.revoke_token": ALL,
    "jobs.index": ALL,  # one's own jobs only (tests/jobs)
    "jobs.detail": ALL,
    "jobs.panel": ALL,
    "jobs.result_file": ALL,
    "jobs.retry": ALL,
    "users.index": {"admin"},
    "users.create": {"admin"},
    "users.edit": {"admin"},
    "users.toggle_active": {"admin"},
    "users.reset_password": {"admin"},
    "units.index": {"admin"},
    "units.create": {"admin"},
    "units.edit": {"admin"},
    "units.toggle_active": {"admin"},
    "projects.index": READERS,
    "projects.board": READERS,
    "projects.board_more": READERS,
    "projects.detail": READERS,
    "projects.contact_reveal": READERS,
    "projects.create": WRITERS,
    "projects.edit": WRITERS,
    "projects.advance": WRITERS,
    "projects.drop": WRITERS,
    "projects.restore": WRITERS,
    "projects.contact_new": WRITERS,
    "projects.contact_edit": WRITERS,
    "projects.contact_delete": WRITERS,
    "projects.follow_up_new": WRITERS,
    "projects.due": WRITERS,
    "projects.correct": {"bureau"},
    "events.index": {"admin", "bureau", "unit", "leader"},
    "events.detail": {"admin", "bureau", "unit", "leader"},
    "events.create": {"bureau", "unit"},
    "events.edit": {"bureau", "unit"},
    "duplicates.index": {"bureau"},
    "duplicates.merge_pair": {"bureau"},
    "care.problems": READERS,
    "care.board": {"admin", "bureau", "leader"},
    "care.stalled": READERS,
    "care.commitments": READERS,
    "care.visits": READERS,
    "care.problem_detail": READERS,
    "care.problem_new": WRITERS,
    "care.problem_assign": {"bureau"},
    "care.problem_bulk_assign": {"bureau"},
    "care.problem_escalate": {"bureau"},
    "care.problem_start": WRITERS,
    "care.problem_resolve": WRITERS,
    "care.visit_new": WRITERS,
    "care.commitment_new": WRITERS,
    "care.commitment_fulfil": WRITERS,
    "funds.index": READERS,
    "funds.entry": READERS,
    "funds.evidence_file": READERS,
    "funds.report": READERS,
    "funds.stage_check_list": {"bureau"},
    "funds.statement": READERS,
    "funds.create": WRITERS,
    "funds.edit": WRITERS,
    "funds.verify": {"bureau"},
    "funds.reject": {"bureau"},
    "funds.bulk_decide": {"bureau"},
    "funds.correct": {"bureau"},
    "imports.index": WRITERS,
    "imports.template": WRITERS,
    "imports.check": WRITERS,
    "imports.confirm": WRITERS,
    "imports.errors": WRITERS,
    "imports.checked": WRITERS,
    "imports.batches": WRITERS,
    "imports.withdraw": {"bureau"},
    "exports.download": READERS | {"auditor"},  # each export checks its own permission too
    "leaders.index": READERS,
    "leaders.create": {"bureau"},
    "leaders.edit": {"bureau"},
    "leaders.toggle_active": {"bureau"},
    "targets.index": READERS,
    "targets.records": READERS,
    "targets.mine": {"unit"},
    "targets.claim": {"unit"},
    "targets.grid": {"bureau"},
    "targets.import_sheet": {"bureau"},
    "targets.template": {"bureau"},
    "trips.index": READERS,
    "trips.detail": READERS,
    "trips.compliance": READERS,
    "trips.yields": READERS,
    "trips.create": {"bureau", "unit", "leader"},
    "trips.edit": {"bureau", "unit", "leader"},
    "trips.delete": {"bureau", "unit", "leader"},
    "trips.link": {"bureau", "unit", "leader"},
    "trips.unlink": {"bureau", "unit", "leader"},
    "reports.dashboard": READERS,
    "reports.overdue_commitments": READERS,
    "bulletins.index": {"bureau", "leader", "admin"},
    "bulletins.download": {"bureau", "leader", "admin"},
    "bulletins.closed": {"bureau", "leader", "admin"},
    "bulletins.close": {"bureau"},
    "search.index": READERS,
    "keyprojects.index": READERS,
    "keyprojects.blocked": READERS,
    "keyprojects.detail": READERS,
    "keyprojects.plan_file": READERS,
    "keyprojects.create": WRITERS,
    "keyprojects.edit": WRITERS,
    "keyprojects.start": WRITERS,
    "keyprojects.procedures": WRITERS,
    "keyprojects.from_project": {"bureau"},
    "keyprojects.carry_over": {"bureau"},
    "keyschedule.month": {"bureau", "unit", "leader"},
    "keyschedule.inspection": {"bureau", "unit", "leader"},
    "keyschedule.save": WRITERS,
    "keyschedule.lock": {"bureau"},
    "keyschedule.unlock": {"bureau"},
    "care.key_problem_new": WRITERS,
    "keyfigures.ledger": READERS,
    "keyfigures.records": READERS,
    "keyfigures.flags": READERS,
    "audit.history": {"auditor"},
    "audit.history_entry": {"auditor"},
    "audit.history_reveal": {"auditor"},
    "audit.security": {"auditor"},
    "audit.integrity": {"auditor"},
}


def _all_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def _rules(app):
    """The screens' routes: the API's (`api_*`, token-only) are walked by tests/api."""
    return [r for r in _all_rules(app) if not r.endpoint.startswith("api_")]


def _url(rule) -> str:
    return rule.build(dict.fromkeys(rule.arguments, 999999), append_unknown=False)[1]


def test_every_route_has_a_permission_rule(app):
    missing = [
        r.endpoint
        for r in _all_rules(app)
        if permission_of(app.view_functions[r.endpoint]) is None
    ]
    assert missing == []


def test_every_route_is_listed_in_the_expected_matrix(app):
    assert sorted({r.endpoint for r in _rules(app)} - set(EXPECTED)) == []
    assert sorted(set(EXPECTED) - {r.endpoint for r in _rules(app)}) == []


def test_a_route_without_a_rule_is_refused_to_everyone(app, people, login):
    @app.route("/forgotten")
    def forgotten():
        return "secret"

    client = login(people["admin"])
    assert client.get("/forgotten").status_code == 403


def test_anonymous_is_sent_to_login_from_every_protected_route(app, client):
    for rule in _rules(app):
        if EXPECTED[rule.endpoint] == PUBLIC:
            continue
        method = "get" if "GET" in rule.methods else "post"
        response = getattr(client, method)(_url(rule))
        assert response.status_code == 302, rule.endpoint
        assert "/login" in response.location, rule.endpoint


@pytest.mark.parametrize("role", sorted(ALL))
def test_each_role_reaches_exactly_its_routes(app, client, people, login, role):
    login(people[role])
    for rule in _rules(app):
        expected = EXPECTED[rule.endpoint]
        if expected == PUBLIC or rule.endpoint == "auth.logout":
            continue
        method = "get" if "GET" in rule.methods else "post"
        status = getattr(client, method)(_url(rule)).status_code
        if role in expected:
            assert status in (200, 302, 404), (rule.endpoint, status)
        else:
            assert status == 403, (rule.endpoint, status)


def test_every_post_without_a_csrf_token_is_refused(app, client, people, login):
    login(people["admin"])
    for rule in _rules(app):
        if "POST" not in rule.methods:
            continue
        response = client.post(_url(rule), data={"x": "1"}, csrf=False)
        assert response.status_code == 400, rule.endpoint
        assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/").status_code == 200  # still logged in: nothing was done


def test_a_refused_request_is_in_the_security_log(app, client, people, login):
    from sqlalchemy import select

    from app.core.security_log import SecurityEvent
    from app.extensions import db

    login(people["unit"])
    assert client.get("/admin/users/").status_code == 403
    with app.app_context():
        event = db.session.execute(
            select(SecurityEvent).where(SecurityEvent.event == "refused")
        ).scalar_one()
        assert event.username == "unita" and event.detail["path"] == "/admin/users/"


def test_unknown_ids_are_404_not_500(app, client, people, login):
    login(people["admin"])
    assert client.get("/admin/users/999999/edit").status_code == 404
    assert client.get("/admin/users/abc/edit").status_code == 404


QUERY_NAMES = [
    "year",
    "month",
    "page",
    "from",
    "to",
    "unit_id",
    "leader_id",
    "event_id",
    "trip_id",
    "record_id",
    "a",
    "b",
    "level",
    "status",
    "stage",
    "q",
    "format",
    "kind",
    "key",
]
ODD_VALUES = ("²", "9" * 5000, "-1", "0", "abc", "2026-10")


@pytest.mark.parametrize("role", ["bureau", "unit", "leader"])
def test_odd_query_strings_never_give_a_server_error(app, client, people, login, role):
    """Every page a role opens, with every parameter the pages read set to odd values:
    superscript digits, 5,000 digits, negatives, words. A page or a message, never a 500."""
    login(people[role])
    app.config["PROPAGATE_EXCEPTIONS"] = False
    urls = [f"/exports/{name}" for name in exports.names()]  # every registered export, too
    for rule in _rules(app):
        expected = EXPECTED[rule.endpoint]
        if rule.arguments or "GET" not in rule.methods or rule.endpoint == "auth.logout":
            continue
        if expected == PUBLIC or role in expected:
            urls.append(_url(rule))
    for url in urls:
        for value in ODD_VALUES:
            status = client.get(url, query_string=dict.fromkeys(QUERY_NAMES, value)).status_code
            assert status < 500, (url, value, status)
    assert len(urls) > 20
