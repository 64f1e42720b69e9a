"""Accepting a proposal writes its routes: in one transaction, every planned order gets its stop(s) on its
courier's route in the planned order with the planned ETA, new orders become "assigned" (through the order
state machine), every write is audited, and the change log tells the couriers' phones on their next sync.

Stops of the day the plan did not touch keep their place: finished ones first (as they were), then the
planned ones, then any left over (orders the plan left out stay where a dispatcher put them).
"""

from __future__ import annotations

from datetime import date, datetime

from app.audit import Actor, insert, log, update
from app.dispatch.assign import route_for
from app.errors import Conflict
from app.i18n import gettext as _
from app.notifications.triggers import on_routes_changed
from app.orders.orders import change_status
from app.orders.status import ASSIGNED, FAILED, NEW, By, Outcome, decide
from app.planning.problem import OPEN
from app.sync.changes import record_changes, record_order_change
from tables.fleet import Courier
from tables.orders import Order
from tables.routes import Route, Stop


async def accept_proposal(actor: Actor, proposal: dict) -> list[int]:
    """Write the proposal's routes; call inside `app.db.writing()`. Returns the ids of the routes written.

    Refuses (Conflict) when the day moved on meanwhile: an order of the plan finished or was cancelled."""
    day = date.fromisoformat(proposal["day"])
    order_ids = [visit["order_id"] for route in proposal["routes"] for visit in route["stops"]]
    orders = {order.id: order for order in await Order.objects().where(Order.id.is_in(order_ids or [0]))}
    gone = sorted(orders[i].reference for i in set(order_ids) if i in orders and orders[i].status not in OPEN)
    if len(orders) != len(set(order_ids)) or gone:
        raise Conflict(_("The day changed since this plan was made (%(refs)s); optimize again.",
                         refs=", ".join(gone) or _("orders were deleted")))
    existing = {(row.order, row.kind): row for row in await Stop.objects().where(  # an earlier day's stops stay put
        Stop.order.is_in(order_ids or [0]) & (Stop.route.day == day))}
    touched_routes: set[int] = set()
    for planned in proposal["routes"]:
        courier = await Courier.objects().where(Courier.id == planned["courier_id"]).first()
        if courier is None:
            raise Conflict(_("A courier of this plan no longer exists; optimize again."))
        route = await route_for(actor, courier, day)
        touched_routes.add(route.id)
        await update(actor, route, {"planned_km": planned["km"], "planned_minutes": planned["minutes"],
                                    "planned_cost": planned["cost"]}, summary="optimized")
        placed: list[int] = []
        for visit in planned["stops"]:
            eta = datetime.fromisoformat(visit["eta"])
            stop = existing.get((visit["order_id"], visit["kind"]))
            if stop is None:
                stop = Stop(route=route.id, order=visit["order_id"], kind=visit["kind"], sequence=0, planned_eta=eta)
                await insert(actor, stop, summary=f"{visit['reference']} planned for courier {courier.id}")
            else:
                if stop.route != route.id:
                    touched_routes.add(stop.route)
                await update(actor, stop, {"route": route.id, "planned_eta": eta},
                             summary=f"{visit['reference']} planned for courier {courier.id}")
            placed.append(stop.id)
        await _sequence(route.id, placed)
    for route_id in touched_routes:
        await _sequence(route_id, [])
    for order in orders.values():
        if order.status in (NEW, FAILED) and decide(order.status, ASSIGNED, By.DISPATCH) == Outcome.APPLY:
            await change_status(actor, order, ASSIGNED, By.DISPATCH, note=_("planned by the optimizer"))
    await log(actor, "update", Route, min(touched_routes, default=""), {"routes": [[], sorted(touched_routes)]},
              summary=f"optimized plan for {day} accepted: {len(order_ids)} stops")
    await record_changes("route", touched_routes)
    await on_routes_changed(sorted(touched_routes))
    await record_order_change(list(orders))
    return sorted(touched_routes)


async def _sequence(route_id: int, planned: list[int]) -> None:
    """Number the route's stops: finished ones first, then `planned` in order, then the rest as they were."""
    rows = await Stop.select(Stop.id, Stop.sequence, Stop.arrived_at, Stop.order.status.as_alias("status")).where(
        Stop.route == route_id).order_by(Stop.sequence).order_by(Stop.id)
    done = [r["id"] for r in rows if r["id"] not in planned and (r["arrived_at"] or r["status"] not in OPEN)]
    rest = [r["id"] for r in rows if r["id"] not in planned and r["id"] not in done]
    current = {r["id"]: r["sequence"] for r in rows}
    for number, stop_id in enumerate(done + [i for i in planned if i in current] + rest, start=1):
        if current[stop_id] != number:
            await Stop.update({Stop.sequence: number}).where(Stop.id == stop_id)
