"""A funds import with one row for an unsigned project is refused whole, naming that row."""

from __future__ import annotations

from datetime import date

from tests.funds.conftest import entries
from tests.imports.conftest import FUNDS_HEADERS, funds_row, row_errors, token_of, xlsx

UNSIGNED = "项目尚未签约，不能登记到位资金"


def test_an_import_of_a_thousand_rows_with_one_unsigned_project_is_refused_naming_that_row(
    app, client, people, login, make, upload
):
    make.project(people["unit_a"], "智能制造产业园", "华润置地（深圳）有限公司",
                 signed_on=date(2026, 1, 5), contract_investment=100_000_000)  # fmt: skip
    make.project(people["unit_a"], "洽谈中项目", "北山文旅集团有限公司",
                 negotiating_on=date(2026, 1, 5))  # fmt: skip
    rows = [FUNDS_HEADERS] + [funds_row(凭证号=f"YH-{n}") for n in range(1000)]
    rows[500] = funds_row(项目名称="洽谈中项目", 投资方="北山文旅集团有限公司", 凭证号="YH-X")
    login(people["unit"])
    page = upload("funds", xlsx(rows))
    errors = row_errors(page)
    assert len(errors) == 1
    number, column, reason = errors[0]
    assert column == "到位日期" and UNSIGNED in reason
    assert number == "501"
    assert token_of(page) is None or "/imports/errors/" in page
    assert entries(app) == []
