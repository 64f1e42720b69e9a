"""The dispatcher's board over HTTP: filters, bulk assign/unassign, reorder, move, the live poll, the map data,
the exceptions panel, and clear refusals."""

from datetime import datetime, timedelta, timezone

from app.dispatch.assign import assign_orders
from app.dispatch.day import company_today, company_zone
from app.orders.orders import cancel_order, change_status
from app.routes.board import PAGE
from app.orders.status import By
from tables.orders import Order
from tables.routes import Route, Stop
from app.sync.reasons import explain
from tables.sync import CashEntry, GpsPoint, SyncProblem
from tests.conftest import post_form
from tests.factories import SYSTEM, committed, make_client, make_courier, make_order, many_orders, today_at


def rows(page) -> str:
    """Only the order list of a board page (the exceptions panel names orders too)."""
    text = page.text
    start = text.index('id="order-rows"')
    return text[start:text.index("</tbody>", start)]


async def _board(make_user, count: int = 3):
    shop = await make_client()
    karim = await make_courier(make_user, "Karim Haddad")
    paul = await make_courier(make_user, "Paul Renard")
    orders = [await make_order(shop.id, deliver_from=today_at(9 + n),
                               dropoff_address=f"{n + 1} Rue Lepic, 7501{n} Paris") for n in range(count)]
    return karim, paul, orders


async def test_the_board_lists_the_days_orders_with_filters(client, signed_in, make_user):
    await signed_in("dispatcher")
    karim, _paul, orders = await _board(make_user)
    await committed(assign_orders)(SYSTEM, [orders[0].id], karim.id, company_today())
    page = await client.get("/board")
    assert page.status_code == 200 and all(order.reference in page.text for order in orders)
    assert 'id="board-map"' in page.text and "Karim Haddad" in page.text
    unassigned = rows(await client.get("/board?courier=none"))
    assert orders[0].reference not in unassigned and orders[1].reference in unassigned
    mine = rows(await client.get(f"/board?courier={karim.id}"))
    assert orders[0].reference in mine and orders[1].reference not in mine
    zone = rows(await client.get("/board?zone=75011"))
    assert orders[1].reference in zone and orders[2].reference not in zone
    morning = rows(await client.get("/board?window=morning&status=new"))
    assert orders[1].reference in morning and orders[0].reference not in morning


async def test_bulk_assign_then_unassign_from_the_board(client, signed_in, make_user):
    await signed_in("dispatcher")
    karim, _paul, orders = await _board(make_user)
    response = await post_form(client, "/board/assign", {"order": [order.id for order in orders],
                                                         "courier": karim.id, "action": "assign",
                                                         "next": "/board?status=new"})
    assert response.status_code == 302 and response.headers["location"] == "/board?status=new&done=3"
    assert await Stop.count() == 3
    response = await post_form(client, "/board/assign", {"order": [orders[0].id], "action": "unassign"})
    assert response.status_code == 302 and await Stop.count() == 2


async def test_refusals_are_clear_and_change_nothing(client, signed_in, make_user):
    await signed_in("dispatcher")
    karim, _paul, orders = await _board(make_user)
    nobody = await post_form(client, "/board/assign", {"order": [orders[0].id], "action": "assign"})
    assert nobody.status_code == 422 and "Choose a courier." in nobody.text
    nothing = await post_form(client, "/board/assign", {"courier": karim.id, "action": "assign"})
    assert nothing.status_code == 422 and "Select at least one order." in nothing.text
    await committed(assign_orders)(SYSTEM, [orders[0].id], karim.id, company_today())
    await committed(change_status)(SYSTEM, await Order.objects().get(Order.id == orders[0].id), "delivered", By.COURIER)
    refused = await post_form(client, "/board/assign", {"order": [orders[0].id, orders[1].id],
                                                        "courier": karim.id, "action": "assign"})
    assert refused.status_code == 409 and orders[0].reference in refused.text
    assert await Stop.count() == 1  # the good order of the refused batch was not assigned either


async def test_reorder_with_the_drag_form_and_the_arrows_and_move_a_stop(client, signed_in, make_user):
    await signed_in("dispatcher")
    karim, paul, orders = await _board(make_user)
    await committed(assign_orders)(SYSTEM, [order.id for order in orders], karim.id, company_today())
    route = await Route.objects().first()
    stops = await Stop.select(Stop.id).order_by(Stop.sequence).output(as_list=True)
    panel = await client.get(f"/board/routes/{karim.id}")
    assert all(order.reference in panel.text for order in orders)
    dragged = await post_form(client, f"/board/routes/{route.id}/order", {"stop": list(reversed(stops))},
                              headers={"HX-Request": "true"})
    assert dragged.status_code == 200 and dragged.text.index(orders[2].reference) < dragged.text.index(
        orders[0].reference)
    arrow = await post_form(client, f"/board/stops/{stops[0]}/step", {"direction": "up", "next": "/board"})
    assert arrow.status_code == 302
    assert await Stop.select(Stop.id).order_by(Stop.sequence).output(as_list=True) == [stops[2], stops[0], stops[1]]
    moved = await post_form(client, "/board/move", {"stop": stops[1], "courier": paul.id, "position": ""})
    assert moved.status_code == 302
    assert (await Stop.objects().get(Stop.id == stops[1])).route != route.id


