"""One unit of work per request: a concurrent save of any versioned record is the same 409 page
(the record's current values, what the user typed, a way back), never a 500; a refused save
commits none of its partial writes; a CLI command commits once."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from app.care.models import Commitment, Problem
from app.core.db import VersionedMixin
from app.events.models import PromotionEvent
from app.extensions import db
from app.funds.models import FundsEntry
from app.leaders.models import Leader
from app.projects.models import Project
from app.targets.models import Target
from app.trips.models import Trip, TripLeader
from app.units.models import Unit
from tests.care.conftest import CareFactory
from tests.imports.conftest import FUNDS_HEADERS, funds_row, token_of, xlsx

TYPED = "我刚才填写的内容"


class _Forms(HTMLParser):
    """Every POST form of a page: the paths it posts to (its action and its buttons'
    formaction) and the fields a browser would send."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[tuple[set[str], list[tuple[str, str]]]] = []
        self._form: tuple[set[str], list[tuple[str, str]]] | None = None
        self._select: str | None = None
        self._chosen: str | None = None
        self._textarea = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = ({urlsplit(a.get("action") or self.page).path}, [])
            if (a.get("method") or "get").lower() == "post":
                self.forms.append(self._form)
            return
        if self._form is None:
            return
        targets, pairs = self._form
        if a.get("formaction"):
            targets.add(urlsplit(a["formaction"]).path)
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                pairs.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select, self._chosen = a.get("name"), None
        elif tag == "option" and self._select and ("selected" in a or self._chosen is None):
            self._chosen = a.get("value", "")
        elif tag == "textarea":
            self._textarea = True
            pairs.append((a.get("name"), ""))

    def handle_data(self, data):
        if self._textarea:
            pairs = self._form[1]
            pairs[-1] = (pairs[-1][0], pairs[-1][1] + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            self._form[1].append((self._select, self._chosen or ""))
            self._select = None
        elif tag == "textarea":
            self._textarea = False


def form_of(client, page: str, action: str) -> dict[str, list[str]]:
    """GET the page and read the form posting to `action`, as a browser would fill it in."""
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    parser = _Forms(urlsplit(page).path)
    parser.feed(response.get_data(as_text=True))
    found = [pairs for targets, pairs in parser.forms if action in targets]
    assert found, f"no form posting to {action} on {page}"
    fields: dict[str, list[str]] = {}
    for name, value in found[0]:
        fields.setdefault(name, []).append(value)
    fields.pop("csrf_token", None)
    return fields


@contextlib.contextmanager
def saved_meanwhile(model: type[VersionedMixin]):
    """Another save of the first `model` row the request flushes, just before it does."""
    table = model.__table__

    def bump(session: Session, flush_context, instances):
        changed = [o for o in session.dirty if session.is_modified(o)] + list(session.deleted)
        for obj in changed:
            if isinstance(obj, model) and not bumped:
                bumped.append(obj.id)
                session.connection().execute(
                    update(table).where(table.c.id == obj.id).values(version=table.c.version + 1)
                )

    bumped: list[int] = []
    event.listen(Session, "before_flush", bump)
    try:
        yield bumped
    finally:
        event.remove(Session, "before_flush", bump)


@dataclass
class Case:
    """One route that writes a versioned record, and how to drive it."""

    role: str
    model: type
    setup: object  # (make, people, ids) -> (page, action, overrides, shown)


def _project(make, people, **fields):
    return make.project(people["unit_a"], "智能制造产业园", "华润置地（深圳）有限公司", **fields)


def _trip(make, people):
    trip = Trip(status="done", started_on=date(2026, 10, 8), ended_on=date(2026, 10, 10),
                province="广东省", city="深圳市", enterprises="比亚迪", report="座谈")  # fmt: skip
    leader = make.leader("杨书记", "城关街道党工委书记", unit=people["unit_a"])
    trip.leader_links = [TripLeader(leader_id=leader.id)]
    return make.add(trip)


def _problem(make, people, **fields):
    return CareFactory(make).problem(_project(make, people, signed_on=date(2025, 3, 1)), **fields)


def edit_project(make, people):
    p = _project(make, people)
    return f"/projects/{p.id}/edit", f"/projects/{p.id}/edit", {"name": TYPED}, "智能制造产业园"


def advance_project(make, people):
    p = _project(make, people)
    url = f"/projects/{p.id}/advance/negotiating"
    return url, url, {"on": "2026-11-02", "reason": TYPED}, "智能制造产业园"


def drop_project(make, people):
    p = _project(make, people)
    url = f"/projects/{p.id}/drop"
    return url, url, {"on": "2026-11-02", "reason": TYPED}, "智能制造产业园"


def restore_project(make, people):
    p = _project(make, people, dropped_on=date(2026, 5, 1), drop_reason="投资方撤资")
    return f"/projects/{p.id}", f"/projects/{p.id}/restore", {}, "投资方撤资"


def correct_project(make, people):
    p = _project(make, people, negotiating_on=date(2025, 2, 1))
    url = f"/projects/{p.id}/correct"
    overrides = {"field": "negotiating_on", "on": "2025-02-03", "reason": TYPED}
    return url, url, overrides, "2025-02-01"


def merge_projects(make, people):
    a = _project(make, people)
    b = make.project(people["unit_b"], "智能制造产业园二期", "华润置地（深圳）有限公司")
    page = f"/duplicates/merge?a={a.id}&b={b.id}"
    return page, "/duplicates/merge", {"keep": str(a.id), "reason": TYPED}, "智能制造产业园二期"


def edit_trip(make, people):
    t = _trip(make, people)
    return f"/trips/{t.id}/edit", f"/trips/{t.id}/edit", {"report": TYPED}, "座谈"


def delete_trip(make, people):
    t = _trip(make, people)
    return f"/trips/{t.id}", f"/trips/{t.id}/delete", {"reason": TYPED}, "座谈"


def edit_leader(make, people):
    x = make.leader("黄区长", "区长", head_kind="government")
    return f"/leaders/{x.id}/edit", f"/leaders/{x.id}/edit", {"post": TYPED}, "黄区长"


def toggle_leader(make, people):
    x = make.leader("黄区长", "区长", head_kind="government")
    return "/leaders/", f"/leaders/{x.id}/active", {}, "黄区长"


def edit_unit(make, people):
    u = people["unit_a"]
    return f"/admin/units/{u.id}/edit", f"/admin/units/{u.id}/edit", {"name": TYPED}, "城关街道"


def toggle_unit(make, people):
    u = people["unit_b"]
    return "/admin/units/", f"/admin/units/{u.id}/active", {}, "北山镇"


def edit_event(make, people):
    e = make.event(host_unit=people["unit_a"])
    url = f"/events/{e.id}/edit"
    return url, url, {"notes": TYPED}, "2025 深圳招商推介会"


def _entry(make, people, status):
    p = _project(make, people, signed_on=date(2025, 3, 1), contract_investment=10**9)
    return make.funds_entry(p, "100", status=status, received_on=date(2026, 3, 5), ref="YH-77")


def edit_funds(make, people):
    x = _entry(make, people, "pending")
    return f"/funds/{x.id}/edit", f"/funds/{x.id}/edit", {"notes": TYPED}, "YH-77"


def verify_funds(make, people):
    x = _entry(make, people, "pending")
    return f"/funds/{x.id}", f"/funds/{x.id}/verify", {"note": TYPED}, "YH-77"


def reject_funds(make, people):
    x = _entry(make, people, "pending")
    return f"/funds/{x.id}", f"/funds/{x.id}/reject", {"note": TYPED}, "YH-77"


def set_targets(make, people):
    t = make.target(people["unit_a"], 2026, signed_count=3)
    cell = f"t-{t.unit_id}-signed_count"
    return "/targets/set?year=2026", "/targets/set", {cell: "5"}, 'current-signed_count">3<'


def claim_target(make, people):
    t = make.target(people["unit_a"], 2026, signed_count=3)
    return "/targets/mine", f"/targets/{t.id}/claim", {}, "3"


def assign_problem(make, people):
    x = _problem(make, people)
    overrides = {"handling_unit_id": str(people["unit_b"].id), "deadline": "2026-12-31"}
    return f"/care/problems/{x.id}", f"/care/problems/{x.id}/assign", overrides, "厂区供电"


def escalate_problem(make, people):
    x = _problem(make, people, handling_unit=people["unit_a"], deadline=date(2026, 11, 1))
    url = f"/care/problems/{x.id}/escalate"
    return f"/care/problems/{x.id}", url, {"reason": TYPED}, "厂区供电"


def start_problem(make, people):
    x = _problem(make, people, handling_unit=people["unit_a"])
    return f"/care/problems/{x.id}", f"/care/problems/{x.id}/start", {}, "厂区供电"


def resolve_problem(make, people):
    x = _problem(make, people, handling_unit=people["unit_a"], status="in_progress")
    url = f"/care/problems/{x.id}/resolve"
    return f"/care/problems/{x.id}", url, {"resolution": TYPED}, "厂区供电"


def fulfil_commitment(make, people):
    p = _project(make, people, signed_on=date(2025, 3, 1))
    x = CareFactory(make).commitment(p, people["unit_a"])
    url = f"/care/commitments/{x.id}/fulfil"
    return url, url, {"evidence_note": TYPED}, str(x.promise)[:6]


CASES = {
    "projects.edit": Case("unit", Project, edit_project),
    "projects.advance": Case("unit", Project, advance_project),
    "projects.drop": Case("unit", Project, drop_project),
    "projects.restore": Case("unit", Project, restore_project),
    "projects.correct": Case("bureau", Project, correct_project),
    "duplicates.merge_pair": Case("bureau", Project, merge_projects),
    "trips.edit": Case("unit", Trip, edit_trip),
    "trips.delete": Case("unit", Trip, delete_trip),
    "leaders.edit": Case("bureau", Leader, edit_leader),
    "leaders.toggle_active": Case("bureau", Leader, toggle_leader),
    "units.edit": Case("admin", Unit, edit_unit),
    "units.toggle_active": Case("admin", Unit, toggle_unit),
    "events.edit": Case("unit", PromotionEvent, edit_event),
    "funds.edit": Case("unit", FundsEntry, edit_funds),
    "funds.verify": Case("bureau", FundsEntry, verify_funds),
    "funds.reject": Case("bureau", FundsEntry, reject_funds),
    # funds.correct never edits the versioned entry (a reversal and a new entry are added;
    # a second correction of the same entry is refused by the reversal check), so it has no
    # stale version to meet: see tests/funds/test_corrections.py.
    "targets.grid": Case("bureau", Target, set_targets),
    "targets.claim": Case("unit", Target, claim_target),
    "care.problem_assign": Case("bureau", Problem, assign_problem),
    "care.problem_escalate": Case("bureau", Problem, escalate_problem),
    "care.problem_start": Case("unit", Problem, start_problem),
    "care.problem_resolve": Case("unit", Problem, resolve_problem),
    "care.commitment_fulfil": Case("unit", Commitment, fulfil_commitment),
}



def _versions(app, model) -> dict[int, int]:
    with app.app_context():
        return dict(db.session.execute(select(model.id, model.version)).all())


def _history_count(app) -> int:
    from app.core.history import HistoryEntry

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(HistoryEntry))


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_a_concurrent_save_is_a_409_with_the_current_values_and_what_was_typed(
    app, client, people, login, make, endpoint
):
    case = CASES[endpoint]
    page, action, overrides, shown = case.setup(make, people)
    login(people[case.role])
    fields = form_of(client, page, action)
    fields.update({k: [v] if isinstance(v, str) else v for k, v in overrides.items()})
    before, history = _versions(app, case.model), _history_count(app)
    with saved_meanwhile(case.model) as bumped:
        response = client.post(action, data=fields)
    assert bumped, (endpoint, response.status_code, response.get_data(as_text=True)[-4000:])
    assert response.status_code == 409, response.get_data(as_text=True)[:3000]
    text = response.get_data(as_text=True)
    main = text[text.find("<main") :][:1500]
    assert "记录已被他人修改" in text and 'data-testid="stale-record"' in text, main
    assert shown in text  # the record as it is now
    for value in overrides.values():
        if isinstance(value, str) and value:
            assert value in text  # what the user typed, kept
    assert f'href="{page.split("?")[0]}' in text or "stale-back" in text
    assert _versions(app, case.model) == before and _history_count(app) == history


