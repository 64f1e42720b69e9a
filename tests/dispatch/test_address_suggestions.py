"""A courier suggests a better drop-off address from the phone; the dispatcher accepts it (the place changes,
audited, and the phone hears of it) or declines it (nothing changes)."""

from __future__ import annotations

import pytest

from app.audit import Actor
from app.db import writing
from app.dispatch.address_suggestions import accept_suggestion, decline_suggestion, pending_suggestions
from app.errors import Conflict, NotFound
from app.orders.orders import road_km, set_price_by_hand
from app.sync.fixtures import build_day
from app.sync.pull import pull
from tables.audit import AuditEntry
from tables.orders import Order, OrderEvent, Place
from tables.sync import AddressSuggestion
from tests.factories import committed, make_company_price_list
from tests.sync.helpers import mutation, send


async def suggest(courier_id: int, order_id: int, mid: int = 1, address: str = "12 Rue Juste, 75011 Paris",
                  **extra) -> int:
    answer = await send(courier_id, "phone-A", mutation(mid, "address.suggest", order_id=order_id, address=address,
                                                        **extra))
    assert answer.results[0]["result"] == "applied", answer.results
    return (await AddressSuggestion.select(AddressSuggestion.id).where(AddressSuggestion.order == order_id)
            .order_by(AddressSuggestion.id, ascending=False).first())["id"]


async def dropoff_of(order_id: int) -> dict:
    order = await Order.select(Order.dropoff).where(Order.id == order_id).first()
    return await Place.select(Place.address, Place.lat, Place.lon).where(Place.id == order["dropoff"]).first()


async def test_an_accepted_suggestion_moves_the_dropoff_audited_and_the_phone_pulls_it(make_user):
    courier, dispatcher = await make_user("courier"), await make_user("dispatcher")
    day = await build_day(courier.id, stops=2)
    cursor = (await pull(courier.id, "phone-A", 0)).cursor
    suggestion = await suggest(courier.id, day.order_ids[1], lat=48.86, lon=2.38, note="blue door")
    async with writing():
        assert await accept_suggestion(Actor(dispatcher.id, role="dispatcher"), suggestion) == day.order_ids[1]
    assert await dropoff_of(day.order_ids[1]) == {"address": "12 Rue Juste, 75011 Paris", "lat": 48.86, "lon": 2.38}
    assert (await AddressSuggestion.select(AddressSuggestion.status).first())["status"] == "accepted"
    entries = await AuditEntry.select(AuditEntry.record_type, AuditEntry.user, AuditEntry.changes).where(
        AuditEntry.user == dispatcher.id).output(load_json=True)
    place = next(entry for entry in entries if entry["record_type"] == Place._meta.tablename)
    assert place["changes"]["address"][1] == "12 Rue Juste, 75011 Paris"
    assert any(entry["record_type"] == AddressSuggestion._meta.tablename for entry in entries)
    changes = (await pull(courier.id, "phone-A", cursor)).changes
    order = next(change for change in changes if change["entity"] == "order" and change["id"] == day.order_ids[1])
    assert order["fields"]["address"] == "12 Rue Juste, 75011 Paris" and order["fields"]["lat"] == 48.86
    assert await pending_suggestions() == []


async def test_a_declined_suggestion_leaves_the_address_alone(make_user):
    courier, dispatcher = await make_user("courier"), await make_user("dispatcher")
    day = await build_day(courier.id, stops=1)
    before = await dropoff_of(day.order_ids[0])
    suggestion = await suggest(courier.id, day.order_ids[0])
    async with writing():
        await decline_suggestion(Actor(dispatcher.id), suggestion)
    assert await dropoff_of(day.order_ids[0]) == before
    assert (await AddressSuggestion.select(AddressSuggestion.status).first())["status"] == "declined"
    assert await AuditEntry.exists().where((AuditEntry.user == dispatcher.id)
                                           & (AuditEntry.record_type == AddressSuggestion._meta.tablename))
    with pytest.raises(Conflict):  # answered once only
        async with writing():
            await accept_suggestion(Actor(dispatcher.id), suggestion)
    with pytest.raises(NotFound):
        async with writing():
            await decline_suggestion(Actor(dispatcher.id), suggestion + 100)


async def test_pending_suggestions_cost_one_query_however_many(make_user, queries):
    courier = await make_user("courier")
    day = await build_day(courier.id, stops=3)
    await suggest(courier.id, day.order_ids[0], mid=1)
    queries.count = 0
    few = await pending_suggestions()
    assert queries.count == 1 and len(few) == 1 and few[0]["reference"] and few[0]["courier_name"]
    for mid, order_id in enumerate(day.order_ids, start=2):
        await suggest(courier.id, order_id, mid=mid, address=f"{mid} Avenue Nouvelle")
    queries.count = 0
    many = await pending_suggestions()
    assert queries.count == 1 and len(many) == 4
    assert [row["id"] for row in many] == sorted((row["id"] for row in many), reverse=True)
    assert [row["order"] for row in await pending_suggestions(order_id=day.order_ids[0])] == [day.order_ids[0]] * 2


async def test_an_accepted_fix_re_prices_the_order_but_a_price_set_by_hand_stays(make_user):
    await make_company_price_list(base=690, per_km=80, minimum=900)
    courier, dispatcher = await make_user("courier"), await make_user("dispatcher")
    day = await build_day(courier.id, stops=2)  # built at price 0, before any tariff applied
    actor = Actor(dispatcher.id, role="dispatcher")
    by_hand = await Order.objects().where(Order.id == day.order_ids[1]).first()
    await committed(set_price_by_hand)(actor, by_hand, 1500, "agreed")
    first = await suggest(courier.id, day.order_ids[0], mid=1, lat=48.86, lon=2.38)
    second = await suggest(courier.id, day.order_ids[1], mid=2, lat=48.87, lon=2.39)
    for suggestion in (first, second):
        async with writing():
            await accept_suggestion(actor, suggestion)
    repriced, kept = await Order.select(Order.id, Order.price, Order.distance_km, Order.cod_amount,
                                        Order.dropoff.zone).where(
        Order.id.is_in(day.order_ids)).order_by(Order.id)
    assert repriced["distance_km"] == road_km(48.85, 2.35, 48.86, 2.38)  # from the depot to the fixed drop-off
    cod_fee = 150 if repriced["cod_amount"] else 0
    assert repriced["price"] == max(900, 690 + round(80 * repriced["distance_km"]) + cod_fee)
    assert repriced["dropoff.zone"] == "75011"  # the postcode of "12 Rue Juste, 75011 Paris"
    assert kept["price"] == 1500 and kept["distance_km"] == road_km(48.85, 2.35, 48.87, 2.39)
    note = await OrderEvent.select(OrderEvent.note).where(
        (OrderEvent.order == day.order_ids[0]) & (OrderEvent.kind == "edit")).first()
    assert {"dropoff_address", "distance_km", "price"} <= set(note["note"].split(", "))
