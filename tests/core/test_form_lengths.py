"""Every text field is as long as the column it is stored in, and nothing is cut: a text one
character too long is refused beside its field with a message naming the field and the limit,
a text of exactly the limit is stored whole, and no page carries a maxlength attribute (a
browser cuts a pasted text there without a word)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import String, select
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import Length

from app.auth.models import User
from app.auth.tokens import ApiToken
from app.care.models import CareVisit, Commitment, Problem
from app.core.forms import BaseForm
from app.events.models import PromotionEvent
from app.extensions import db
from app.funds.models import FundsEntry
from app.keyprojects.models import KeyMonthlyReport, KeyProject
from app.leaders.models import Leader
from app.projects.models import FollowUp, Project, ProjectContact
from app.trips.models import Trip, TripProject
from app.units.models import Unit

# The model each form's service writes (None: the form writes no record's columns, only
# the history's reason or a decision).
MODEL_OF = {
    "LoginForm": User,
    "UserForm": User,
    "NewUserForm": User,
    "CommitmentForm": Commitment,
    "FulfilForm": Commitment,
    "ProblemForm": Problem,
    "ResolveForm": Problem,
    "EscalateForm": None,
    "VisitForm": CareVisit,
    "EventForm": PromotionEvent,
    "EntryForm": FundsEntry,
    "CorrectForm": FundsEntry,
    "VerifyForm": FundsEntry,
    "KeyProjectForm": KeyProject,
    "ReportForm": KeyMonthlyReport,
    "UnlockForm": None,
    "LeaderForm": Leader,
    "MergeForm": None,
    "AdvanceForm": Project,
    "ContactForm": ProjectContact,
    "DropForm": None,
    "FollowUpForm": FollowUp,
    "ProjectForm": Project,
    "DeleteForm": None,
    "LinkForm": TripProject,
    "TripForm": Trip,
    "UnitForm": Unit,
    "TokenForm": ApiToken,
}
# Where the field's name is not the column's: (form, field) -> column attribute.
COLUMN_OF = {
    ("VerifyForm", "note"): "verification_note",
    ("ProjectForm", "planned_wan"): None,  # a typed 万元 amount, stored as whole 元
    ("AdvanceForm", "contract_wan"): None,
    ("AdvanceForm", "reason"): None,  # into the history
    ("CorrectForm", "reason"): "correction_reason",
    ("EntryForm", "amount_wan"): None,
    ("CorrectForm", "amount_wan"): None,
    ("KeyProjectForm", "total_wan"): None,
    ("KeyProjectForm", "plan_wan"): None,
    ("ReportForm", "invested_wan"): None,
}
# Typed longer than stored, on purpose: a 统一社会信用代码 may be typed with spaces or dashes
# (40 characters), the service keeps the 18 characters and refuses any other length.
TYPED_LONGER = {("ProjectForm", "uscc"), ("AdvanceForm", "uscc")}


def _all_forms() -> list[type[BaseForm]]:
    found, todo = [], list(BaseForm.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def _text_fields(app):
    with app.test_request_context():
        for cls in _all_forms():
            for field in cls(formdata=None, meta={"csrf": False}):
                if isinstance(field, StringField) and not isinstance(
                    field, HiddenField | PasswordField
                ):
                    lengths = [v.max for v in field.validators if isinstance(v, Length)]
                    yield cls.__name__, field.name, (lengths or [None])[0]


def _column_length(model, attribute: str) -> int | None:
    column = model.__table__.columns.get(getattr(model, attribute).property.columns[0].name)
    return column.type.length if isinstance(column.type, String) else None


def test_every_text_field_is_as_long_as_its_column(app):
    wrong = []
    for form, name, most in _text_fields(app):
        assert form in MODEL_OF, f"{form}: which model does it write? add it to MODEL_OF"
        model = MODEL_OF[form]
        attribute = COLUMN_OF.get((form, name), name)
        if model is None or attribute is None or (form, name) in TYPED_LONGER:
            continue
        assert hasattr(model, attribute), f"{form}.{name}: no column {model.__name__}.{attribute}"
        length = _column_length(model, attribute)
        if length is not None and most != length:
            wrong.append(
                f"{form}.{name}: form {most}, column {model.__name__}.{attribute} {length}"
            )
    assert wrong == []


def test_no_form_page_carries_a_maxlength_that_would_cut_silently(client, login, people, make):
    project = make.project(people["unit_a"], signed_on=date(2026, 3, 1), contract_investment=10**7)
    login(people["bureau"])
    for path in (
        "/projects/new",
        "/events/new",
        f"/funds/new?project_id={project.id}",
        "/leaders/new",
        "/key-projects/new",
        "/trips/new",
        f"/projects/{project.id}/contacts/new",
        f"/projects/{project.id}",
    ):
        page = client.get(path).get_data(as_text=True)
        cutting = [
            tag
            for tag in re.findall(r"<(?:input|textarea)[^>]*>", page)
            if "maxlength" in tag and 'name="q"' not in tag  # a search, not a record's text
        ]
        assert cutting == [], path


def _event(client, name: str):
    return client.post(
        "/events/new",
        data={"name": name, "kind": "推介会", "held_on": "2026-10-08", "city": "深圳"},
    )


def test_an_event_name_one_over_the_limit_is_refused_naming_the_limit(app, client, login, people):
    login(people["bureau"])
    page = _event(client, "会" * 201).get_data(as_text=True)
    assert "活动名称最多 200 个字" in page
    assert "会" * 201 in page  # kept as typed, for the user to shorten
    with app.app_context():
        assert db.session.execute(select(PromotionEvent)).first() is None


def test_an_event_name_of_exactly_the_limit_is_stored_whole(app, client, login, people):
    login(people["bureau"])
    assert _event(client, "会" * 200).status_code == 302
    with app.app_context():
        assert db.session.execute(select(PromotionEvent.name)).scalar_one() == "会" * 200


@pytest.mark.parametrize(("length", "saved"), [(101, False), (100, True)])
def test_an_evidence_reference_is_refused_or_stored_whole(
    app, client, login, people, make, length, saved
):
    project = make.project(people["unit_a"], signed_on=date(2026, 3, 1), contract_investment=10**7)
    login(people["unit"])
    reference = "凭" * length
    response = client.post(
        f"/funds/new?project_id={project.id}",
        data={
            "received_on": "2026-10-08",
            "amount_wan": "10",
            "origin": "国内省外",
            "use": "固定资产投资",
            "evidence_ref": reference,
            "submission_id": f"s-{length}",
        },
    )
    with app.app_context():
        stored = db.session.execute(select(FundsEntry.evidence_ref)).scalars().all()
    if saved:
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        assert stored == [reference]
    else:
        assert "凭证号最多 100 个字" in response.get_data(as_text=True)
        assert stored == []


@pytest.mark.parametrize(("length", "saved"), [(51, False), (50, True)])
def test_a_leader_post_is_refused_or_stored_whole(app, client, login, people, length, saved):
    login(people["bureau"])
    post = "副" * length
    response = client.post("/leaders/new", data={"name": "王建国", "post": post})
    with app.app_context():
        stored = db.session.execute(select(Leader.post)).scalars().all()
    if saved:
        assert response.status_code == 302
        assert stored == [post]
    else:
        assert "职务最多 50 个字" in response.get_data(as_text=True)
        assert stored == []


def test_the_message_names_the_field_without_its_unit(client, login, people):
    login(people["bureau"])
    page = client.post("/projects/new", data={"name": "项" * 201}).get_data(as_text=True)
    assert re.search(r"项目名称最多 200 个字", page)
