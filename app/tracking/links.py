"""Tracking tokens: ≥128 random bits, one order each, revocable, expiring a set time after delivery."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from app import audit
from app.audit import Actor
from app.config import get_settings
from app.db import writing
from app.errors import NotFound
from app.orders.status import DELIVERED, END_STATES
from tables.orders import Order, OrderEvent
from tables.tracking import TrackingRevocation

TOKEN_BYTES = 24  # 192 bits


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def tracking_url(token: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/t/{token}"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def looks_like_token(token: str) -> bool:
    return 20 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)


async def finished_at(order_id: int) -> datetime | None:
    """When the order reached its end state (delivered, returned, cancelled), from its status history."""
    event = await OrderEvent.select(OrderEvent.at).where(
        (OrderEvent.order == order_id) & OrderEvent.status.is_in(list(END_STATES))
    ).order_by(OrderEvent.at, ascending=False).first()
    return event["at"] if event else None


async def order_for_token(token: str, now: datetime | None = None) -> dict | None:
    """The order a valid token opens, or None for a wrong, revoked or expired one (the caller cannot tell)."""
    if not looks_like_token(token):
        return None
    order = await Order.select(Order.id, Order.status, Order.updated_at).where(Order.tracking_token == token).first()
    if order is None:
        return None
    if order["status"] in END_STATES:
        ended = await finished_at(order["id"]) or order["updated_at"]
        days = get_settings().tracking_days_after_delivery
        if ended is not None and (now or _now()) - ended > timedelta(days=days):
            return None
    return order


async def revoke(actor: Actor, order_id: int) -> str:
    """A dispatcher revokes the order's link (sent to the wrong person...): the old token opens nothing from now
    on, and the order gets a new one, returned to be sent again."""
    async with writing():
        order = await Order.objects().where(Order.id == order_id).first()
        if order is None:
            raise NotFound()
        old = order.tracking_token
        await TrackingRevocation.insert(TrackingRevocation(token=old, order=order_id, revoked_by=actor.user_id))
        await audit.update(actor, order, {"tracking_token": new_token()}, summary="tracking link revoked")
    return order.tracking_token


def is_delivered(status: str) -> bool:
    return status == DELIVERED
