"""The notification jobs the workers run (registered in app.jobs.ACTOR_MODULES)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from app.config import get_settings
from app.jobs import enqueue, job_actor
from app.notifications import outbox
from app.notifications.errors import TemporaryFailure
from app.notifications.triggers import ARRIVING_SOON
from app.orders.status import OUT_FOR_DELIVERY
from app.tracking.eta import order_progress
from tables.orders import Order
from tables.routes import Stop

QUEUE = "notify"
log = logging.getLogger("waybill.notifications")


async def _send_all(message_ids: list[int], links: dict[int, str] | None = None) -> None:
    """Send the messages of one moment at once (one claim for all); one that meets a busy service becomes its own
    `send_message` job, retried with back-off. (A message is claimed before sending: never sent twice.)"""
    outcomes = await outbox.send_messages(message_ids, links)
    for message_id, outcome in outcomes.items():
        if isinstance(outcome, BaseException):
            if not isinstance(outcome, TemporaryFailure):
                log.error("sending message %s failed: %r", message_id, outcome)
            await enqueue("send_message", queue=QUEUE, message_id=message_id)


@job_actor(queue_name=QUEUE, max_retries=3)
async def notify_order(order_id: int, trigger: str) -> dict:
    """A moment in an order's life: archive its messages (sent, delayed or skipped) and send the due ones."""
    ids, links = await outbox.plan_order_moment(order_id, trigger)
    await _send_all(ids, links)
    return {"queued": len(ids)}


@job_actor(queue_name=QUEUE, max_retries=6)
async def send_message(message_id: int) -> dict:
    """One message on one channel; a busy service is retried with back-off (the job's retries)."""
    return {"status": await outbox.send_message(message_id)}


@job_actor(queue_name=QUEUE, max_retries=3)
async def notify_route_changed(courier_user_id: int, route_id: int | None = None) -> dict:
    occasion = f"{route_id or 0}:{datetime.now(timezone.utc).isoformat(timespec='seconds')}"
    ids = await outbox.plan_route_changed(courier_user_id, occasion)
    await _send_all(ids)
    return {"queued": len(ids)}


@job_actor(queue_name=QUEUE, max_retries=1)
async def release_quiet_messages() -> dict:
    """Every minute (the clock): messages held by quiet hours go out once those hours end."""
    ids = await outbox.release_due_messages()
    await _send_all(ids)
    return {"released": len(ids)}


@job_actor(queue_name=QUEUE, max_retries=1)
async def notify_arriving_soon() -> dict:
    """Every minute (the clock): clients whose courier is N minutes (or N stops) away hear it, once per stop."""
    settings = get_settings()
    soon = timedelta(minutes=settings.arriving_soon_minutes)
    now = datetime.now(timezone.utc)
    orders = await Order.select(Order.id, Order.status).where(Order.status == OUT_FOR_DELIVERY).limit(5000)
    planned = 0
    for order in orders:
        progress = await order_progress(order["id"], order["status"], now)
        near = progress.eta is not None and progress.eta - now <= soon
        few_stops = (settings.arriving_soon_stops is not None and progress.stops_before is not None
                     and progress.stops_before <= settings.arriving_soon_stops)
        if not (near or few_stops):
            continue
        stop = await Stop.select(Stop.id).where((Stop.order == order["id"]) & (Stop.kind == "dropoff")).order_by(
            Stop.id, ascending=False).first()
        ids = await outbox.plan_order_messages(order["id"], ARRIVING_SOON, occasion=stop["id"] if stop else 0)
        await _send_all(ids)
        planned += len(ids)
    return {"queued": planned}
