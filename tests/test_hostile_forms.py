"""Every POST form of the application, every field, hostile values: never a server error, and
nothing written when the form is refused.

The forms are found from the url_map and from the pages themselves (each field the page
renders), so a new form is covered the day it is added. Each field is posted hostile on its
own, the others keeping what the page offered (or a plausible value), and then every field at
once.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app import create_app
from app.care.models import Commitment, Problem
from app.extensions import db
from app.imports.models import ImportBatch
from app.projects.models import ProjectContact
from app.trips.models import Trip, TripLeader, TripProject
from tests.test_access_matrix import EXPECTED

HOSTILE = (
    str(2**70),
    "9" * 400,
    "²",
    "a\0b",
    "长" * 10_000,
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "1,2,3",
)
# auth.logout posts nothing but the session's end; auth.revoke_token and jobs.retry post no
# field (tests/jobs runs a job again);
# auth.profile answers a made token with 200 (shown once, never in a redirect): its name field's
# bad input is tested in tests/api/test_tokens.py; the API's JSON endpoints (api_*) are fuzzed
# against their own OpenAPI document (tests/api/test_fuzz.py).
SKIPPED = {"auth.logout", "auth.revoke_token", "auth.profile", "jobs.retry"}
ROLE_ORDER = ("bureau", "unit", "admin", "leader", "auditor")
UNCOUNTED = {"security_events"}  # refusals and failed logins are logged: that is the point
PLAUSIBLE_DATE = "2026-11-01"


def _post_rules():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    return {r.endpoint: r for r in app.url_map.iter_rules() if "POST" in r.methods}


ENDPOINTS = sorted(e for e in set(_post_rules()) - SKIPPED if not e.startswith("api_"))


class _Forms(HTMLParser):
    """The POST forms of a page: action path -> list of (name, type, value, options)."""

    def __init__(self, path: str):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.forms: dict[str, list[dict]] = {}
        self._fields: list[dict] | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            action = urlsplit(a.get("action") or "").path or self.path
            self._fields = self.forms.setdefault(action, [])
        if self._fields is not None and a.get("formaction"):  # a second button of the form
            self.forms[urlsplit(a["formaction"]).path] = self._fields
        if self._fields is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._option(a)
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset"):
                return
            self._fields.append(
                {"name": a["name"], "type": kind, "value": a.get("value", ""),
                 "checked": "checked" in a}
            )
        elif tag == "select":
            self._select = {"name": a["name"], "type": "select", "value": None, "options": []}
            self._fields.append(self._select)
        elif tag == "textarea":
            self._textarea = {"name": a["name"], "type": "textarea", "value": ""}
            self._fields.append(self._textarea)

    def _option(self, a):
        value = a.get("value", "")
        self._select["options"].append(value)
        if "selected" in a or (self._select["value"] in (None, "") and value):
            self._select["value"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _forms_of(html: str, path: str) -> dict[str, list[dict]]:
    parser = _Forms(path)
    parser.feed(html)
    return parser.forms


def _plausible(field: dict) -> str:
    """What a person would type into an empty field, so the other fields reach the service."""
    name = field["name"]
    if field["type"] == "date" or name.endswith("_on") or name in ("deadline", "on"):
        return PLAUSIBLE_DATE
    if name.endswith("_wan"):
        return "100"
    if name in ("year",):
        return "2026"
    if name in ("month",):
        return "10"
    if "phone" in name:
        return "13800138000"
    if "email" in name:
        return "li@example.com"
    return "测试内容"


def _baseline(fields: list[dict]) -> list[tuple[str, str]]:
    """The form as the page offers it, empty fields filled in plausibly."""
    pairs = []
    for field in fields:
        kind, value = field["type"], field["value"]
        if kind == "file" or field["name"] == "csrf_token":
            continue
        if kind in ("checkbox", "radio"):
            if field["checked"] or (kind == "radio" and not any(
                f["name"] == field["name"] and f["checked"] for f in fields
            ) and not any(p[0] == field["name"] for p in pairs)):
                pairs.append((field["name"], value))
            continue
        if not value and kind not in ("hidden", "select", "password"):
            value = _plausible(field)
        pairs.append((field["name"], value or ""))
    return pairs


def _fresh(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A new submission id per post, so a retry guard does not hide the fields behind it."""
    return [(n, str(uuid.uuid4()) if n == "submission_id" else v) for n, v in pairs]


