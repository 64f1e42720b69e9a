"""The dispatcher's hands on the day: assign orders to a courier (one or many), unassign them, reorder a
courier's stops, move a stop to another courier. Each change is audited, leaves the order's timeline right, and
is logged for the couriers' phones (app/sync/changes.py) so it reaches them on their next sync.

Callers run these inside `app.db.writing()`: a bulk action commits whole or not at all.
"""

from __future__ import annotations

from datetime import date

from app.audit import Actor, insert, log, update
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import gettext as _
from app.orders.orders import add_event, now
from app.orders.status import ASSIGNED, FAILED, NEW, PICKED_UP, OUT_FOR_DELIVERY
from app.notifications.triggers import on_routes_changed
from app.sync.changes import record_changes, record_order_change
from tables.fleet import Courier
from tables.orders import Order
from tables.routes import Route, Stop

ASSIGNABLE = (NEW, ASSIGNED, FAILED, PICKED_UP, OUT_FOR_DELIVERY)


async def route_for(actor: Actor, courier: Courier, day: date) -> Route:
    """The courier's route for the day, created empty on first use."""
    route = await Route.objects().where((Route.courier == courier.id) & (Route.day == day)).first()
    if route is None:
        route = Route(courier=courier.id, vehicle=courier.vehicle, depot=courier.depot, day=day)
        await insert(actor, route, summary=f"route of courier {courier.id} for {day}")
    return route


async def get_courier(courier_id: int) -> Courier:
    courier = await Courier.objects().where(Courier.id == courier_id).first()
    if courier is None:
        raise InvalidInput({"courier": _("Choose a courier.")})
    if not courier.is_active:
        raise InvalidInput({"courier": _("This courier is not active.")})
    return courier


async def _orders(order_ids: list[int]) -> list[Order]:
    if not order_ids:
        raise InvalidInput({"orders": _("Select at least one order.")})
    orders = await Order.objects().where(Order.id.is_in(order_ids))
    if len(orders) != len(set(order_ids)):
        raise NotFound(_("Some of these orders no longer exist."))
    return orders


async def _resequence(route_id: int) -> None:
    """Stops numbered 1..n in their current order (after a stop left or joined)."""
    stops = await Stop.select(Stop.id, Stop.sequence).where(Stop.route == route_id).order_by(Stop.sequence).order_by(
        Stop.id)
    for number, stop in enumerate(stops, start=1):
        if stop["sequence"] != number:
            await Stop.update({Stop.sequence: number}).where(Stop.id == stop["id"])


async def assign_orders(actor: Actor, order_ids: list[int], courier_id: int, day: date) -> int:
    """Put the orders at the end of the courier's route for the day (moving them off another route if they were
    on one). Refuses the whole batch, naming the orders, when one cannot be assigned. Returns how many moved."""
    courier = await get_courier(courier_id)
    orders = await _orders(order_ids)
    refused = [order.reference for order in orders if order.status not in ASSIGNABLE]
    if refused:
        raise Conflict(_("These orders are finished or cancelled and cannot be assigned: %(refs)s",
                         refs=", ".join(sorted(refused))))
    route = await route_for(actor, courier, day)
    current = {row["order"]: row for row in await Stop.select(Stop.id, Stop.order, Stop.route).where(
        Stop.order.is_in([order.id for order in orders]))}
    last = await Stop.select(Stop.sequence).where(Stop.route == route.id).order_by(Stop.sequence,
                                                                                  ascending=False).first()
    sequence = last["sequence"] if last else 0
    left_routes, moved = set(), 0
    for order in sorted(orders, key=lambda row: (row.deliver_from or now(), row.id)):
        stop = current.get(order.id)
        if stop and stop["route"] == route.id:
            continue
        sequence += 1
        if stop:
            left_routes.add(stop["route"])
            await Stop.update({Stop.route: route.id, Stop.sequence: sequence}).where(Stop.id == stop["id"])
            await log(actor, "update", Stop, stop["id"], {"route": [stop["route"], route.id]},
                      summary=f"{order.reference} moved to courier {courier.id}")
        else:
            await insert(actor, Stop(route=route.id, order=order.id, kind="dropoff", sequence=sequence),
                         summary=f"{order.reference} assigned to courier {courier.id}")
        if order.status in (NEW, FAILED):
            previous = order.status
            await update(actor, order, {"status": ASSIGNED, "updated_at": now()},
                         summary=f"order {order.reference}: {previous} → assigned")
            await add_event(actor, order.id, ASSIGNED, from_status=previous,
                            note=_("re-attempt") if previous == FAILED else "")
        moved += 1
    for route_id in left_routes:
        await _resequence(route_id)
    await record_changes("route", [route.id, *left_routes])
    await on_routes_changed([route.id, *left_routes])  # the couriers' phones are told (issue 7)
    await record_order_change([order.id for order in orders])
    return moved