async def test_the_live_poll_and_the_map_follow_the_day(client, signed_in, make_user):
    await signed_in("dispatcher")
    karim, _paul, orders = await _board(make_user)
    await committed(assign_orders)(SYSTEM, [orders[0].id], karim.id, company_today())
    await committed(change_status)(SYSTEM, await Order.objects().get(Order.id == orders[0].id), "out_for_delivery", By.COURIER)
    await GpsPoint.insert(GpsPoint(source="phone:1:0", courier=karim.user, lat=48.87, lon=2.35,
                                   recorded_at=datetime.now(timezone.utc)))
    live = await client.get("/board/live", headers={"HX-Request": "true"})
    assert f'id="status-{orders[0].id}" hx-swap-oob="true"' in live.text and "Out for delivery" in live.text
    data = (await client.get("/board/map.json")).json()
    assert len(data["orders"]) == 3 and data["routes"][0]["courier"] == karim.id
    assert data["couriers"] == [{"id": karim.id, "name": "Karim Haddad", "lat": 48.87, "lon": 2.35}]


async def test_the_exceptions_panel_shows_what_needs_a_human(client, signed_in, make_user):
    await signed_in("dispatcher")
    shop = await make_client()
    karim = await make_courier(make_user)
    now = datetime.now(timezone.utc)
    # The late order's window ended an hour ago; the board shows the company day it belongs to (which, just after
    # midnight in Paris, is yesterday), so the story holds at any hour.
    anchor = now - timedelta(hours=3)
    day = anchor.astimezone(company_zone()).date()
    soon = await make_order(shop.id, deliver_from=now + timedelta(minutes=30))
    late = await make_order(shop.id, deliver_from=anchor)
    failed = await make_order(shop.id, deliver_from=anchor)  # the same company day as the late one, at any hour
    await committed(assign_orders)(SYSTEM, [late.id, failed.id], karim.id, day)
    await committed(change_status)(SYSTEM, await Order.objects().get(Order.id == failed.id), "failed", By.COURIER)
    await CashEntry.insert(CashEntry(source="phone:2", order=late.id, courier=karim.user, amount=1000,
                                     currency="EUR", mismatch=True, collected_at=now))
    panel = (await client.get(f"/board?day={day.isoformat()}")).text
    section = panel[panel.index('id="exceptions"'):]
    for key, order in (("late", late), ("failed", failed), ("unassigned", soon), ("cash", late)):
        block = section[section.index(f'data-exception="{key}"'):]
        assert order.reference in block[:block.index("</ul>")], key


async def test_the_board_costs_the_same_queries_for_few_or_many_orders(client, signed_in, make_user, queries):
    await signed_in("dispatcher")
    karim, _paul, orders = await _board(make_user, 2)
    await committed(assign_orders)(SYSTEM, [orders[0].id], karim.id, company_today())
    queries.count = 0
    await client.get(f"/board?route={karim.id}")
    few = queries.count
    shop = await make_client("Other shop")
    more = [await make_order(shop.id, deliver_from=today_at(12)) for _ in range(10)]
    await committed(assign_orders)(SYSTEM, [order.id for order in more], karim.id, company_today())
    queries.count = 0
    await client.get(f"/board?route={karim.id}")
    assert queries.count == few


async def test_back_to_new_from_the_order_page_takes_the_order_off_its_route(client, signed_in, make_user):
    await signed_in("dispatcher")
    karim, _paul, orders = await _board(make_user, 1)
    await committed(assign_orders)(SYSTEM, [orders[0].id], karim.id, company_today())
    response = await post_form(client, f"/orders/{orders[0].id}/status", {"status": "new"})
    assert response.status_code == 302 and await Stop.count() == 0
    assert (await Order.objects().get(Order.id == orders[0].id)).status == "new"


async def test_a_problem_a_phone_reported_is_explained_on_the_board(client, signed_in, make_user):
    await signed_in("dispatcher")
    karim, _paul, orders = await _board(make_user, 1)
    await SyncProblem.insert(SyncProblem(courier=karim.user, kind="rejected", reason="unknown_stop",
                                         order=orders[0].id))
    page = (await client.get("/board")).text
    block = page[page.index('data-exception="sync"'):]
    assert orders[0].reference in block[:block.index("</ul>")]
    assert "This stop no longer exists." in block and explain("unknown_stop") != "unknown_stop"


async def test_the_live_poll_refreshes_the_rows_on_screen_whatever_page_or_filter(client, signed_in, queries):
    await signed_in("dispatcher")
    ids = await many_orders((await make_client()).id, PAGE + 5)
    on_second_page = ids[PAGE + 2]
    board = await client.get("/board?status=new")
    assert f'data-order="{on_second_page}"' not in rows(board) and "Show more" in rows(board)
    await committed(cancel_order)(SYSTEM, await Order.objects().get(Order.id == on_second_page), "client called")
    hx = {"HX-Request": "true"}
    first_page_only = await client.get("/board/live?status=new", headers=hx)
    assert f'id="status-{on_second_page}"' not in first_page_only.text
    queries.count = 0
    two = await client.get(f"/board/live?status=new&shown={ids[0]},{on_second_page}", headers=hx)
    few = queries.count
    badge = two.text[two.text.index(f'id="status-{on_second_page}"'):]
    assert 'data-status="cancelled"' in badge[:200]  # left the "new" filter, still refreshed where it is shown
    assert f'id="status-{ids[0]}"' in two.text and f'id="status-{ids[1]}"' not in two.text
    queries.count = 0
    everything = await client.get(f"/board/live?status=new&shown={','.join(map(str, ids))}", headers=hx)
    assert queries.count == few and all(f'id="status-{order_id}"' in everything.text for order_id in ids)
    assert (await client.get("/board/live?shown=1,x,,2", headers=hx)).status_code == 200
