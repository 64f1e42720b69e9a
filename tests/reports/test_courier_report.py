"""The courier and carrier reports: what each courier did in a week, read by a dispatcher or the accountant."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from app.errors import InvalidInput
from app.reports.couriers import Period, carrier_report, courier_report, period_of
from app.reports.export import report_csv
from tests.factories import make_courier
from tests.reports.world import MONDAY, an_order, cash, make_carrier, paris, proof, rating, route

WEEK = Period(MONDAY, MONDAY + timedelta(days=6), "Europe/Paris")
TUESDAY = MONDAY + timedelta(days=1)


async def karims_week(make_user, name: str = "Karim Haddad", carrier=None):
    """Tuesday: two deliveries (one on time, one late), a failed attempt, 30 € cash on delivery of which 25 € came
    back, a 21.5 km route worked from 9:00 to 12:30, and two ratings."""
    courier = await make_courier(make_user, name=name, carrier=carrier.id if carrier else None)
    user_id = courier.user
    on_time = await an_order(window_end=paris(TUESDAY, 11), cod=3000)
    late = await an_order(window_end=paris(TUESDAY, 10))
    missed = await an_order(window_end=paris(TUESDAY, 12))
    await proof(user_id, on_time, paris(TUESDAY, 9, 30))
    await proof(user_id, late, paris(TUESDAY, 10, 45))
    await proof(user_id, missed, paris(TUESDAY, 11, 30), outcome="failed")
    await cash(user_id, on_time, 2500, paris(TUESDAY, 9, 31))
    await route(courier, TUESDAY, 21.5, [(on_time, paris(TUESDAY, 9), paris(TUESDAY, 9, 35)),
                                         (late, paris(TUESDAY, 10, 40), paris(TUESDAY, 10, 50)),
                                         (missed, paris(TUESDAY, 11, 25), paris(TUESDAY, 12, 30))])
    await rating(user_id, on_time, 5, "Lovely, and early", paris(TUESDAY, 18))
    await rating(user_id, late, 2, "", paris(TUESDAY, 19))
    return courier


async def test_a_couriers_week_adds_up_stops_punctuality_distance_hours_cash_and_ratings(make_user):
    await karims_week(make_user)
    [line] = await courier_report(WEEK)
    assert line.name == "Karim Haddad"
    assert (line.delivered, line.failed, line.on_time, line.with_window) == (2, 1, 1, 2)
    assert line.on_time_percent == 50.0
    assert line.km == 21.5 and line.hours == 3.5
    assert line.cash == {"EUR": {"expected": 3000, "collected": 2500}}
    assert (line.ratings, line.average_rating) == (2, 3.5)
    assert [comment["comment"] for comment in line.comments] == ["Lovely, and early"]  # empty comments are not news


async def test_the_report_costs_the_same_queries_for_one_courier_or_many(make_user, queries):
    await karims_week(make_user)
    queries.count = 0
    await courier_report(WEEK)
    alone = queries.count
    for name in ("Inès Morel", "Paul Girard", "Zoé Lambert"):
        await karims_week(make_user, name=name)
    queries.count = 0
    lines = await courier_report(WEEK)
    assert len(lines) == 4 and queries.count == alone <= 7


async def test_the_period_is_whole_days_in_the_readers_time_zone(make_user):
    courier = await make_courier(make_user)
    sunday_night = await an_order()
    monday_after_midnight = await an_order()
    await proof(courier.user, sunday_night, paris(MONDAY + timedelta(days=6), 23, 50))  # last day, still in
    await proof(courier.user, monday_after_midnight, paris(MONDAY + timedelta(days=7), 0, 10))  # the next week
    [line] = await courier_report(WEEK)
    assert line.delivered == 1
    [line_in_utc] = await courier_report(Period(WEEK.first, WEEK.last, "UTC"))  # 00:10 Paris is 23:10 UTC Sunday
    assert line_in_utc.delivered == 2


async def test_only_the_latest_three_comments_are_shown_newest_first(make_user):
    courier = await make_courier(make_user)
    for day in range(5):
        order = await an_order()
        await proof(courier.user, order, paris(MONDAY + timedelta(days=day), 10))
        await rating(courier.user, order, 4, f"Comment of day {day + 1}", paris(MONDAY + timedelta(days=day), 12))
    [line] = await courier_report(WEEK)
    assert [c["comment"] for c in line.comments] == ["Comment of day 5", "Comment of day 4", "Comment of day 3"]
    assert line.ratings == 5


async def test_the_carrier_report_puts_own_staff_first_and_adds_up_each_carriers_couriers(make_user):
    express = await make_carrier("Express Coursiers")
    await karims_week(make_user, name="Karim Haddad")
    await karims_week(make_user, name="Inès Morel", carrier=express)
    await karims_week(make_user, name="Paul Girard", carrier=express)
    own, carrier = await carrier_report(WEEK)
    assert (own.name, own.key, own.delivered, own.ratings) == ("Own staff", None, 2, 2)
    assert (carrier.name, carrier.key) == ("Express Coursiers", express.id)
    assert (carrier.delivered, carrier.failed, carrier.on_time_percent, carrier.km) == (4, 2, 50.0, 43.0)
    assert carrier.cash == {"EUR": {"expected": 6000, "collected": 5000}}
    assert (carrier.ratings, carrier.average_rating, len(carrier.comments)) == (4, 3.5, 2)


async def test_a_courier_with_nothing_in_the_period_is_left_out(make_user):
    await make_courier(make_user, name="Idle Ivan")
    assert await courier_report(WEEK) == []


def test_a_period_defaults_to_the_month_so_far_and_a_wrong_one_names_the_field():
    today = date(2026, 11, 25)
    assert period_of("", "", "Europe/Paris", today=today) == Period(date(2026, 11, 1), today, "Europe/Paris")
    with pytest.raises(InvalidInput) as backwards:
        period_of("2026-11-20", "2026-11-10", "Europe/Paris", today=today)
    assert set(backwards.value.errors) == {"last"}
    with pytest.raises(InvalidInput) as garbage:
        period_of("soon", "", "Europe/Paris", today=today)
    assert set(garbage.value.errors) == {"first"}


async def test_the_csv_has_one_row_per_courier_with_money_in_euros(make_user):
    await karims_week(make_user)
    text = report_csv(await courier_report(WEEK), WEEK, "Courier").decode("utf-8-sig")
    header, row = csv.reader(io.StringIO(text))
    values = dict(zip(header, row))
    assert values["Courier"] == "Karim Haddad" and values["From"] == "2026-03-02" and values["To"] == "2026-03-08"
    assert (values["Stops delivered"], values["Failed attempts"], values["On time (%)"]) == ("2", "1", "50.0")
    assert (values["Cash expected (EUR)"], values["Cash collected (EUR)"]) == ("30.00", "25.00")
    assert values["Average rating"] == "3.50" and "Lovely, and early" in values["Latest comments"]
