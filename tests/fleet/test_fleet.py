"""A dispatcher keeps the fleet: a depot, a van with its costs, a courier with a shift — checked and audited."""

import pytest

from app.errors import InvalidInput
from app.fleet import save_courier, save_depot, save_vehicle
from tables.audit import AuditEntry
from tables.fleet import Courier, Vehicle
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
