"""From a moment in an order's life to messages: who gets what on which channel, or why not; then sending them.

`plan_order_messages` writes one `Message` per channel (and per push device): queued, delayed by the client's
quiet hours, or skipped with the reason (switched off, no consent, nowhere to send). Each carries a dedupe key,
so planning the same moment twice adds nothing. `send_message` claims a queued message atomically before it
talks to the outside service, so a message is never sent twice even when its job is delivered twice.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from urllib.parse import urlparse

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


# Plain SQL: this joined read runs for every moment of every order, and Piccolo's builder costs more than the query.
_FACTS_SQL = """
    SELECT o.id, o.reference, o.status, o.tracking_token, o.deliver_from, o.deliver_to, o.contact_email,
           d.contact_phone AS contact_phone, c.id AS client_id, c.name AS client_name, c.email AS client_email,
           c.phone AS client_phone, c.locale AS locale, c.time_zone AS time_zone,
           (SELECT MAX(e.id) FROM order_event e WHERE e."order" = o.id AND e.status = {}) AS latest_event_id
    FROM delivery_order o
    LEFT JOIN place d ON d.id = o.dropoff
    LEFT JOIN counterparty c ON c.id = o.client
    WHERE o.id = {}"""


async def order_facts(order_id: int, event_status: str = "") -> dict | None:
    """The order, its client and drop-off contact, and its latest event of `event_status` (one query)."""
    rows = await Order.raw(_FACTS_SQL, event_status, order_id)
    return rows[0] if rows else None


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
    return (await plan_order_moment(order_id, trigger, occasion, now))[0]


async def plan_order_moment(order_id: int, trigger: str, occasion: int | None = None,
                            now: datetime | None = None) -> tuple[list[int], dict[int, str]]:
    """`plan_order_messages`, and the order's tracking link for sending them (`send_messages(ids, links)`)."""
    now = now or _now()
    facts = await order_facts(order_id, TRIGGER_STATUS.get(trigger, trigger))
    if facts is None:
        return [], {}
    settings = get_settings()
    locale = facts["locale"] if facts["locale"] in LANGUAGES else settings.default_locale
    if occasion is None:
        occasion = facts["latest_event_id"] or 0
    switches = await effective_switches(facts["client_id"])
    consents = await consents_of(facts["client_id"])
    quiet = None if trigger in URGENT else quiet_until(now, facts["time_zone"], settings.quiet_hours)
    devices = await PushSubscription.raw(
        "SELECT id, endpoint FROM push_subscription WHERE \"order\" = {} ORDER BY id", order_id)
    previous = current_locale(), current_time_zone()
    set_locale(locale, facts["time_zone"])
    try:
        values = await placeholder_values(facts, trigger)
        own = await own_wordings(trigger, locale)
        rows: list[dict] = []
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
                rows.append(_row(
                    counterparty=facts["client_id"], order=order_id, trigger=trigger, channel=channel,
                    recipient=recipient, locale=locale, subject=wording.subject, body=wording.body, status=status,
                    reason=reason, send_after=send_after, created_at=now, updated_at=now,
                    dedupe_key=f"order:{order_id}:{trigger}:{occasion}:{channel}:{recipient}"[:200]))
        if trigger == FAILED_ATTEMPT:
            rows += await _dispatch_exception_messages(order_id, occasion, values, now)
    finally:
        set_locale(*previous)
    return await _archive(rows), {order_id: values["link"]}


