"""Web Push subscriptions: a client's browser for one order (from the tracking page), or a staff member's."""

from __future__ import annotations

import base64
from urllib.parse import urlparse

from app import audit
from app.audit import Actor
from app.db import writing
from app.errors import InvalidInput
from app.i18n import gettext as _
from app.notifications.consent import record_consent
from app.notifications.triggers import PUSH
from tables.notifications import PushSubscription
from tables.orders import Order

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _b64url_bytes(value: str) -> int:
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, TypeError):
        return 0


def check_subscription(endpoint: str, p256dh: str, auth: str) -> None:
    url = urlparse(endpoint or "")
    secure = url.scheme == "https" or (url.scheme == "http" and url.hostname in LOCAL_HOSTS)
    if not secure or not url.hostname or len(endpoint) > 2000:
        raise InvalidInput({"endpoint": _("This is not a push subscription.")})
    if _b64url_bytes(p256dh) != 65 or _b64url_bytes(auth) != 16:
        raise InvalidInput({"keys": _("This is not a push subscription.")})


async def _save(actor: Actor, endpoint: str, p256dh: str, auth: str, **owner) -> PushSubscription:
    row = await PushSubscription.objects().where(PushSubscription.endpoint == endpoint).first()
    if row is None:
        row = PushSubscription(endpoint=endpoint, p256dh=p256dh, auth=auth, **owner)
        await audit.insert(actor, row, summary="push subscription")
    else:
        await audit.update(actor, row, {"p256dh": p256dh, "auth": auth, **owner}, summary="push subscription")
    return row


async def subscribe_for_order(actor: Actor, order_id: int, endpoint: str, p256dh: str, auth: str,
                              locale: str) -> PushSubscription:
    """A client asked, on the tracking page, to be notified on this device: that is their consent to push."""
    check_subscription(endpoint, p256dh, auth)
    async with writing():
        order = await Order.select(Order.client).where(Order.id == order_id).first()
        row = await _save(actor, endpoint, p256dh, auth, order=order_id, user=None, locale=locale)
        await record_consent(actor, order["client"], PUSH, True, "Web Push subscription on the tracking page")
    return row


async def subscribe_staff(actor: Actor, user_id: int, endpoint: str, p256dh: str, auth: str,
                          locale: str) -> PushSubscription:
    check_subscription(endpoint, p256dh, auth)
    async with writing():
        return await _save(actor, endpoint, p256dh, auth, user=user_id, order=None, locale=locale)


async def unsubscribe_staff(actor: Actor, user_id: int, endpoint: str) -> None:
    async with writing():
        row = await PushSubscription.objects().where(
            (PushSubscription.endpoint == endpoint) & (PushSubscription.user == user_id)).first()
        if row is not None:
            await audit.delete(actor, row, summary="push subscription removed")


async def staff_devices(user_id: int) -> int:
    return await PushSubscription.count().where(PushSubscription.user == user_id)
