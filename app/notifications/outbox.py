"""From a moment in an order's life to messages: who gets what on which channel, or why not; then sending them.

`plan_order_messages` writes one `Message` per channel (and per push device): queued, delayed by the client's
quiet hours, or skipped with the reason (switched off, no consent, nowhere to send). Each carries a dedupe key,
so planning the same moment twice adds nothing. `send_message` claims a queued message atomically before it
talks to the outside service, so a message is never sent twice even when its job is delivered twice.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cache
from urllib.parse import urlparse

from piccolo.query.methods.insert import OnConflictAction

from app.config import get_settings
from app.i18n import LANGUAGES, current_locale, current_time_zone, format_date, format_time, set_locale
from app.i18n import lazy_gettext as _l
from app.notifications import email as email_channel
from app.notifications import sms as sms_channel
from app.notifications.consent import NO_RECORD, consents_of
from app.notifications.errors import PermanentFailure, TemporaryFailure
from app.notifications.quiet import quiet_until
from app.notifications.switches import effective_switches
from app.notifications.triggers import (
    ACCEPTED, CHANNELS, DELIVERED_T, EMAIL, EXCEPTION, FAILED_ATTEMPT, PUSH, ROUTE_CHANGED, SMS, URGENT,
)
from app.notifications.webpush import payload, send_push
from app.notifications.wording import own_wordings, render
from app.orders.status import FAILED, NEW
from app.tracking.eta import order_progress
from app.tracking.links import tracking_url
from tables.notifications import Message, PushSubscription
from tables.orders import Order, OrderEvent
from tables.sync import DeliveryProof

QUEUED, DELAYED, SENDING, SENT, DELIVERED, FAILED_M, SKIPPED = (
    "queued", "delayed", "sending", "sent", "delivered", "failed", "skipped")
MAX_ATTEMPTS = 6

REASONS = {
    "switched_off": _l("This message is switched off for this client or the company."),
    "no_consent": _l("The client has not agreed to messages on this channel."),
    "no_recipient": _l("No address, number or device to send to."),
    "quiet_hours": _l("Waiting for the end of the client's quiet hours."),
}
TRIGGER_STATUS = {ACCEPTED: NEW, FAILED_ATTEMPT: FAILED}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def reason_text(reason: str) -> str:
    return str(REASONS[reason]) if reason in REASONS else reason


@cache
def _fact_columns() -> tuple:
    """Built once (piccolo deep-copies a joined column on each alias)."""
    return (
        Order.id, Order.reference, Order.status, Order.tracking_token, Order.deliver_from, Order.deliver_to,
        Order.contact_email, Order.dropoff.contact_phone.as_alias("contact_phone"),
        Order.client.id.as_alias("client_id"), Order.client.name.as_alias("client_name"),
        Order.client.email.as_alias("client_email"), Order.client.phone.as_alias("client_phone"),
        Order.client.locale.as_alias("locale"), Order.client.time_zone.as_alias("time_zone"),
    )


async def order_facts(order_id: int) -> dict | None:
    return await Order.select(*_fact_columns()).where(Order.id == order_id).first()


async def _latest_event_id(order_id: int, status: str) -> int:
    row = await OrderEvent.select(OrderEvent.id).where(
        (OrderEvent.order == order_id) & (OrderEvent.status == status)).order_by(OrderEvent.id, ascending=False).first()
    return row["id"] if row else 0


async def placeholder_values(facts: dict, trigger: str) -> dict[str, str]:
    """Everything a template may say, formatted in the client's language and time zone (set by the caller)."""
    progress = await order_progress(facts["id"], facts["status"])
    values = {"client": facts["client_name"], "reference": facts["reference"],
              "link": tracking_url(facts["tracking_token"]), "eta": format_time(progress.eta) if progress.eta else "",
              "stops_before": str(progress.stops_before or 0), "window": "", "delivered_at": "", "recipient": "",
              "reason": "", "courier": ""}
    if facts["deliver_from"] and facts["deliver_to"]:
        values["window"] = (f"{format_date(facts['deliver_from'])}, {format_time(facts['deliver_from'])}–"
                            f"{format_time(facts['deliver_to'])}")
    values["courier"] = (progress.courier_name.split() or [""])[0]
    if trigger not in (DELIVERED_T, FAILED_ATTEMPT):
        return values
    proof = await DeliveryProof.select(DeliveryProof.outcome, DeliveryProof.recipient_name, DeliveryProof.happened_at,
                                       DeliveryProof.reason_code, DeliveryProof.note).where(
        DeliveryProof.order == facts["id"]).order_by(DeliveryProof.happened_at, ascending=False).first()
    if proof and proof["outcome"] == "delivered":
        values["delivered_at"], values["recipient"] = format_time(proof["happened_at"]), proof["recipient_name"]
    elif proof:
        values["reason"] = proof["note"] or proof["reason_code"]
    if not values["reason"] and trigger == FAILED_ATTEMPT:
        event = await OrderEvent.select(OrderEvent.note).where(
            (OrderEvent.order == facts["id"]) & (OrderEvent.status == FAILED)).order_by(
            OrderEvent.id, ascending=False).first()
        values["reason"] = event["note"] if event else ""
    return values


