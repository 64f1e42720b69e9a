"""A dispatcher hands out the day: bulk assign, unassign, reorder, move a stop — audited, on the timeline, and
logged for the couriers' phones."""

from datetime import timedelta

import pytest

from app.dispatch.assign import assign_orders, move_stop, reorder_route, step_stop, unassign_orders
from app.dispatch.day import company_today
from app.errors import Conflict, InvalidInput
from app.orders.orders import cancel_order, change_status
from app.orders.status import By
from tables.audit import AuditEntry
from tables.orders import Order, OrderEvent
from tables.routes import Route, Stop
from tables.sync import ChangeLog
from tests.factories import SYSTEM, committed, make_client, make_courier, make_order, today_at


async def _day(make_user, orders: int = 3):
    shop = await make_client()
    karim = await make_courier(make_user, "Karim Haddad")
    paul = await make_courier(make_user, "Paul Renard")
    made = [await make_order(shop.id, deliver_from=today_at(9 + n)) for n in range(orders)]
    return karim, paul, made


async def _sequence(courier) -> list[int]:
    return await Stop.select(Stop.order).where(Stop.route.courier == courier.id).order_by(Stop.sequence).output(
        as_list=True)


async def test_bulk_assign_puts_orders_on_the_route_by_window_and_tells_the_phone(make_user):
    karim, _paul, orders = await _day(make_user)
    assert await committed(assign_orders)(SYSTEM, [order.id for order in reversed(orders)], karim.id, company_today()) == 3
    assert await _sequence(karim) == [order.id for order in orders]
    assert set(await Order.select(Order.status).output(as_list=True)) == {"assigned"}
    assert await OrderEvent.count().where(OrderEvent.status == "assigned") == 3
    assert await ChangeLog.exists().where((ChangeLog.audience == karim.user) & (ChangeLog.entity == "stop"))
    assert await AuditEntry.count().where(AuditEntry.record_type == "stop") == 3


async def test_a_finished_order_in_the_batch_refuses_the_whole_batch(make_user):
    karim, _paul, orders = await _day(make_user)
    await committed(cancel_order)(SYSTEM, orders[1])
    with pytest.raises(Conflict, match=orders[1].reference):
        await committed(assign_orders)(SYSTEM, [order.id for order in orders], karim.id, company_today())


async def test_unassign_returns_orders_to_new_but_not_once_picked_up(make_user):
    karim, _paul, orders = await _day(make_user)
    await committed(assign_orders)(SYSTEM, [order.id for order in orders], karim.id, company_today())
    await committed(change_status)(SYSTEM, await Order.objects().get(Order.id == orders[2].id), "picked_up", By.COURIER)
    with pytest.raises(Conflict):
        await committed(unassign_orders)(SYSTEM, [orders[2].id])
    assert await committed(unassign_orders)(SYSTEM, [orders[0].id]) == 1
    assert await _sequence(karim) == [orders[1].id, orders[2].id]
    assert (await Stop.select(Stop.sequence).order_by(Stop.sequence).output(as_list=True)) == [1, 2]
    assert (await Order.objects().where(Order.id == orders[0].id).first()).status == "new"
    assert await ChangeLog.exists().where((ChangeLog.audience == karim.user) & (ChangeLog.deleted == True))  # noqa


async def test_reorder_by_drag_or_by_arrows(make_user):
    karim, _paul, orders = await _day(make_user)
    await committed(assign_orders)(SYSTEM, [order.id for order in orders], karim.id, company_today())
    route = await Route.objects().first()
    stops = {row["order"]: row["id"] for row in await Stop.select(Stop.id, Stop.order)}
    await committed(reorder_route)(SYSTEM, route.id, [stops[orders[2].id], stops[orders[0].id], stops[orders[1].id]])
    assert await _sequence(karim) == [orders[2].id, orders[0].id, orders[1].id]
    await committed(step_stop)(SYSTEM, stops[orders[1].id], -1)
    assert await _sequence(karim) == [orders[2].id, orders[1].id, orders[0].id]
    with pytest.raises(Conflict):
        await committed(reorder_route)(SYSTEM, route.id, [stops[orders[0].id]])  # someone changed the route meanwhile


async def test_moving_a_stop_gives_it_to_the_other_courier_at_the_chosen_place(make_user):
    karim, paul, orders = await _day(make_user, 4)
    await committed(assign_orders)(SYSTEM, [order.id for order in orders[:2]], karim.id, company_today())
    await committed(assign_orders)(SYSTEM, [order.id for order in orders[2:]], paul.id, company_today())
    stop = await Stop.objects().where(Stop.order == orders[1].id).first()
    await committed(move_stop)(SYSTEM, stop.id, paul.id, position=1)
    assert await _sequence(paul) == [orders[1].id, orders[2].id, orders[3].id]
    assert await _sequence(karim) == [orders[0].id]
    assert await ChangeLog.exists().where((ChangeLog.audience == karim.user) & (ChangeLog.deleted == True))  # noqa
    with pytest.raises(InvalidInput):
        await committed(move_stop)(SYSTEM, stop.id, paul.id)


async def test_assigning_for_tomorrow_makes_tomorrows_route(make_user):
    karim, _paul, orders = await _day(make_user, 1)
    await committed(assign_orders)(SYSTEM, [orders[0].id], karim.id, company_today() + timedelta(days=1))
    assert (await Route.objects().first()).day == company_today() + timedelta(days=1)