def _row_count(app) -> int:
    with app.app_context():
        tables = [t for t in db.metadata.sorted_tables if t.name not in UNCOUNTED]
        total = sum(
            select(func.count()).select_from(t).scalar_subquery() for t in tables
        )
        return int(db.session.execute(select(total)).scalar_one())


@pytest.fixture
def records(make, people) -> dict[str, int]:
    """A record for every kind of path argument a form's route takes."""
    today = date(2026, 11, 19)
    leader = make.leader("张书记", "区委书记", user=people["leader"])
    event = make.event(host_unit=people["unit_a"])
    signed = make.project(
        people["unit_a"], name="新能源电池项目", investor="鑫泰新能源集团",
        lead_on=today - timedelta(days=200), negotiating_on=today - timedelta(days=150),
        signed_on=today - timedelta(days=100), contract_investment=150_000_000,
        leader_id=leader.id, event_id=event.id,
    )
    lead = make.project(people["unit_a"], name="智能制造产业园", lead_on=today - timedelta(30))
    make.project(people["unit_a"], name="智能制造产业园二期", lead_on=today - timedelta(30))
    contact = make.add(ProjectContact(project_id=signed.id, name="李经理", phone="13800138000"))
    pending = make.funds_entry(signed, status="pending", received_on=today - timedelta(10))
    verified = make.funds_entry(signed, status="verified", received_on=today - timedelta(20))
    problem = make.add(
        Problem(project_id=signed.id, category="水电气", description="供电线路未接入",
                raised_on=today - timedelta(5), status="open", level=0)
    )
    commitment = make.add(
        Commitment(project_id=signed.id, promise="完成道路硬化",
                   delivering_unit_id=people["unit_a"].id, due_on=today + timedelta(30))
    )
    trip = Trip(status="done", started_on=today - timedelta(9), ended_on=today - timedelta(7),
                province="广东省", city="深圳市")
    trip.leader_links = [TripLeader(leader_id=leader.id)]
    trip = make.add(trip)
    make.add(TripProject(trip_id=trip.id, project_id=signed.id, note="推进签约"))
    target = make.target(people["unit_a"], year=2026)
    key_project = make.key_project(people["unit_b"], leader_id=leader.id)
    batch = make.add(ImportBatch(kind="projects", sha256="0" * 64, filename="项目.xlsx",
                                 row_count=0, user_id=people["bureau"].id))
    return {
        "project_id": signed.id,
        "lead_project_id": lead.id,
        "contact_id": contact.id,
        "entry_id": pending.id,
        "verified_entry_id": verified.id,
        "problem_id": problem.id,
        "commitment_id": commitment.id,
        "trip_id": trip.id,
        "leader_id": leader.id,
        "event_id": event.id,
        "unit_id": people["unit_b"].id,
        "user_id": people["other_unit"].id,
        "target_id": target.id,
        "key_project_id": key_project.id,
        "batch_id": batch.id,
        "year": 2026,
        "month": 10,
    }


def _arguments(endpoint: str, rule, records: dict) -> dict:
    """The path arguments of a rule, from real records."""
    values = dict(records, key="projects", stage_key="negotiating", token="0" * 32)
    if endpoint == "funds.correct":
        values["entry_id"] = records["verified_entry_id"]
    if endpoint in ("projects.advance", "projects.edit", "projects.drop", "projects.correct"):
        values["project_id"] = records["lead_project_id"]
    missing = set(rule.arguments) - set(values)
    assert not missing, f"{endpoint}: give the sweep a record for {missing}"
    return {name: values[name] for name in rule.arguments}