def _push_recipient(subscription: dict) -> str:
    return f"{urlparse(subscription['endpoint']).hostname} #{subscription['id']}"


def _subscription_id(recipient: str) -> int:
    return int(recipient.rsplit("#", 1)[1])


async def plan_order_messages(order_id: int, trigger: str, occasion: int | None = None,
                              now: datetime | None = None) -> list[int]:
    """Archive this moment's messages for the order's client (and dispatch); returns the ids to send now."""
    now = now or _now()
    facts = await order_facts(order_id)
    if facts is None:
        return []
    settings = get_settings()
    locale = facts["locale"] if facts["locale"] in LANGUAGES else settings.default_locale
    if occasion is None:
        occasion = await _latest_event_id(order_id, TRIGGER_STATUS.get(trigger, trigger))
    switches = await effective_switches(facts["client_id"])
    consents = await consents_of(facts["client_id"])
    quiet = None if trigger in URGENT else quiet_until(now, facts["time_zone"], settings.quiet_hours)
    devices = await PushSubscription.select(PushSubscription.id, PushSubscription.endpoint).where(
        PushSubscription.order == order_id).order_by(PushSubscription.id)
    previous = current_locale(), current_time_zone()
    set_locale(locale, facts["time_zone"])
    try:
        values = await placeholder_values(facts, trigger)
        own = await own_wordings(trigger, locale)
        rows: list[Message] = []
        for channel in CHANNELS:
            wording = await render(trigger, channel, locale, values, own)
            if channel == PUSH:
                recipients = [_push_recipient(device) for device in devices] or [""]
            elif channel == SMS:
                recipients = [facts["contact_phone"] or facts["client_phone"]]
            else:
                recipients = [facts["contact_email"] or facts["client_email"]]
            for recipient in recipients:
                status, reason, send_after = QUEUED, "", None
                if not switches.get((trigger, channel), True):
                    status, reason = SKIPPED, "switched_off"
                elif not consents.get(channel, NO_RECORD).granted:
                    status, reason = SKIPPED, "no_consent"
                elif not recipient:
                    status, reason = SKIPPED, "no_recipient"
                elif quiet is not None:
                    status, reason, send_after = DELAYED, "quiet_hours", quiet
                rows.append(Message(
                    counterparty=facts["client_id"], order=order_id, trigger=trigger, channel=channel,
                    recipient=recipient, locale=locale, subject=wording.subject, body=wording.body, status=status,
                    reason=reason, send_after=send_after, created_at=now, updated_at=now,
                    dedupe_key=f"order:{order_id}:{trigger}:{occasion}:{channel}:{recipient}"[:200]))
        if trigger == FAILED_ATTEMPT:
            rows += await _dispatch_exception_messages(order_id, occasion, values, now)
    finally:
        set_locale(*previous)
    return await _archive(rows)


async def _dispatch_exception_messages(order_id: int, occasion: int, values: dict, now: datetime) -> list[Message]:
    """Dispatchers' devices hear of a failed attempt (in each dispatcher's language)."""
    devices = await PushSubscription.select(
        PushSubscription.id, PushSubscription.endpoint, PushSubscription.user.id.as_alias("user_id"),
        PushSubscription.user.locale.as_alias("locale")).where(
        PushSubscription.user.role.is_in(["dispatcher", "admin"]) & (PushSubscription.user.is_active == True)  # noqa: E712
    ).order_by(PushSubscription.id)
    rows = []
    for device in devices:
        wording = await render(EXCEPTION, PUSH, device["locale"], values)
        recipient = _push_recipient(device)
        rows.append(Message(order=order_id, user=device["user_id"], trigger=EXCEPTION, channel=PUSH,
                            recipient=recipient, locale=device["locale"], subject=wording.subject,
                            body=wording.body, status=QUEUED, created_at=now, updated_at=now,
                            dedupe_key=f"order:{order_id}:{EXCEPTION}:{occasion}:push:{recipient}"[:200]))
    return rows


async def plan_route_changed(courier_user_id: int, occasion: str, now: datetime | None = None) -> list[int]:
    now = now or _now()
    devices = await PushSubscription.select(PushSubscription.id, PushSubscription.endpoint,
                                            PushSubscription.user.locale.as_alias("locale")).where(
        PushSubscription.user == courier_user_id).order_by(PushSubscription.id)
    rows = []
    for device in devices:
        wording = await render(ROUTE_CHANGED, PUSH, device["locale"], {})
        recipient = _push_recipient(device)
        rows.append(Message(user=courier_user_id, trigger=ROUTE_CHANGED, channel=PUSH, recipient=recipient,
                            locale=device["locale"], subject=wording.subject, body=wording.body, status=QUEUED,
                            created_at=now, updated_at=now,
                            dedupe_key=f"user:{courier_user_id}:{ROUTE_CHANGED}:{occasion}:{recipient}"[:200]))
    return await _archive(rows)