def test_the_import_confirm_of_a_verified_ledger_is_a_409_when_a_project_changed_meanwhile(
    app, client, people, login, make
):
    p = _project(make, people, signed_on=date(2024, 1, 5), contract_investment=10**9)
    login(people["bureau"])
    data = {"file": (io.BytesIO(xlsx([FUNDS_HEADERS, funds_row(凭证号="D1")])), "台账.xlsx"),
            "verified": "1"}  # fmt: skip
    check = client.post("/imports/funds/check", data=data, content_type="multipart/form-data")
    token = token_of(check.get_data(as_text=True))
    with saved_meanwhile(Project) as bumped:
        response = client.post(f"/imports/confirm/{token}", data={"reason": TYPED})
    assert bumped == [p.id]
    assert response.status_code == 409
    assert "智能制造产业园" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FundsEntry)) == 0


def test_a_json_client_gets_the_409_error_shape(app, client, people, login, make):
    page, action, overrides, _shown = edit_project(make, people)
    login(people["unit"])
    fields = {**form_of(client, page, action), "name": [TYPED]}
    with saved_meanwhile(Project):
        response = client.post(action, data=fields, headers={"Accept": "application/json"})
    assert response.status_code == 409
    expected = {"error": {"code": "409", "message": "记录已被他人修改，请刷新后重试"}}
    assert response.get_json() == expected