async def _dispatch_exception_messages(order_id: int, occasion: int, values: dict, now: datetime) -> list[dict]:
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
        rows.append(_row(order=order_id, user=device["user_id"], trigger=EXCEPTION, channel=PUSH,
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
        rows.append(_row(user=courier_user_id, trigger=ROUTE_CHANGED, channel=PUSH, recipient=recipient,
                            locale=device["locale"], subject=wording.subject, body=wording.body, status=QUEUED,
                            created_at=now, updated_at=now,
                            dedupe_key=f"user:{courier_user_id}:{ROUTE_CHANGED}:{occasion}:{recipient}"[:200]))
    return await _archive(rows)


_ARCHIVE_COLUMNS = ("counterparty", "order", "user", "trigger", "channel", "recipient", "locale", "subject", "body",
                    "status", "reason", "send_after", "created_at", "updated_at", "dedupe_key")
_QUOTED_COLUMNS = ", ".join('"%s"' % column for column in _ARCHIVE_COLUMNS)


def _row(**values) -> dict:
    """A message to archive, as plain values (building Piccolo objects cost more than the insert itself)."""
    return {"counterparty": None, "order": None, "user": None, "reason": "", "send_after": None, **values}


async def _archive(rows: list[dict]) -> list[int]:
    """Insert the moment's messages, skipping any already planned (same dedupe key); the queued ids to send."""
    if not rows:
        return []
    line = "(" + ", ".join("{}" for _ in _ARCHIVE_COLUMNS) + ")"
    inserted = await Message.raw(
        f"INSERT INTO notification_message ({_QUOTED_COLUMNS}) VALUES {', '.join(line for _ in rows)} "
        "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, status",
        *(row[column] for row in rows for column in _ARCHIVE_COLUMNS))
    if len(inserted) == len(rows):  # the usual case: a first plan of this moment
        return sorted(row["id"] for row in inserted if row["status"] == QUEUED)
    queued = await Message.select(Message.id).where(
        Message.dedupe_key.is_in([row["dedupe_key"] for row in rows]) & (Message.status == QUEUED)).order_by(
        Message.id)
    return [row["id"] for row in queued]


async def release_due_messages(now: datetime | None = None) -> list[int]:
    """Messages whose quiet hours are over become queued again; returns their ids, to be sent."""
    rows = await Message.update({Message.status: QUEUED, Message.reason: "", Message.updated_at: now or _now()}).where(
        (Message.status == DELAYED) & (Message.send_after <= (now or _now()))).returning(Message.id)
    return [row["id"] for row in rows]


async def _finish(message_id: int, **values) -> None:
    await Message.update({**{getattr(Message, k): v for k, v in values.items()}, Message.updated_at: _now()}).where(
        Message.id == message_id)


_SEND_COLUMNS = 'id, "order", trigger, channel, recipient, locale, subject, body, attempts'


async def send_message(message_id: int) -> str:
    """Send one queued message on its channel and record the outcome. Returns the message's new status; raises
    what a retry should follow (a busy service, a bug of ours)."""
    outcome = (await send_messages([message_id]))[message_id]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


async def send_messages(message_ids: list[int], links: dict[int, str] | None = None) -> dict[int, str | BaseException]:
    """Send queued messages side by side: claimed together in one statement (a message is claimed before it is
    sent, so never sent twice), the tracking links they need read in one query unless given. Returns per id the
    new status, or the exception a retry should follow (the message is queued again for it)."""
    outcomes: dict[int, str | BaseException] = {message_id: "not queued" for message_id in message_ids}
    if not message_ids:
        return outcomes
    claimed = await Message.raw(
        "UPDATE notification_message SET status = {}, attempts = attempts + 1, updated_at = {} "
        f"WHERE status = {{}} AND id IN ({', '.join('{}' for _ in message_ids)}) RETURNING {_SEND_COLUMNS}",
        SENDING, _now(), QUEUED, *message_ids)
    links = links or {}
    links = {**links, **await _links([m["order"] for m in claimed if m["order"] and m["order"] not in links])}
    results = await asyncio.gather(*(_deliver(message, links) for message in claimed), return_exceptions=True)
    sent = {message["id"]: result[:100] for message, result in zip(claimed, results)
            if not isinstance(result, BaseException)}
    await _record_sent(sent)
    for message, result in zip(claimed, results):
        outcomes[message["id"]] = SENT if message["id"] in sent else await _record_failure(message, result)
    return outcomes


async def _record_sent(provider_ids: dict[int, str]) -> None:
    """The sent messages of a batch with each one's provider id, in one statement."""
    if not provider_ids:
        return
    now = _now()
    cases = " ".join("WHEN {} THEN {}" for _ in provider_ids)
    marks = ", ".join("{}" for _ in provider_ids)
    await Message.raw(
        f"UPDATE notification_message SET status = {{}}, reason = {{}}, sent_at = {{}}, updated_at = {{}}, "
        f"provider_id = CASE id {cases} END WHERE id IN ({marks})",
        SENT, "", now, now, *(value for pair in provider_ids.items() for value in pair), *provider_ids)


async def _record_failure(message: dict, result: BaseException) -> str | BaseException:
    """A message that did not go: failed for good, or queued again for the job's retry."""
    if isinstance(result, PermanentFailure) or (isinstance(result, TemporaryFailure)
                                                and message["attempts"] >= MAX_ATTEMPTS):
        await _finish(message["id"], status=FAILED_M, reason=str(result)[:300])
        return FAILED_M
    # A busy service (retried with back-off), or a bug of ours: queued for the job's retry, not stuck "sending".
    reason = str(result) if isinstance(result, TemporaryFailure) else f"{type(result).__name__}: {result}"
    await _finish(message["id"], status=QUEUED, reason=reason[:300])
    return result


async def _links(order_ids: list[int]) -> dict[int, str]:
    """The tracking link of each order (one query)."""
    if not order_ids:
        return {}
    rows = await Order.select(Order.id, Order.tracking_token).where(Order.id.is_in(sorted(set(order_ids))))
    return {row["id"]: tracking_url(row["tracking_token"]) for row in rows}


async def _deliver(message: dict, links: dict[int, str]) -> str:
    link = links.get(message["order"], "")
    if message["channel"] == EMAIL:
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
