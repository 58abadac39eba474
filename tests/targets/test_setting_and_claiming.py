"""Setting targets (the grid and the sheet), claiming them, and what a unit user may see."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from app.core.history import HistoryEntry
from app.extensions import db
from app.targets.models import Target


def _target(app, unit, year=2026) -> Target | None:
    with app.app_context():
        target = db.session.execute(
            select(Target).where(Target.unit_id == unit.id, Target.year == year)
        ).scalar_one_or_none()
        if target is not None:
            db.session.expunge(target)
        return target


def _grid_form(client, year: int) -> dict:
    """The grid's inputs as the page renders them (names and values)."""
    import lxml.html

    page = client.get(f"/targets/set?year={year}").get_data(as_text=True)
    doc = lxml.html.fromstring(page)
    form = doc.xpath('//table[@data-testid="target-grid"]/ancestor::form')[0]
    return {i.get("name"): i.get("value") or "" for i in form.xpath(".//input[@name]")}


def test_the_bureau_sets_targets_on_one_table_and_amounts_are_whole_yuan(
    app, client, people, login
):
    login(people["bureau"])
    data = _grid_form(client, 2026)
    a, b = people["unit_a"].id, people["unit_b"].id
    data.update({f"t-{a}-signed_count": "6", f"t-{a}-funds_total": "12,345.67",
                 f"t-{b}-funds_out_of_province": "800.5"})  # fmt: skip
    response = client.post("/targets/set?year=2026", data=data)
    assert response.status_code == 302
    target = _target(app, people["unit_a"])
    assert target.signed_count == 6 and target.funds_total == 123_456_700
    assert target.signed_investment is None and target.set_by_id == people["bureau"].id
    assert _target(app, people["unit_b"]).funds_out_of_province == 8_005_000
    page = client.get("/targets/set?year=2026").get_data(as_text=True)
    assert 'value="12345.67"' in page and "尚未认领" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [("-5", "目标不能为负数"), ("五个", "不是整数"), ("2.5", "不是整数")],
)
def test_a_bad_count_is_refused_beside_its_cell_and_nothing_is_saved(
    app, client, people, login, typed, message
):
    login(people["bureau"])
    data = _grid_form(client, 2026)
    a, b = people["unit_a"].id, people["unit_b"].id
    data.update({f"t-{a}-signed_count": typed, f"t-{b}-signed_count": "3"})
    response = client.post("/targets/set?year=2026", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert f'name="t-{a}-signed_count" id="t-{a}-signed_count" value="{typed}"' in page
    assert f'is-invalid" name="t-{a}-signed_count"' in page
    assert _target(app, people["unit_a"]) is None and _target(app, people["unit_b"]) is None


@pytest.mark.parametrize(("typed", "message"), [("-100", "不能为负数"), ("abc", "不是数字")])
def test_a_bad_amount_is_refused_with_a_chinese_message(client, people, login, typed, message):
    login(people["bureau"])
    data = _grid_form(client, 2026)
    data[f"t-{people['unit_a'].id}-funds_total"] = typed
    page = client.post("/targets/set?year=2026", data=data).get_data(as_text=True)
    assert message in page and "未保存任何内容" in page


def test_a_unit_user_cannot_set_or_import_targets(client, people, login):
    login(people["unit"])
    assert client.get("/targets/set").status_code == 403
    assert client.post("/targets/set", data={"year": "2026"}).status_code == 403
    assert client.post("/targets/import", data={"year": "2026"}).status_code == 403
    assert client.get("/targets/template").status_code == 403


def test_claiming_twice_is_still_one_claim(app, client, people, login, add_target):
    target = add_target(people["unit_a"], 2026, signed_count=5)
    login(people["unit"])
    page = client.get("/targets/mine").get_data(as_text=True)
    assert "认领" in page and f"/targets/{target.id}/claim" in page
    assert client.post(f"/targets/{target.id}/claim").status_code == 302
    first = _target(app, people["unit_a"])
    assert first.claimed_by_id == people["unit"].id and first.claimed_at is not None
    response = client.post(f"/targets/{target.id}/claim", follow_redirects=True)
    assert "此前已认领" in response.get_data(as_text=True)
    second = _target(app, people["unit_a"])
    assert (second.claimed_at, second.claimed_by_id) == (first.claimed_at, first.claimed_by_id)
    with app.app_context():
        claims = db.session.execute(
            select(HistoryEntry).where(
                HistoryEntry.table_name == "targets", HistoryEntry.action == "update"
            )
        ).scalars()
        assert [e.reason for e in claims] == ["认领2026年目标任务"]


def test_a_unit_cannot_claim_another_units_target(app, client, people, login, add_target):
    target = add_target(people["unit_b"], 2026, signed_count=5)
    login(people["unit"])
    assert client.post(f"/targets/{target.id}/claim").status_code == 404
    assert _target(app, people["unit_b"]).claimed_at is None


def test_the_bureau_sees_who_has_not_claimed_and_a_changed_target_needs_a_new_claim(
    app, client, people, login, add_target
):
    add_target(people["unit_a"], 2026, signed_count=5)
    add_target(people["unit_b"], 2026, signed_count=4)
    target = _target(app, people["unit_a"])
    login(people["unit"])
    client.post(f"/targets/{target.id}/claim")
    client.post("/logout")
    login(people["bureau"])
    page = client.get("/targets/set?year=2026").get_data(as_text=True)
    summary = page.split('data-testid="claim-summary"')[1].split("</div>")[0]
    assert "2 个单位已下达目标，1 个已认领" in summary and "北山镇" in summary
    assert "城关街道" not in summary
    data = _grid_form(client, 2026)
    data[f"t-{people['unit_a'].id}-signed_count"] = "7"
    client.post("/targets/set?year=2026", data=data)
    changed = _target(app, people["unit_a"])
    assert changed.signed_count == 7 and changed.claimed_at is None


def test_a_stale_grid_does_not_overwrite_a_newer_change(app, client, people, login, add_target):
    add_target(people["unit_a"], 2026, signed_count=5)
    login(people["bureau"])
    data = _grid_form(client, 2026)
    with app.app_context():
        target = db.session.execute(select(Target)).scalar_one()
        target.signed_count = 9
        db.session.commit()
    data[f"t-{people['unit_a'].id}-signed_count"] = "6"
    page = client.post("/targets/set?year=2026", data=data).get_data(as_text=True)
    assert "已被他人修改" in page
    assert _target(app, people["unit_a"]).signed_count == 9


def _upload(client, text: str, year: str = "2026", name: str = "目标.csv"):
    data = {"year": year, "file": (io.BytesIO(text.encode("utf-8")), name)}
    return client.post("/targets/import", data=data, content_type="multipart/form-data")


def test_targets_import_from_a_sheet_with_a_title_row(app, client, people, login):
    login(people["bureau"])
    sheet = (
        "2026年各单位目标任务,,\n"
        "责任单位,签约项目（个）,到位资金（万元）\n"
        "城关街道,6,30000\n"
        "北山镇,4,\n"
        "合计,10,30000\n"
    )
    response = _upload(client, sheet)
    assert response.status_code == 302
    assert _target(app, people["unit_a"]).funds_total == 300_000_000
    b = _target(app, people["unit_b"])
    assert b.signed_count == 4 and b.funds_total is None


def test_a_bad_sheet_is_refused_whole_with_every_row_and_column(app, client, people, login):
    login(people["bureau"])
    sheet = (
        "责任单位,签约项目（个）,到位资金（万元）\n"
        "城关街道,6,30000\n"
        "不存在的镇,3,100\n"
        "北山镇,-2,abc\n"
        "城关街道,1,1\n"
    )
    page = _upload(client, sheet).get_data(as_text=True)
    assert "未导入任何内容" in page
    for text in ("单位“不存在的镇”不存在", "目标不能为负数", "“abc”不是数字", "在第 2 行已出现"):
        assert text in page
    assert "<td>4</td><td>签约项目（个）</td>" in page
    assert _target(app, people["unit_a"]) is None


def test_a_unit_user_sees_only_its_own_row_and_rank(
    client, people, login, add_target, signed, add_funds, make
):
    for unit, got in ((people["unit_a"], "100"), (people["unit_b"], "900")):
        add_target(unit, 2025, funds_total="1000")
        add_funds(signed(unit, date(2025, 1, 2)), got, date(2025, 2, 2))
    login(people["unit"])
    page = client.get("/targets/?year=2025&month=12").get_data(as_text=True)
    assert "城关街道" in page and "北山镇" not in page and "全区合计" not in page
    assert "第 2 名" in page and "共 2 个单位参与排名" in page
    export = client.get("/exports/targets?year=2025&month=12")
    assert export.status_code == 200
    other = client.get(f"/targets/records?unit_id={people['unit_b'].id}&year=2025&key=signed")
    assert other.status_code == 404


def test_the_downloaded_template_imports_back_unchanged(app, client, people, login, add_target):
    add_target(people["unit_a"], 2026, signed_count=5, funds_total="1234.56")
    login(people["bureau"])
    sheet = client.get("/targets/template?year=2026")
    assert sheet.status_code == 200
    data = {"year": "2026", "file": (io.BytesIO(sheet.data), "模板.xlsx")}
    response = client.post("/targets/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    target = _target(app, people["unit_a"])
    assert (target.signed_count, target.funds_total) == (5, 12_345_600)
    assert _target(app, people["unit_b"]) is None  # an empty row sets nothing


def test_a_per_origin_target_above_the_total_is_refused_beside_it_and_kept(
    app, client, people, login
):
    login(people["bureau"])
    a = people["unit_a"].id
    data = _grid_form(client, 2026)
    data.update({f"t-{a}-funds_total": "1000", f"t-{a}-funds_out_of_province": "1200"})
    page = client.post("/targets/set?year=2026", data=data).get_data(as_text=True)
    assert "国内省外到位资金目标不能大于到位资金总目标（1,000.00 万元）" in page
    cell = f"t-{a}-funds_out_of_province"
    assert f'name="{cell}" id="{cell}" value="1200"' in page
    with app.app_context():
        assert db.session.scalars(select(Target)).all() == []


def test_per_origin_targets_that_do_not_add_up_are_noted_beside_the_row(
    client, people, login
):
    login(people["bureau"])
    a = people["unit_a"].id
    data = _grid_form(client, 2026)
    data.update({f"t-{a}-funds_total": "1000", f"t-{a}-funds_out_of_province": "600",
                 f"t-{a}-funds_out_of_city": "300", f"t-{a}-funds_out_of_district": "0",
                 f"t-{a}-funds_foreign": "0"})  # fmt: skip
    assert client.post("/targets/set?year=2026", data=data).status_code == 302
    page = client.get("/targets/set?year=2026").get_data(as_text=True)
    assert "分来源目标合计 900.00 万元，与到位资金总目标 1,000.00 万元不一致" in page
    assert f'data-testid="origin-note-{a}"' in page


def test_a_partial_set_of_per_origin_targets_is_not_a_disagreement(client, people, login):
    # Two of the four origins set (600 + 300 of 1000): the others are simply not given yet.
    login(people["bureau"])
    a, b = people["unit_a"].id, people["unit_b"].id
    data = _grid_form(client, 2026)
    data.update({f"t-{a}-funds_total": "1000", f"t-{a}-funds_out_of_province": "600",
                 f"t-{a}-funds_out_of_city": "300",
                 f"t-{b}-funds_total": "500", f"t-{b}-funds_out_of_province": "200",
                 f"t-{b}-funds_out_of_city": "100", f"t-{b}-funds_out_of_district": "100",
                 f"t-{b}-funds_foreign": "100"})  # fmt: skip
    assert client.post("/targets/set?year=2026", data=data).status_code == 302
    page = client.get("/targets/set?year=2026").get_data(as_text=True)
    assert f'data-testid="origin-note-{a}"' not in page and "不一致" not in page


def test_an_imported_per_origin_target_above_the_total_is_refused_naming_row_and_column(
    app, client, people, login
):
    login(people["bureau"])
    sheet = (
        "责任单位,到位资金（万元）,国内省外到位资金（万元）\n"
        "城关街道,1000,800\n"
        "北山镇,500,900\n"
    )
    page = _upload(client, sheet).get_data(as_text=True)
    assert "<td>3</td>" in page.replace(" ", "") or ">3<" in page
    assert "国内省外到位资金目标不能大于到位资金总目标（500.00 万元）" in page
    assert _target(app, people["unit_a"]) is None  # all or nothing
