"""A dispatcher keeps the fleet: a depot, a van with its costs, a courier with a shift — checked and audited."""

import re
from datetime import time

import pytest

from app.errors import InvalidInput
from app.fleet import PAGE, couriers_page, depots_page, save_courier, save_depot, save_vehicle, vehicles_page
from tables.accounts import User
from tables.audit import AuditEntry
from tables.fleet import Courier, Depot, Vehicle
from tests.conftest import post_form
from tests.factories import SYSTEM, make_client

DEPOT = {"name": "Paris-Nord", "address": "12 Rue Jules Saulnier, 93200 Saint-Denis", "lat": "48.9186",
         "lon": "2.3536"}


async def test_a_depot_a_van_and_a_courier(make_user):
    depot = await save_depot(SYSTEM, DEPOT)
    van = await save_vehicle(SYSTEM, {"name": "Master 1", "vehicle_type": "van", "capacity_kg": "1200",
                                      "capacity_m3": "10,8", "cost_per_km": "0.32", "cost_per_hour": "24",
                                      "fixed_cost": "45", "depot": str(depot.id)})
    assert (van.capacity_m3, van.cost_per_km, van.cost_per_hour, van.fixed_cost) == (10.8, 32, 2400, 4500)
    person = await make_user("courier")
    courier = await save_courier(SYSTEM, {"user": str(person.id), "vehicle": str(van.id), "depot": str(depot.id),
                                          "shift_start": "07:30", "shift_end": "16:00"})
    assert courier.shift_start.hour == 7 and courier.is_active
    await save_vehicle(SYSTEM, {"name": "Master 1", "vehicle_type": "van", "is_active": ""}, van)
    assert not (await Vehicle.objects().first()).is_active
    assert await AuditEntry.count().where(AuditEntry.record_type.is_in(["depot", "vehicle", "courier"])) == 4


async def test_bad_fleet_fields_are_named(make_user):
    with pytest.raises(InvalidInput) as caught:
        await save_vehicle(SYSTEM, {"name": "", "vehicle_type": "rocket", "capacity_kg": "-1", "cost_per_km": "x"})
    assert set(caught.value.errors) == {"name", "vehicle_type", "capacity_kg", "cost_per_km"}
    dispatcher = await make_user("dispatcher")
    with pytest.raises(InvalidInput) as caught:
        await save_courier(SYSTEM, {"user": str(dispatcher.id), "shift_start": "18:00", "shift_end": "08:00"})
    assert set(caught.value.errors) == {"user", "shift_end"}
    assert await Courier.count() == 0


async def test_the_fleet_pages(client, signed_in, make_user):
    await signed_in("dispatcher")
    assert (await post_form(client, "/fleet/depots", DEPOT)).status_code == 302
    refused = await post_form(client, "/fleet/vehicles", {"name": "Kangoo", "vehicle_type": "van",
                                                          "capacity_kg": "lots"})
    assert refused.status_code == 422 and 'id="capacity_kg-error"' in refused.text
    assert (await post_form(client, "/fleet/vehicles", {"name": "Kangoo", "vehicle_type": "car"})).status_code == 302
    person = await make_user("courier", full_name="Yasmine Diallo")
    form = await client.get("/fleet/couriers/new")
    assert "Yasmine Diallo" in form.text
    added = await post_form(client, "/fleet/couriers", {"user": person.id, "shift_start": "08:00",
                                                        "shift_end": "18:00", "is_active": "1"})
    assert added.status_code == 302
    page = await client.get("/fleet")
    assert "Yasmine Diallo" in page.text and "Kangoo" in page.text and "Paris-Nord" in page.text
    assert (await client.get("/fleet/rockets/new")).status_code == 404


async def test_a_courier_may_work_for_a_subcontracted_carrier(client, signed_in, make_user):
    carrier = await make_client("Coursiers du Marais", is_client=False, is_carrier=True)
    shop = await make_client("Boulangerie Martin")
    await signed_in("dispatcher")
    person = await make_user("courier", full_name="Yasmine Diallo")
    form = await client.get("/fleet/couriers/new")
    assert "Coursiers du Marais" in form.text and "Boulangerie Martin" not in form.text
    refused = await post_form(client, "/fleet/couriers", {"user": person.id, "carrier": shop.id,
                                                          "shift_start": "08:00", "shift_end": "18:00"})
    assert refused.status_code == 422 and 'id="carrier-error"' in refused.text
    assert await Courier.count() == 0
    added = await post_form(client, "/fleet/couriers", {"user": person.id, "carrier": carrier.id,
                                                        "shift_start": "08:00", "shift_end": "18:00"})
    assert added.status_code == 302
    courier = await Courier.objects().first()
    assert courier.carrier == carrier.id
    assert "Coursiers du Marais" in (await client.get("/fleet")).text
    back_home = await post_form(client, f"/fleet/couriers/{courier.id}", {"carrier": "", "shift_start": "08:00",
                                                                         "shift_end": "18:00", "is_active": "1"})
    assert back_home.status_code == 302
    assert (await Courier.objects().first()).carrier is None
    assert "own staff" in (await client.get("/fleet")).text


async def many_of_each(n: int, first: int = 0) -> None:
    """n depots, vans and couriers in three bulk inserts (the lists' cost must not follow their length)."""
    await Depot.insert(*(Depot(name=f"Depot {i:03}", lat=48.9, lon=2.35) for i in range(first, first + n)))
    await Vehicle.insert(*(Vehicle(name=f"Van {i:03}") for i in range(first, first + n)))
    users = await User.insert(*(User(login=f"rider{i}", password_hash="-", full_name=f"Rider {i:03}", role="courier")
                                for i in range(first, first + n))).returning(User.id)
    await Courier.insert(*(Courier(user=user["id"], shift_start=time(8), shift_end=time(18)) for user in users))


async def test_each_fleet_list_walks_in_keyset_pages_without_losing_or_doubling_a_row():
    await many_of_each(3)
    await Depot.insert(Depot(name="Depot 001", lat=48.9, lon=2.35))  # same name: the id breaks the tie
    for page_of, key, total in ((depots_page, "name", 4), (vehicles_page, "name", 3), (couriers_page, "name", 3)):
        seen, after = [], None
        while True:
            page = await page_of(after, limit=2)
            seen += [(row[key], row["id"]) for row in page.rows]
            if page.after is None:
                break
            after = page.after
        assert seen == sorted(seen) and len(set(seen)) == len(seen) == total
    assert [row["name"] for row in (await depots_page("not-a-cursor", limit=2)).rows] == ["Depot 000", "Depot 001"]


async def test_the_fleet_page_costs_the_same_queries_for_one_or_many(client, signed_in, queries):
    await signed_in("dispatcher")
    await many_of_each(1)
    queries.count = 0
    assert (await client.get("/fleet")).status_code == 200
    few = queries.count
    await many_of_each(PAGE + 4, first=1)
    queries.count = 0
    page = await client.get("/fleet")
    assert queries.count == few
    assert "Rider 049" in page.text and "Rider 050" not in page.text and "Depot 050" not in page.text
    more = re.search(r'hx-get="(/fleet\?part=couriers&amp;after=[^"]+)"', page.text).group(1).replace("&amp;", "&")
    queries.count = 0
    rest = await client.get(more, headers={"HX-Request": "true"})
    assert queries.count <= few and rest.status_code == 200
    assert "Rider 050" in rest.text and "Rider 054" in rest.text and "Rider 049" not in rest.text
    assert "<html" not in rest.text and "Show more" not in rest.text and "Depot" not in rest.text