def test_a_form_opened_before_a_change_keeps_its_in_form_message(app, client, people, login, make):
    page, action, _overrides, _shown = edit_project(make, people)
    login(people["unit"])
    fields = {**form_of(client, page, action), "name": [TYPED]}
    with app.app_context():
        db.session.execute(update(Project).values(name="他人改的名称", version=Project.version + 1))
        db.session.commit()
    response = client.post(action, data=fields)
    assert response.status_code == 409  # the form again, with the message and the new values
    text = response.get_data(as_text=True)
    assert "该记录在您编辑期间已被他人修改" in text and "他人改的名称" in text


def test_a_refused_save_commits_none_of_its_partial_writes(app, client, people, login, make):
    """The service flushed the project before refusing: the request must not commit it."""
    from app.projects import services

    page, action, _overrides, _shown = edit_project(make, people)
    login(people["unit"])
    fields = {**form_of(client, page, action), "name": [TYPED]}
    original = services.update_project

    def flush_then_refuse(project, *args, **kwargs):
        original(project, *args, **kwargs)
        db.session.flush()
        raise services.ServiceError({"name": "名称不合适"})

    services_patch = pytest.MonkeyPatch()
    services_patch.setattr(services, "update_project", flush_then_refuse)
    try:
        response = client.post(action, data=fields)
    finally:
        services_patch.undo()
    assert response.status_code == 200 and "名称不合适" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Project.name)) == "智能制造产业园"


def test_the_success_message_of_a_save_that_failed_at_the_commit_is_not_shown(
    app, client, people, login, make
):
    page, action, _overrides, _shown = drop_project(make, people)
    login(people["unit"])
    fields = {**form_of(client, page, action), "on": ["2026-11-02"], "reason": [TYPED]}
    with saved_meanwhile(Project):
        assert client.post(action, data=fields).status_code == 409
    assert "项目已终止" not in client.get("/projects/").get_data(as_text=True)


def test_a_cli_command_commits_once_and_rolls_back_when_it_fails(app, runner):
    ok = runner.invoke(args=["create-unit", "新城镇", "--kind", "乡镇街道"])
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(args=["create-unit", "新城镇", "--kind", "乡镇街道"])
    assert again.exit_code == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Unit.name == "新城镇")) == 1
