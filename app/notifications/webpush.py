"""Web Push (RFC 8030/8291/8292) with pywebpush: payload encrypted for the browser (aes128gcm), signed with our
VAPID key, sent with a TTL and a timeout. A subscription the push service no longer knows (404/410) is deleted."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import requests
from pywebpush import WebPushException, webpush

from app.config import get_settings
from app.notifications.errors import PermanentFailure, SubscriptionGone, TemporaryFailure
from app.notifications.vapid import signer, vapid_keys
from tables.notifications import PushSubscription

_signers: dict[str, object] = {}


def payload(title: str, body: str, url: str = "", tag: str = "") -> str:
    """What the service worker receives and shows (see the "push" handler in web/sw.js)."""
    return json.dumps({"title": title, "body": body, "url": url, "tag": tag}, ensure_ascii=False)


def _post(subscription: dict, data: str, key, claims: dict, ttl: int, timeout: float, urgency: str) -> None:
    webpush(subscription, data=data, vapid_private_key=key, vapid_claims=claims, ttl=ttl, timeout=timeout,
            content_encoding="aes128gcm", headers={"Urgency": urgency})


async def send_push(subscription_id: int, data: str, urgent: bool = False) -> str:
    """Send `data` to one stored subscription; returns the push service's status code as text."""
    row = await PushSubscription.select().where(PushSubscription.id == subscription_id).first()
    if row is None:
        raise SubscriptionGone("the subscription was removed")
    settings = get_settings()
    private_pem, _public = await vapid_keys()
    if private_pem not in _signers:
        _signers[private_pem] = signer(private_pem)
    info = {"endpoint": row["endpoint"], "keys": {"p256dh": row["p256dh"], "auth": row["auth"]}}
    claims = {"sub": settings.vapid_subject}
    try:
        await asyncio.to_thread(_post, info, data, _signers[private_pem], claims, settings.push_ttl_s,
                                settings.push_timeout_s, "high" if urgent else "normal")
    except WebPushException as exc:
        status = exc.status_code
        if status in (404, 410):
            await PushSubscription.delete().where(PushSubscription.id == subscription_id)
            raise SubscriptionGone(f"push service answered {status}; subscription deleted") from exc
        if status is not None and (status == 429 or status >= 500):
            raise TemporaryFailure(f"push service busy: {status}") from exc
        raise PermanentFailure(f"push service refused: {status}") from exc
    except requests.RequestException as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
    await PushSubscription.update({PushSubscription.last_sent_at: datetime.now(timezone.utc)}).where(
        PushSubscription.id == subscription_id)
    return "201"
