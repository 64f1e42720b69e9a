"""`make run` on an empty database seeds a realistic demo company; every role has a day to look at."""

from __future__ import annotations

from app.demo import DEMO_PASSWORD, seed_demo
from datetime import timedelta

from app.dispatch.day import company_today, day_bounds
from tables.accounts import User
from tables.counterparties import Counterparty
from tables.fleet import Courier, Depot, Vehicle
from tables.orders import Order
from tables.routes import Route
from tables.sync import CashEntry, DeliveryProof
from tables.tracking import DeliveryRating
from tests.conftest import log_in


async def test_the_demo_company_has_the_promised_people_fleet_clients_and_orders():
    result = await seed_demo()
    assert result["password"] == DEMO_PASSWORD
    roles = {row["role"]: row["n"] for row in await User.raw(
        "SELECT role, COUNT(*) AS n FROM app_user GROUP BY role")}
    assert roles == {"admin": 1, "dispatcher": 2, "manager": 3, "accountant": 1, "courier": 8}
    assert await Depot.count() == 1 and await Vehicle.count() == 8 and await Courier.count() == 8
    assert await Counterparty.count() == 60
    assert await Counterparty.count().where(Counterparty.kind == "person") == 20
    today = company_today()
    assert await Order.count().where(Order.deliver_from >= day_bounds(today)[0]) == 250  # today and tomorrow
    assert await Route.count().where(Route.day == today) == 8
    places = await Order.select(Order.dropoff.lat, Order.dropoff.lon)
    assert all(48.80 < row["dropoff.lat"] < 48.92 and 2.22 < row["dropoff.lon"] < 2.42 for row in places)


async def test_seeding_twice_changes_nothing():
    await seed_demo()
    orders = await Order.count()
    assert await seed_demo() == {}
    assert await Order.count() == orders


async def test_the_last_working_days_are_delivered_with_proofs_cash_and_ratings_for_the_reports(client):
    await seed_demo()
    past = await Order.select(Order.status).where(Order.deliver_from < day_bounds(company_today())[0])
    assert len(past) == 150 and {row["status"] for row in past} == {"delivered"}
    delivered = await Order.count().where(Order.status == "delivered")
    assert await DeliveryProof.count() == delivered  # every delivery as a phone records it
    assert await CashEntry.count() > 0 and await DeliveryRating.count() > 20
    await log_in(client, "dispatcher1", DEMO_PASSWORD)
    first = (company_today() - timedelta(days=10)).isoformat()
    report = (await client.get(f"/reports?first={first}&last={company_today().isoformat()}")).text
    assert " / 5" in report and "Karim Haddad" in report


async def test_a_demo_courier_sees_today_s_route(client):
    await seed_demo()
    await log_in(client, "courier1", DEMO_PASSWORD)
    page = await client.get("/courier")
    assert page.status_code == 200
    assert page.text.count('class="stop ') >= 10
    assert "geo:" in page.text


async def test_the_board_lists_a_page_of_the_day_with_a_constant_number_of_queries(client, queries):
    await seed_demo()
    await log_in(client, "dispatcher1", DEMO_PASSWORD)
    queries.count = 0
    page = await client.get("/board")
    assert page.text.count("WB-") >= 100
    # a handful per panel, never one per order (tests/routes/test_board.py checks few vs many orders)
    assert queries.count <= 15, queries.statements
