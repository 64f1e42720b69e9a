"""The courier's phone pages: the route, a stop, the end of shift and the sync problems — each courier sees
only their own."""

from __future__ import annotations

from app.sync.fixtures import build_day
from tests.sync.helpers import mutation, send


async def test_a_courier_opens_the_route_then_a_stop_with_every_action(client, signed_in):
    courier = await signed_in("courier")
    day = await build_day(courier.id, stops=3, cod_every=1)
    route = await client.get("/courier")
    assert route.status_code == 200
    assert route.text.count('class="stop status-assigned"') == 3
    assert 'id="outbox-badge"' in route.text and "/static/js/courier/outbox.js" in route.text
    assert "HX-Request" in route.headers["vary"]
    stop = await client.get(f"/courier/stops/{day.stop_ids[1]}")
    assert stop.status_code == 200
    for action in ("stop.arrive", "stop.deliver", "stop.fail", "cash.collect", "note.add", "address.suggest"):
        assert f'data-mutation="{action}"' in stop.text
    assert 'capture="environment"' in stop.text and "signature-pad" in stop.text


async def test_a_courier_cannot_open_another_couriers_stop(client, signed_in, make_user):
    await signed_in("courier")
    other = await make_user("courier")
    theirs = await build_day(other.id, stops=1)
    assert (await client.get(f"/courier/stops/{theirs.stop_ids[0]}")).status_code == 404


async def test_the_end_of_shift_compares_expected_and_collected_cash(client, signed_in):
    courier = await signed_in("courier")
    day = await build_day(courier.id, stops=2, cod_every=1)
    await send(courier.id, "p", mutation(1, "cash.collect", order_id=day.order_ids[0], amount=1250, currency="EUR"))
    page = await client.get("/courier/shift")
    assert page.status_code == 200
    assert "25.01" in page.text and "12.50" in page.text  # expected 1250 + 1251, collected 1250


async def test_sync_problems_are_listed_in_the_couriers_language(client, signed_in):
    courier = await signed_in("courier")
    day = await build_day(courier.id, stops=1)
    await send(courier.id, "p", mutation(1, "stop.deliver", stop_id=day.stop_ids[0], recipient_name="A",
                                         signature_sha256="d" * 64),
               mutation(2, "stop.pick_up", stop_id=day.stop_ids[0]))
    page = await client.get("/courier/problems")
    assert page.status_code == 200
    assert "Kept as history" in page.text and "Picked up" in page.text
