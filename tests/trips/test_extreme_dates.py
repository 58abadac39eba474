"""No trip figure or page breaks on an extreme date already stored (issue 19: a trip ending
9999-12-31 made adding the 90-day yield window overflow, and /trips/ answered 500)."""

from __future__ import annotations

from datetime import date

import pytest

from app.reports.figures.trips import days_after


@pytest.fixture
def extreme_trips(make, people, heads, add_trip):
    """Trips at both ends of the calendar, stored straight to the table (no form checks)."""
    leaders = [heads["party"], heads["a_party"]]
    last = add_trip(leaders, date(9999, 12, 25), days=7, status="planned")  # ends 9999-12-31
    first = add_trip(leaders, date(1, 1, 1), days=3)
    make.project(people["unit_a"], name="远期项目", trip_id=last.id, lead_on=date(9999, 12, 31))
    make.project(people["unit_a"], name="远古项目", trip_id=first.id, lead_on=date(1, 1, 1))
    return {"last": last, "first": first}


def _pages(trips) -> list[str]:
    pages = ["/trips/", "/trips/compliance", "/trips/yields", "/trips/?q=深圳"]
    for trip in trips.values():
        pages += [f"/trips/{trip.id}", f"/trips/{trip.id}/edit"]
    for year in (1, 2000, 2026, 2100, 9999):
        pages += [f"/trips/compliance?year={year}", f"/trips/yields?year={year}"]
    return pages


@pytest.mark.parametrize("role", ["bureau", "leader", "unit", "admin"])
def test_every_trip_page_answers_with_a_trip_at_the_end_of_the_calendar(
    client, login, people, extreme_trips, role
):
    login(people[role])
    for page in _pages(extreme_trips):
        response = client.get(page)
        assert response.status_code < 500, (page, response.status_code)
    assert client.get(f"/trips/{extreme_trips['last'].id}").status_code == 200


def test_the_list_shows_the_stored_trip_so_it_can_be_mended(client, login, people, extreme_trips):
    login(people["bureau"])
    page = client.get("/trips/").get_data(as_text=True)
    assert f"/trips/{extreme_trips['last'].id}" in page


def test_days_after_holds_at_the_ends_of_the_calendar():
    assert days_after(date(9999, 12, 31), 90) == date.max
    assert days_after(date(1, 1, 1), -1) == date.min
    assert days_after(date(2026, 1, 1), 90) == date(2026, 4, 1)
