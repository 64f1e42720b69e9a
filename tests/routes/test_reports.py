"""Reports as people use them: a client rates a delivery, and the dispatcher, the administrator and the
accountant see it in the courier's and the carrier's lines; a courier sees no report at all."""

from __future__ import annotations

import csv
import io

from tables.fleet import Courier
from tests.conftest import post_form
from tests.reports.world import make_carrier
from tests.tracking.conftest import delivery  # noqa: F401 - the tracking pages' small delivery world


async def a_rated_delivery(client, delivery, stars: int, comment: str):  # noqa: F811
    """A client opens the tracking link after delivery and rates it; returns the courier's user id."""
    _buyer, order, _route, _others = await delivery(stops_before=0, status="delivered", locale="en")
    rated = await post_form(client, f"/t/{order.tracking_token}/rating", {"stars": str(stars), "comment": comment})
    assert rated.status_code == 302
    return order.courier_user_id


async def test_a_client_rates_a_delivery_and_the_dispatcher_sees_it_on_the_couriers_line(
        client, delivery, signed_in):  # noqa: F811
    await a_rated_delivery(client, delivery, 4, "Friendly and on time")
    await signed_in("dispatcher")
    report = await client.get("/reports")
    assert report.status_code == 200
    line = report.text.split("Karim Benali", 1)[1].split("</tr>", 1)[0]
    assert "4.0 / 5" in line and "1 rating" in line and "Friendly and on time" in line
    assert 'href="/reports"' in report.text  # the navigation leads here
    assert "Download as CSV" in report.text


async def test_the_carrier_report_shows_the_carriers_couriers_ratings(client, delivery, signed_in):  # noqa: F811
    courier_user_id = await a_rated_delivery(client, delivery, 2, "Parcel left in the rain")
    carrier = await make_carrier("Express Coursiers")
    await Courier.update({Courier.carrier: carrier.id}).where(Courier.user == courier_user_id)
    await signed_in("admin")
    report = await client.get("/reports/carriers")
    assert report.status_code == 200
    line = report.text.split("Express Coursiers", 1)[1].split("</tr>", 1)[0]
    assert "2.0 / 5" in line and "Parcel left in the rain" in line


async def test_the_accountant_downloads_the_courier_report_as_csv(client, delivery, signed_in):  # noqa: F811
    await a_rated_delivery(client, delivery, 5, "Perfect")
    await signed_in("accountant")
    response = await client.get("/reports/couriers.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    [header, row] = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    values = dict(zip(header, row))
    assert (values["Courier"], values["Average rating"], values["Ratings"]) == ("Karim Benali", "5.00", "1")
    assert "Perfect" in values["Latest comments"]


async def test_a_period_that_ends_before_it_starts_is_refused_on_the_form(client, signed_in):
    await signed_in("dispatcher")
    response = await client.get("/reports", params={"first": "2026-11-20", "last": "2026-11-10"})
    assert response.status_code == 422
    assert "The period ends before it starts." in response.text and 'aria-invalid="true"' in response.text


async def test_a_courier_has_no_reports_in_the_navigation_and_is_turned_away(client, signed_in):
    await signed_in("courier")
    home = await client.get("/courier")
    assert 'href="/reports"' not in home.text
    assert (await client.get("/reports")).status_code == 403


async def test_a_manager_who_leads_a_team_reads_the_reports_and_one_who_does_not_is_turned_away(
        client, delivery, signed_in, make_user):  # noqa: F811
    await a_rated_delivery(client, delivery, 3, "Fine")
    lead = await signed_in("manager")
    assert 'href="/reports"' not in (await client.get("/crm")).text
    assert (await client.get("/reports")).status_code == 403
    await make_user("manager", supervisor_id=lead.id)  # the lead now has a team
    assert 'href="/reports"' in (await client.get("/crm")).text
    report = await client.get("/reports")
    assert report.status_code == 200 and "3.0 / 5" in report.text