async def _archive(rows: list[Message]) -> list[int]:
    if not rows:
        return []
    inserted = await Message.insert(*rows).on_conflict(
        target=Message.dedupe_key, action=OnConflictAction.do_nothing).returning(Message.id, Message.status)
    if len(inserted) == len(rows):  # the usual case: a first plan of this moment
        return sorted(row["id"] for row in inserted if row["status"] == QUEUED)
    queued = await Message.select(Message.id).where(
        Message.dedupe_key.is_in([row.dedupe_key for row in rows]) & (Message.status == QUEUED)).order_by(Message.id)
    return [row["id"] for row in queued]


async def release_due_messages(now: datetime | None = None) -> list[int]:
    """Messages whose quiet hours are over become queued again; returns their ids, to be sent."""
    rows = await Message.update({Message.status: QUEUED, Message.reason: "", Message.updated_at: now or _now()}).where(
        (Message.status == DELAYED) & (Message.send_after <= (now or _now()))).returning(Message.id)
    return [row["id"] for row in rows]


async def _finish(message_id: int, **values) -> None:
    await Message.update({**{getattr(Message, k): v for k, v in values.items()}, Message.updated_at: _now()}).where(
        Message.id == message_id)


_SEND_COLUMNS = (Message.id, Message.order, Message.trigger, Message.channel, Message.recipient, Message.locale,
                 Message.subject, Message.body, Message.attempts)


async def send_message(message_id: int) -> str:
    """Send one queued message on its channel and record the outcome. Returns the message's new status."""
    claimed = await Message.update({Message.status: SENDING, Message.attempts: Message.attempts + 1,
                                    Message.updated_at: _now()}).where(
        (Message.id == message_id) & (Message.status == QUEUED)).returning(*_SEND_COLUMNS)
    if not claimed:
        return "not queued"
    message = claimed[0]
    try:
        provider_id = await _deliver(message)
    except TemporaryFailure as exc:
        if claimed[0]["attempts"] >= MAX_ATTEMPTS:
            await _finish(message_id, status=FAILED_M, reason=str(exc)[:300])
            return FAILED_M
        await _finish(message_id, status=QUEUED, reason=str(exc)[:300])
        raise  # the job is retried with back-off
    except PermanentFailure as exc:
        await _finish(message_id, status=FAILED_M, reason=str(exc)[:300])
        return FAILED_M
    except Exception as exc:  # a bug of ours: leave the message to the job's retry, not stuck "sending"
        await _finish(message_id, status=QUEUED, reason=f"{type(exc).__name__}: {exc}"[:300])
        raise
    await _finish(message_id, status=SENT, reason="", provider_id=provider_id[:100], sent_at=_now())
    return SENT


async def _link(order_id: int | None) -> str:
    if not order_id:
        return ""
    order = await Order.select(Order.tracking_token).where(Order.id == order_id).first()
    return tracking_url(order["tracking_token"]) if order else ""


async def _deliver(message: dict) -> str:
    if message["channel"] == EMAIL:
        link = await _link(message["order"])
        previous = current_locale(), current_time_zone()
        set_locale(message["locale"])
        try:
            html = email_channel.html_body(message["subject"], message["body"], link, message["locale"])
        finally:
            set_locale(*previous)
        return await email_channel.send_email(message["recipient"], message["subject"], message["body"], html)
    if message["channel"] == SMS:
        callback = f"{get_settings().base_url.rstrip('/')}/api/v1/notifications/sms-status"
        return await sms_channel.send_sms(sms_channel.Outgoing(
            to=message["recipient"], text=message["body"], reference=str(message["id"]), callback_url=callback))
    if message["trigger"] == ROUTE_CHANGED:
        link = "/courier"
    elif message["trigger"] == EXCEPTION:
        link = "/board"
    else:
        link = await _link(message["order"])
    return await send_push(_subscription_id(message["recipient"]),
                           payload(message["subject"], message["body"], link, f"wb-{message['order'] or 'route'}"),
                           urgent=message["trigger"] in URGENT)


async def record_delivery_report(provider_id: str, status: str, detail: str = "") -> bool:
    """The SMS gateway's word on a message we sent: delivered, or failed after all. False if not ours."""
    new_status = {sms_channel.DELIVERED: DELIVERED, sms_channel.FAILED: FAILED_M}.get(status)
    if new_status is None:
        return await Message.exists().where((Message.provider_id == provider_id) & (Message.channel == SMS))
    rows = await Message.update({Message.status: new_status, Message.reason: detail[:300],
                                 Message.updated_at: _now()}).where(
        (Message.provider_id == provider_id) & (Message.channel == SMS)
        & Message.status.is_in([SENT, DELIVERED, FAILED_M])).returning(Message.id)
    return bool(rows)
