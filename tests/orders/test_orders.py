"""A dispatcher takes orders: validated, priced from the client's price list, audited, with a timeline."""

import json
from datetime import timedelta

import pytest

from app.audit import Actor
from app.errors import Conflict, InvalidInput
from app.orders.orders import (
    cancel_order,
    change_status,
    reopen_order,
    reprice_from_places,
    road_km,
    set_price_by_hand,
    update_order,
)
from app.orders.status import ASSIGNED, CANCELLED, DELIVERED, NEW, By
from app.orders.timeline import order_detail
from app.pricing.lists import add_rule, attach_to_client, create_price_list
from tables.audit import AuditEntry
from tables.orders import Order, OrderEvent, Place
from tests.factories import (
    SYSTEM,
    committed,
    make_client,
    make_company_price_list,
    make_order,
    order_fields,
    today_at,
)


async def test_a_new_order_is_priced_from_the_company_list_when_the_client_has_none():
    await make_company_price_list(base=690, per_km=80)
    client = await make_client()
    order = await make_order(client.id)
    assert order.status == NEW and order.reference.startswith("WB-")
    assert order.distance_km > 3  # Montorgueil → Rue Cler
    assert order.price == 690 + round(80 * order.distance_km)
    assert [line["kind"] for line in order.price_breakdown] == ["base", "distance"]
    dropoff = await Place.objects().where(Place.id == order.dropoff).first()
    assert dropoff.contact_phone == "+33612345678" and dropoff.zone == "75007"
    pickup = await Place.objects().where(Place.id == order.pickup).first()
    assert pickup.address.startswith("12 Rue Montorgueil")  # the client's own address by default


async def test_the_clients_own_price_list_wins_over_the_company_list():
    await make_company_price_list()
    vip = await create_price_list(SYSTEM, "VIP flat", "EUR")
    await add_rule(SYSTEM, vip, {"kind": "base", "amount": 500})
    client = await make_client()
    await attach_to_client(SYSTEM, client.id, vip.id)
    assert (await make_order(client.id)).price == 500


async def test_bad_fields_are_all_named_and_nothing_is_written():
    client = await make_client()
    with pytest.raises(InvalidInput) as caught:
        await make_order(client.id, dropoff_contact_phone="12", weight_kg="heavy", contact_email="nope",
                         deliver_to=today_at(9), dropoff_lat="", dropoff_lon="")
    assert set(caught.value.errors) == {"dropoff_contact_phone", "weight_kg", "contact_email", "deliver_to",
                                        "dropoff_lat"}
    assert await Order.count() == 0 and await Place.count() == 0


async def test_an_edit_recomputes_the_price_unless_it_was_set_by_hand():
    await make_company_price_list(base=690, per_km=0, minimum=800)
    client = await make_client()
    order = await make_order(client.id)
    assert order.price == 800
    dispatcher = Actor(user_id=None, role="dispatcher")
    await committed(update_order)(dispatcher, order, order_fields(client.id, cod_amount="45.00"), "Europe/Paris")
    assert order.cod_amount == 4500 and order.price == 690 + 150
    await committed(set_price_by_hand)(dispatcher, order, 2000, "loyal client")
    await committed(update_order)(dispatcher, order, order_fields(client.id, cod_amount="0"), "Europe/Paris")
    assert order.price == 2000 and order.price_set_by_hand
    await committed(set_price_by_hand)(dispatcher, order, None)
    assert order.price == 800 and not order.price_set_by_hand  # minimum charge again
    kinds = await OrderEvent.select(OrderEvent.kind).where(OrderEvent.order == order.id).output(as_list=True)
    assert kinds == ["status", "edit", "price", "edit", "price"]
    assert await AuditEntry.exists().where(AuditEntry.summary.like("%set by hand: loyal client"))


async def test_every_transition_is_on_the_timeline_and_the_machine_refuses_bad_steps():
    client = await make_client()
    order = await make_order(client.id)
    await committed(change_status)(SYSTEM, order, ASSIGNED, By.DISPATCH)
    with pytest.raises(Conflict):
        await committed(change_status)(SYSTEM, order, DELIVERED, By.DISPATCH)  # only a courier delivers
    await committed(change_status)(SYSTEM, order, DELIVERED, By.COURIER, lat=48.85, lon=2.30)
    with pytest.raises(Conflict, match="already delivered"):
        await committed(cancel_order)(SYSTEM, order)
    with pytest.raises(InvalidInput):
        await committed(reopen_order)(SYSTEM, order, NEW, reason=" ")
    await committed(reopen_order)(SYSTEM, order, NEW, reason="client says nothing arrived")
    await committed(cancel_order)(SYSTEM, order, "client cancelled")
    detail = await order_detail(order.id)
    assert [(event["kind"], event["status"]) for event in detail["events"]] == [
        ("status", NEW), ("status", ASSIGNED), ("status", DELIVERED), ("reopen", NEW), ("status", CANCELLED)]
    assert detail["events"][2]["lat"] == 48.85


