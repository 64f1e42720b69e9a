"""The dispatcher answers a courier's address fix from the board's exceptions panel or the order page."""

from __future__ import annotations

from app.sync.fixtures import build_day
from app.sync.pull import pull
from tables.audit import AuditEntry
from tables.orders import Order, Place
from tables.sync import AddressSuggestion
from tests.conftest import csrf_token, post_form
from tests.sync.helpers import mutation, send


async def suggested(courier_id: int, order_id: int) -> int:
    answer = await send(courier_id, "phone-A", mutation(1, "address.suggest", order_id=order_id,
                                                        address="7 Impasse Exacte", lat=48.9, lon=2.4))
    assert answer.results[0]["result"] == "applied"
    return (await AddressSuggestion.select(AddressSuggestion.id).first())["id"]


async def dropoff_address(order_id: int) -> str:
    order = await Order.select(Order.dropoff).where(Order.id == order_id).first()
    return (await Place.select(Place.address).where(Place.id == order["dropoff"]).first())["address"]


async def test_the_dispatcher_accepts_from_the_board_and_the_couriers_next_pull_has_it(client, signed_in, make_user):
    courier = await make_user("courier")
    day = await build_day(courier.id, stops=2)
    cursor = (await pull(courier.id, "phone-A", 0)).cursor
    suggestion = await suggested(courier.id, day.order_ids[0])
    dispatcher = await signed_in("dispatcher")
    board = (await client.get("/board")).text
    panel = board[board.index('data-exception="addresses"'):]
    panel = panel[:panel.index("</ul>")]
    assert "7 Impasse Exacte" in panel and "1 Rue de Test" in panel
    assert f'hx-post="/address-suggestions/{suggestion}/accept"' in panel
    order_page = (await client.get(f"/orders/{day.order_ids[0]}")).text
    assert f'hx-post="/address-suggestions/{suggestion}/decline"' in order_page

    answer = await client.post(f"/address-suggestions/{suggestion}/accept",
                               headers={"hx-request": "true", "x-csrf-token": await csrf_token(client)})
    assert answer.status_code == 200 and f'id="address-suggestion-{suggestion}"' in answer.text
    assert "Accepted" in answer.text
    assert await dropoff_address(day.order_ids[0]) == "7 Impasse Exacte"
    assert await AuditEntry.exists().where((AuditEntry.user == dispatcher.id)
                                           & (AuditEntry.record_type == Place._meta.tablename))
    changes = (await pull(courier.id, "phone-A", cursor)).changes
    assert any(change["entity"] == "order" and change["id"] == day.order_ids[0]
               and change["fields"]["address"] == "7 Impasse Exacte" for change in changes)
    assert 'data-exception="addresses"' not in (await client.get("/board/live")).text  # answered: off the panel
    again = await client.post(f"/address-suggestions/{suggestion}/decline",
                              headers={"hx-request": "true", "x-csrf-token": await csrf_token(client)})
    assert again.status_code == 409 and await dropoff_address(day.order_ids[0]) == "7 Impasse Exacte"


async def test_declining_from_the_order_page_leaves_the_address(client, signed_in, make_user):
    courier = await make_user("courier")
    day = await build_day(courier.id, stops=1)
    suggestion = await suggested(courier.id, day.order_ids[0])
    await signed_in("dispatcher")
    answer = await post_form(client, f"/address-suggestions/{suggestion}/decline",
                             {"next": f"/orders/{day.order_ids[0]}"})
    assert answer.status_code in (302, 303) and answer.headers["location"] == f"/orders/{day.order_ids[0]}"
    assert await dropoff_address(day.order_ids[0]) == "1 Rue de Test"
    assert (await AddressSuggestion.select(AddressSuggestion.status).first())["status"] == "declined"
    assert "7 Impasse Exacte" not in (await client.get(f"/orders/{day.order_ids[0]}")).text


async def test_a_courier_cannot_accept_their_own_suggestion(client, signed_in):
    courier = await signed_in("courier")
    day = await build_day(courier.id, stops=1)
    suggestion = await suggested(courier.id, day.order_ids[0])
    answer = await post_form(client, f"/address-suggestions/{suggestion}/accept")
    assert answer.status_code in (403, 404)
    assert await dropoff_address(day.order_ids[0]) == "1 Rue de Test"
    assert (await AddressSuggestion.select(AddressSuggestion.status).first())["status"] == "pending"
