"""`FollowUp.is_latest` equals "no later live follow-up of the same project" after every write."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.core import history
from app.core.db import utcnow
from app.extensions import db
from app.projects.models import FollowUp

START = date(2026, 1, 1)


def _expected() -> dict[int, bool]:
    """The flag by its definition, computed in Python from every row."""
    rows = db.session.execute(
        select(FollowUp.id, FollowUp.project_id, FollowUp.happened_on, FollowUp.deleted_at)
    ).all()
    latest: dict[int, tuple] = {}
    for r in rows:
        if r.deleted_at is None and (r.happened_on, r.id) > latest.get(r.project_id, (START, 0)):
            latest[r.project_id] = (r.happened_on, r.id)
    return {r.id: latest.get(r.project_id, (None, None))[1] == r.id for r in rows}


def _flags() -> dict[int, bool]:
    db.session.expire_all()
    return dict(db.session.execute(select(FollowUp.id, FollowUp.is_latest)).all())


def _apply(operation: tuple, projects: list[int], user_id: int) -> None:
    kind, which, day = operation
    live = list(db.session.scalars(select(FollowUp).order_by(FollowUp.id)))
    if kind == "add" or not live:
        db.session.add(
            FollowUp(
                project_id=projects[which % len(projects)],
                user_id=user_id,
                happened_on=START + timedelta(days=day),
                kind="电话",
                summary="电话沟通",
                next_step="再联系",
                next_due_on=START + timedelta(days=day + 7),
            )
        )
        return
    row = live[which % len(live)]
    if kind == "delete":
        row.deleted_at = utcnow()
    elif kind == "restore":
        row.deleted_at = None
    elif kind == "redate":
        row.happened_on = START + timedelta(days=day)
    elif kind == "move":  # what a merge does to the gone project's follow-ups
        row.project_id = projects[(which + 1) % len(projects)]
    elif kind == "purge":
        db.session.delete(row)


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["add", "add", "delete", "restore", "redate", "move", "purge"]),
        st.integers(0, 20),
        st.integers(0, 5),  # few days: ties on happened_on are decided by id
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=OPERATIONS, flush_each=st.booleans())
def test_the_flag_is_the_latest_live_follow_up_after_any_writes(
    app, make, people, operations, flush_each
):
    if not hasattr(app, "_latest_projects"):
        app._latest_projects = [
            make.project(people["unit_a"], f"项目{i}", f"投资方{i}").id for i in range(3)
        ]
    with app.app_context():
        history.set_actor(db.session, None)
        for operation in operations:
            _apply(operation, app._latest_projects, people["unit"].id)
            if flush_each:
                db.session.flush()
        db.session.commit()
        assert _flags() == _expected()


def test_a_backdated_follow_up_does_not_reopen_an_older_step(client, people, login, make):
    project = make.project(people["unit_a"], "智能制造产业园", "华润置地（深圳）有限公司")
    login(people["unit"])
    url = f"/projects/{project.id}/follow-ups"
    newer = {"happened_on": "2026-11-10", "kind": "电话", "summary": "约定考察",
             "next_step": "安排考察", "next_due_on": "2026-11-15"}  # fmt: skip
    older = {**newer, "happened_on": "2026-10-01", "summary": "初次接触", "next_step": "寄资料",
             "next_due_on": "2026-10-05"}  # fmt: skip
    assert client.post(url, data=newer).status_code == 302
    assert client.post(url, data=older).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "安排考察" in page and "寄资料" not in page


def test_a_merge_leaves_one_latest_follow_up_on_the_kept_project(app, client, people, login, make):
    keep = make.project(people["unit_a"], "华润置地智能制造产业园", "华润置地（深圳）有限公司")
    gone = make.project(people["unit_b"], "华润智能制造项目", "华润置地(深圳)")
    make.follow_up(keep, people["unit"], date(2026, 10, 1), next_step="寄资料",
                   next_due_on=date(2026, 10, 5))  # fmt: skip
    make.follow_up(gone, people["other_unit"], date(2026, 11, 1), next_step="安排考察",
                   next_due_on=date(2026, 11, 5))  # fmt: skip
    login(people["bureau"])
    data = {"a": keep.id, "b": gone.id, "keep": keep.id, "reason": "两镇重复报送"}
    assert client.post("/duplicates/merge", data=data).status_code == 302
    with app.app_context():
        assert _flags() == _expected()
        latest = db.session.scalars(select(FollowUp).where(FollowUp.is_latest)).all()
        assert [(f.project_id, f.next_step) for f in latest] == [(keep.id, "安排考察")]
    login(people["unit"])  # the kept project's unit no longer has 寄资料 due
    assert "寄资料" not in client.get("/").get_data(as_text=True)


def test_on_postgresql_the_due_list_reads_the_expression_its_index_keeps_statistics_of(
    app, people, make
):
    """The index `ix_follow_ups_latest_owner_due` serves the due list only if the query's
    expression is the indexed one: with sequential scans off, the plan must use it."""
    from sqlalchemy import func, text

    from app.auth.models import User
    from app.core import scoping
    from app.projects.queries import due_follow_ups

    project = make.project(people["unit_a"], "到期跟进项目", "投资方")
    make.follow_up(project, people["unit"], START, next_step="回访", next_due_on=START)
    with app.test_request_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite keeps the partial index, which it estimates well")
        user = db.session.scalars(select(User).where(User.username == "unita")).one()
        scoping.set_actor(db.session, user)
        stmt = due_follow_ups(user, START)
        assert db.session.scalar(select(func.count()).select_from(stmt.subquery())) == 1
        sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(db.session.scalars(text("EXPLAIN " + sql)))
        db.session.rollback()
    assert "ix_follow_ups_latest_owner_due" in plan, plan