def _role(endpoint: str) -> str:
    expected = EXPECTED[endpoint]
    if expected == "public":
        return ""
    return next(role for role in ROLE_ORDER if role in expected)


# Where a form lives when neither its own URL nor a page above it shows it.
PAGES = {
    "funds.create": "/funds/new?project_id={project_id}",
    "targets.claim": "/targets/mine",
    "duplicates.merge_pair": "/duplicates/merge?a={project_id}&b={lead_project_id}",
    "care.problem_start": "/care/problems/{problem_id}",
    "keyprojects.from_project": "/key-projects/from-project/{project_id}",
    "keyschedule.save": "/key-projects/schedule/?year=2026&month=10&unit_id={unit_id}",
}


def _find_form(client, url: str, page: str | None) -> list[dict] | None:
    """The form that posts to `url`: on its own page, else on the nearest page above it."""
    path = urlsplit(url).path
    candidates = [page] if page else []
    candidates += [url]
    parts = path.rstrip("/").split("/")
    candidates += ["/".join(parts[:i]) + "/" for i in range(len(parts) - 1, 1, -1)]
    candidates += ["/".join(parts[:i]) for i in range(len(parts) - 1, 1, -1)]
    for candidate in candidates:
        response = client.get(candidate, follow_redirects=True)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        forms = _forms_of(response.get_data(as_text=True), urlsplit(response.request.url).path)
        if path in forms:
            return forms[path]
    return None


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_hostile_values_in_every_field_never_give_a_server_error(
    app, client, people, login, records, endpoint
):
    rule = _post_rules()[endpoint]
    role = _role(endpoint)
    if role:
        login(people["unit" if endpoint == "targets.claim" else role])
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with app.test_request_context():
        url = app.url_for(endpoint, **_arguments(endpoint, rule, records))
    page = PAGES.get(endpoint)
    fields = _find_form(client, url, page.format(**records) if page else None)
    if fields is None:  # no page offers it (an htmx action, say): post the usual names
        fields = [{"name": n, "type": "text", "value": "", "checked": False}
                  for n in ("name", "reason", "note", "year", "month", "unit_id", "on")]
    baseline = _baseline(fields)
    names = list(dict.fromkeys(n for n, _v in baseline))
    failures, refused_writes, posts = [], [], 0
    for value in HOSTILE:
        attempts = [(name, [(n, value if n == name else v) for n, v in baseline]) for name in names]
        attempts.append(("*", [(n, value if n != "csrf_token" else v) for n, v in baseline]))
        for name, pairs in attempts:
            before = _row_count(app)
            data = _fresh(pairs) if name != "submission_id" else pairs
            form: dict[str, list[str]] = {}
            for n, v in data:
                form.setdefault(n, []).append(v)
            response = client.post(url, data=form)
            posts += 1
            shown = value if len(value) < 20 else f"{value[:5]}…({len(value)})"
            if response.status_code >= 500:
                failures.append((name, shown, response.status_code))
            elif response.status_code != 302 and _row_count(app) != before:
                refused_writes.append((name, shown, response.status_code))
    assert failures == [], f"{endpoint}: server errors for (field, value, status)"
    assert refused_writes == [], f"{endpoint}: rows written though the form was refused"
    assert posts >= len(HOSTILE)


def _all_forms():
    from app.core.forms import BaseForm

    found, todo = [], list(BaseForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_text_field_of_every_form_has_a_length_limit(app):
    """A 10,000-character value is refused beside its field, not cut, stored or a 500."""
    from wtforms import HiddenField, PasswordField, StringField
    from wtforms.validators import Length

    unbounded = []
    with app.test_request_context():
        for cls in _all_forms():
            for field in cls(formdata=None, meta={"csrf": False}):
                if isinstance(field, StringField) and not isinstance(
                    field, HiddenField | PasswordField
                ):
                    lengths = [v.max for v in field.validators if isinstance(v, Length)]
                    if not lengths or lengths[0] < 1:
                        unbounded.append(f"{cls.__name__}.{field.name}")
    assert len(_all_forms()) > 20
    assert unbounded == []