async def test_a_cancelled_order_cannot_be_edited():
    client = await make_client()
    order = await make_order(client.id)
    await committed(cancel_order)(SYSTEM, order)
    with pytest.raises(Conflict):
        await committed(update_order)(SYSTEM, order, order_fields(client.id, deliver_from=today_at(15)), "Europe/Paris")


async def test_the_external_reference_is_unique():
    client = await make_client()
    await make_order(client.id, external_ref="SHOP-1")
    with pytest.raises(InvalidInput) as caught:
        await make_order(client.id, external_ref="SHOP-1", deliver_from=today_at(10) + timedelta(days=1))
    assert "external_ref" in caught.value.errors


async def test_a_delivery_recorded_meanwhile_beats_a_cancel_decided_on_an_old_copy_of_the_order():
    client = await make_client()
    order = await make_order(client.id)
    await committed(change_status)(SYSTEM, order, ASSIGNED, By.DISPATCH)
    dispatcher_copy = await Order.objects().where(Order.id == order.id).first()  # the board shows "assigned"
    await committed(change_status)(SYSTEM, order, DELIVERED, By.COURIER)  # the phone syncs the delivery
    with pytest.raises(Conflict, match="already delivered"):
        await committed(cancel_order)(SYSTEM, dispatcher_copy)
    assert (await Order.objects().where(Order.id == order.id).first()).status == DELIVERED


async def move_dropoff(order, address: str, lat: float, lon: float) -> None:
    """The drop-off changes outside the order form (as an accepted courier's fix does)."""
    await Place.update({Place.address: address, Place.lat: lat, Place.lon: lon}).where(Place.id == order.dropoff)


async def test_a_moved_dropoff_re_prices_the_order_from_its_stored_places():
    tariff = await make_company_price_list(base=690, per_km=80, minimum=900)
    await add_rule(SYSTEM, tariff, {"kind": "zone", "zone": "75011", "amount": 300})
    client = await make_client()
    order = await make_order(client.id)  # Montorgueil → Rue Cler, 75007: no zone surcharge
    before = (order.distance_km, order.price)
    await move_dropoff(order, "12 Rue Juste, 75011 Paris", 48.8600, 2.3800)
    dispatcher = Actor(user_id=None, role="dispatcher")
    changes = await committed(reprice_from_places)(dispatcher, order)
    order = await Order.objects().where(Order.id == order.id).first()
    dropoff = await Place.objects().where(Place.id == order.dropoff).first()
    assert dropoff.zone == "75011" and changes["dropoff_zone"] == ["75007", "75011"]
    assert order.distance_km == road_km(48.8652, 2.3470, 48.8600, 2.3800) != before[0]
    assert order.price == 690 + round(80 * order.distance_km) + 300 != before[1]
    assert [line["kind"] for line in json.loads(order.price_breakdown)] == ["base", "distance", "zone"]
    assert {"distance_km", "price", "price_breakdown"} <= set(changes)
    assert await AuditEntry.exists().where(AuditEntry.summary.like("%re-priced from its places"))
    assert await committed(reprice_from_places)(dispatcher, order) == {}  # nothing moved: nothing written


async def test_re_pricing_from_places_keeps_a_price_set_by_hand_and_refuses_an_ended_order():
    await make_company_price_list(base=690, per_km=80, minimum=900)
    client = await make_client()
    order = await make_order(client.id)
    dispatcher = Actor(user_id=None, role="dispatcher")
    await committed(set_price_by_hand)(dispatcher, order, 2500, "flat rate agreed")
    await move_dropoff(order, "1 Rue Lepic, 75018 Paris", 48.8860, 2.3340)
    changes = await committed(reprice_from_places)(dispatcher, order)
    assert "price" not in changes and order.price == 2500 and order.price_set_by_hand
    assert order.distance_km == road_km(48.8652, 2.3470, 48.8860, 2.3340)
    await committed(cancel_order)(SYSTEM, order)
    await move_dropoff(order, "5 Rue Oberkampf, 75011 Paris", 48.8655, 2.3780)
    with pytest.raises(Conflict):
        await committed(reprice_from_places)(dispatcher, order)
    assert (await Order.select(Order.distance_km).where(Order.id == order.id).first())["distance_km"] == \
        road_km(48.8652, 2.3470, 48.8860, 2.3340)
