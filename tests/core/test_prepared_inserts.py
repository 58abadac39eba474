"""What an import makes ahead of its write is what the write would have made under the lock:
the history snapshot joined from pieces (core.history.Snapshots) is the text `_dump` writes
for the whole row, and the driver's values (core.inserts.Insert) store what SQLAlchemy's own
insert of the same rows stores."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from app.auth.models import User
from app.core import history
from app.core.inserts import Insert
from app.extensions import db
from app.leaders.models import Leader

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.text(max_size=8),
    st.dates(),
    st.datetimes(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
)
USER_KEYS = [
    k for k in history._columns(User) if k not in history._skipped(User)
]  # password_hash redacted among them


@settings(max_examples=300)
@given(
    st.dictionaries(st.sampled_from(USER_KEYS), VALUES),
    st.dictionaries(st.sampled_from(USER_KEYS), VALUES),
)
def test_a_snapshot_joined_from_pieces_is_the_whole_rows_dump(early, late):
    row = {k: v for k, v in early.items() if k not in late}
    snapshots = history.Snapshots(User, [row], ["标签"], late)
    whole = history._dump(history._clean(User, {**row, **late}))
    assert snapshots.text(0, late) == whole


def test_a_redacted_late_field_is_redacted():
    snapshots = history.Snapshots(User, [{"username": "张三"}], ["张三"], ["password_hash", "id"])
    text = snapshots.text(0, {"id": 7, "password_hash": "secret"})
    assert "secret" not in text and history.REDACTED in text and '"id": 7' in text


def test_the_drivers_values_store_what_sqlalchemys_insert_stores(app):
    keys = ["name", "post", "is_baobao", "active", "version", "created_at", "updated_at"]
    at = datetime(2026, 4, 3, 8, 15, 30, 123456)
    rows = [
        {"name": "王五", "post": "区长", "is_baobao": True, "active": True, "version": 1,
         "created_at": at, "updated_at": at},
        {"name": "赵六", "post": "副区长", "is_baobao": False, "active": False, "version": 3,
         "created_at": datetime(2026, 12, 1), "updated_at": datetime(2026, 12, 2, 9)},
    ]  # fmt: skip
    table = Leader.__table__
    with app.app_context():
        statement = Insert(db.session.get_bind().dialect, table, keys)
        statement.run(db.session.connection(), statement.driver_values(rows))
        db.session.execute(insert(table), [{**row, "name": row["name"] + "二"} for row in rows])
        columns = [table.c[key] for key in keys]
        stored = db.session.execute(select(*columns).order_by(table.c.id)).all()
        raw = db.session.connection().exec_driver_sql(  # as the database holds them
            "SELECT is_baobao, created_at, updated_at FROM leaders ORDER BY id"
        )
        raw = [tuple(r) for r in raw]
        db.session.rollback()
    ours, theirs = [tuple(r) for r in stored[:2]], [tuple(r) for r in stored[2:]]
    assert ours == [tuple(row.get(key) for key in keys) for row in rows]
    assert [(name[:-1], *rest) for name, *rest in theirs] == ours
    assert raw[:2] == raw[2:]
