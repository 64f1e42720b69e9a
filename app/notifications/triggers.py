"""The moments we write to a client, and the one door other domains use to say that such a moment came.

Order status changes happen in app/orders and app/sync; they call `on_order_status(order_id, new_status)` (or
`on_order_created`), which records a `notify_order` job — in the caller's transaction when there is one — and
returns at once. The worker decides channels, consent, quiet hours and wording.
"""

from __future__ import annotations

from app.i18n import lazy_gettext as _l
from app.orders.status import DELIVERED, FAILED, OUT_FOR_DELIVERY

ACCEPTED, OUT_FOR_DELIVERY_T, ARRIVING_SOON, DELIVERED_T, FAILED_ATTEMPT = (
    "accepted", "out_for_delivery", "arriving_soon", "delivered", "failed_attempt")
ROUTE_CHANGED = "route_changed"  # staff: a courier's route changed
EXCEPTION = "exception"  # staff: a dispatcher is told about a failed attempt

CLIENT_TRIGGERS = (ACCEPTED, OUT_FOR_DELIVERY_T, ARRIVING_SOON, DELIVERED_T, FAILED_ATTEMPT)
STAFF_TRIGGERS = (EXCEPTION, ROUTE_CHANGED)
TRIGGER_NAMES = {
    ACCEPTED: _l("Order accepted"),
    OUT_FOR_DELIVERY_T: _l("Out for delivery"),
    ARRIVING_SOON: _l("Arriving soon"),
    DELIVERED_T: _l("Delivered"),
    FAILED_ATTEMPT: _l("Failed attempt"),
    EXCEPTION: _l("Exception for dispatch"),
    ROUTE_CHANGED: _l("Route changed"),
}
# Sent even in the client's quiet hours: they are about a courier at the door now.
URGENT = frozenset({OUT_FOR_DELIVERY_T, ARRIVING_SOON, FAILED_ATTEMPT})

STATUS_TRIGGERS = {OUT_FOR_DELIVERY: OUT_FOR_DELIVERY_T, DELIVERED: DELIVERED_T, FAILED: FAILED_ATTEMPT}

EMAIL, SMS, PUSH = "email", "sms", "push"
CHANNELS = (PUSH, SMS, EMAIL)
CHANNEL_NAMES = {PUSH: _l("Web Push"), SMS: _l("SMS"), EMAIL: _l("E-mail")}


async def on_order_status(order_id: int, new_status: str) -> int | None:
    """Call after an order's status changed: queues the client's (and dispatch's) notifications, if any."""
    from app.jobs import enqueue

    trigger = STATUS_TRIGGERS.get(new_status)
    if trigger is None:
        return None
    return await enqueue("notify_order", queue="notify", order_id=order_id, trigger=trigger)


async def on_order_created(order_id: int) -> int:
    """Call once a new order is saved: the client gets the "accepted" message with the tracking link."""
    from app.jobs import enqueue

    return await enqueue("notify_order", queue="notify", order_id=order_id, trigger=ACCEPTED)


async def on_route_changed(courier_user_id: int, route_id: int | None = None) -> int:
    """Call when a dispatcher (or the optimizer) changed a courier's route: the courier's devices are told."""
    from app.jobs import enqueue

    return await enqueue("notify_route_changed", queue="notify", courier_user_id=courier_user_id,
                         route_id=route_id)


async def on_routes_changed(route_ids: list[int]) -> None:
    """Call when dispatch changed routes (assign, unassign, reorder, move): each courier's devices are told."""
    from tables.routes import Route

    ids = sorted({route_id for route_id in route_ids if route_id})
    if not ids:
        return
    rows = await Route.select(Route.id, Route.courier.user.as_alias("user_id")).where(Route.id.is_in(ids))
    for row in rows:
        if row["user_id"]:
            await on_route_changed(row["user_id"], row["id"])