async def unassign_orders(actor: Actor, order_ids: list[int]) -> int:
    """Take the orders off their routes, back to "new". An order already picked up cannot be unassigned: it is
    in a courier's van (move it to another courier instead)."""
    orders = await _orders(order_ids)
    refused = [order.reference for order in orders if order.status not in (NEW, ASSIGNED)]
    if refused:
        raise Conflict(_("These orders are already under way and cannot be unassigned: %(refs)s",
                         refs=", ".join(sorted(refused))))
    stops = await Stop.objects().where(Stop.order.is_in([order.id for order in orders]))
    routes = {stop.route for stop in stops}
    for stop in stops:
        await log(actor, "delete", stop, stop.id, {"route": [stop.route, None], "order": [stop.order, None]},
                  summary="unassigned")
        await Stop.delete().where(Stop.id == stop.id)
    for order in orders:
        if order.status == ASSIGNED:
            await update(actor, order, {"status": NEW, "updated_at": now()},
                         summary=f"order {order.reference}: unassigned")
            await add_event(actor, order.id, NEW, from_status=ASSIGNED, note=_("unassigned"))
    for route_id in routes:
        await _resequence(route_id)
    await record_changes("stop", [stop.id for stop in stops], deleted=True)
    await record_changes("route", routes)
    await on_routes_changed(routes)  # the couriers' phones are told (issue 7)
    await record_order_change([order.id for order in orders])
    return len(stops)


async def reorder_route(actor: Actor, route_id: int, stop_ids: list[int]) -> None:
    """The courier's stops in the order given (all of them, each once)."""
    rows = await Stop.select(Stop.id, Stop.sequence, Stop.order).where(Stop.route == route_id)
    if not rows:
        raise NotFound(_("This route has no stops."))
    if sorted(stop_ids) != sorted(row["id"] for row in rows):
        raise Conflict(_("The route changed meanwhile; reload the board and try again."))
    before = {row["id"]: row["sequence"] for row in rows}
    for number, stop_id in enumerate(stop_ids, start=1):
        if before[stop_id] != number:
            await Stop.update({Stop.sequence: number}).where(Stop.id == stop_id)
    changed = {stop_id: [before[stop_id], number] for number, stop_id in enumerate(stop_ids, start=1)
               if before[stop_id] != number}
    if changed:
        await log(actor, "update", Route, route_id, {"sequence": [[before[i] for i in stop_ids], stop_ids]},
                  summary=f"reordered {len(changed)} stops")
        await record_changes("stop", list(changed))
        await record_changes("route", [route_id])
        await on_routes_changed([route_id])  # the courier's phone is told (issue 7)


async def step_stop(actor: Actor, stop_id: int, delta: int) -> None:
    """One place earlier (-1) or later (+1): the keyboard and screen-reader way to reorder."""
    stop = await Stop.objects().where(Stop.id == stop_id).first()
    if stop is None:
        raise NotFound(_("This stop no longer exists."))
    ids = await Stop.select(Stop.id).where(Stop.route == stop.route).order_by(Stop.sequence).order_by(Stop.id).output(
        as_list=True)
    index = ids.index(stop_id)
    target = max(0, min(len(ids) - 1, index + delta))
    if target != index:
        ids.insert(target, ids.pop(index))
        await reorder_route(actor, stop.route, ids)


async def move_stop(actor: Actor, stop_id: int, courier_id: int, position: int | None = None) -> Stop:
    """Give a stop to another courier (same day), at `position` (1-based) or at the end of their route."""
    stop = await Stop.objects().where(Stop.id == stop_id).first()
    if stop is None:
        raise NotFound(_("This stop no longer exists."))
    source = await Route.objects().where(Route.id == stop.route).first()
    courier = await get_courier(courier_id)
    if source.courier == courier.id:
        raise InvalidInput({"courier": _("This stop is already on that courier's route.")})
    target = await route_for(actor, courier, source.day)
    ids = await Stop.select(Stop.id).where(Stop.route == target.id).order_by(Stop.sequence).order_by(Stop.id).output(
        as_list=True)
    index = len(ids) if position is None else max(0, min(len(ids), position - 1))
    ids.insert(index, stop.id)
    await Stop.update({Stop.route: target.id}).where(Stop.id == stop.id)
    await log(actor, "update", Stop, stop.id, {"route": [source.id, target.id]},
              summary=f"stop moved to courier {courier.id}")
    for number, each in enumerate(ids, start=1):
        await Stop.update({Stop.sequence: number}).where(Stop.id == each)
    await _resequence(source.id)
    order = await Order.objects().where(Order.id == stop.order).first()
    await add_event(actor, order.id, order.status, kind="edit", from_status=order.status,
                    note=_("moved to another courier"))
    await record_changes("route", [source.id, target.id])
    await on_routes_changed([source.id, target.id])  # the couriers' phones are told (issue 7)
    await record_order_change(order.id)
    stop.route = target.id
    return stop
