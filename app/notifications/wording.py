"""What a message says: per trigger, channel and language. An admin's template wins; else the built-in wording,
translated like every other string. Placeholders are `{name}` from a fixed list, replaced by plain text (no
format-string evaluation, so a template can never reach into objects)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from app import audit
from app.audit import Actor
from app.db import writing
from app.errors import InvalidInput
from app.i18n import LANGUAGES, current_locale, current_time_zone, gettext, set_locale
from app.i18n import lazy_gettext as _l
from app.notifications.triggers import (
    ACCEPTED, ARRIVING_SOON, DELIVERED_T, EMAIL, EXCEPTION, FAILED_ATTEMPT, OUT_FOR_DELIVERY_T, PUSH,
    ROUTE_CHANGED, SMS,
)
from tables.notifications import MessageTemplate

PLACEHOLDERS = {
    "client": _l("the client's name"),
    "reference": _l("the order reference"),
    "link": _l("the tracking link"),
    "window": _l("the delivery time window"),
    "eta": _l("the expected arrival time"),
    "stops_before": _l("how many stops before this one"),
    "delivered_at": _l("when it was delivered"),
    "recipient": _l("who received it"),
    "reason": _l("why the delivery failed"),
    "courier": _l("the courier's first name"),
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
MAX_SMS = 480  # three concatenated segments

# Built-in wording: (subject, body). Short for SMS and push; e-mail gets the same text plus its HTML layout.
_DEFAULTS = {
    ACCEPTED: (_l("Your delivery {reference} is booked"),
               _l("Hello {client}, we have your delivery {reference} ({window}). Follow it here: {link}")),
    OUT_FOR_DELIVERY_T: (_l("Your delivery {reference} is on its way"),
                         _l("Your delivery {reference} is on its way, expected at {eta}. Follow it: {link}")),
    ARRIVING_SOON: (_l("Your courier arrives soon"),
                    _l("{courier} arrives with your delivery {reference} at about {eta}. {link}")),
    DELIVERED_T: (_l("Your delivery {reference} was delivered"),
                  _l("Delivered at {delivered_at}, received by {recipient}. Proof and rating: {link}")),
    FAILED_ATTEMPT: (_l("We could not deliver {reference}"),
                     _l("We could not deliver {reference}: {reason}. Choose a new time or leave instructions "
                        "here: {link}, or reply to this message.")),
    EXCEPTION: (_l("Failed attempt: {reference}"), _l("{reference} for {client} failed: {reason}.")),
    ROUTE_CHANGED: (_l("Your route changed"), _l("Your route for today changed. Open the app to see it.")),
}

SAMPLE = {
    "client": "Marie Dupont", "reference": "WB-260124-0042", "link": "https://waybill.example.com/t/Xy7…",
    "window": "14:00–16:00", "eta": "14:35", "stops_before": "2", "delivered_at": "14:41",
    "recipient": "Jean", "reason": "nobody at home", "courier": "Karim",
}


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def default_wording(trigger: str, locale: str) -> Wording:
    previous = current_locale(), current_time_zone()
    set_locale(locale)
    try:
        subject, body = _DEFAULTS[trigger]
        return Wording(str(subject), str(body))
    finally:
        set_locale(*previous)


async def wording_for(trigger: str, channel: str, locale: str) -> Wording:
    row = await MessageTemplate.select(MessageTemplate.subject, MessageTemplate.body).where(
        (MessageTemplate.trigger == trigger) & (MessageTemplate.channel == channel)
        & (MessageTemplate.locale == locale)).first()
    if row:
        return Wording(row["subject"], row["body"])
    return default_wording(trigger, locale)


async def own_wordings(trigger: str, locale: str) -> dict[str, Wording]:
    """The admin's wordings of one trigger in one language, per channel (one plain query for all channels: it
    runs for every moment notified)."""
    rows = await MessageTemplate.raw(
        "SELECT channel, subject, body FROM message_template WHERE trigger = {} AND locale = {}", trigger, locale)
    return {row["channel"]: Wording(row["subject"], row["body"]) for row in rows}


async def render(trigger: str, channel: str, locale: str, values: dict[str, str],
                 own: dict[str, Wording] | None = None) -> Wording:
    """The message in `locale` with `values` filled in; pass `own` (from own_wordings) to save a query."""
    wording = own.get(channel) if own is not None else None
    if wording is None:
        wording = default_wording(trigger, locale) if own is not None else await wording_for(trigger, channel, locale)
    body = fill(wording.body, values)
    if channel == SMS:
        body = body[:MAX_SMS]
    return Wording(fill(wording.subject, values), body)


def check_template(subject: str, body: str, channel: str) -> dict[str, str]:
    errors = {}
    unknown = sorted({name for name in PLACEHOLDER.findall(subject + " " + body) if name not in PLACEHOLDERS})
    if unknown:
        errors["body"] = gettext("Unknown placeholders: %(names)s", names=", ".join("{%s}" % n for n in unknown))
    if not body.strip():
        errors["body"] = gettext("Write the message.")
    if channel == EMAIL and not subject.strip():
        errors["subject"] = gettext("An e-mail needs a subject.")
    if len(subject) > 200:
        errors["subject"] = gettext("At most %(n)s characters, please.", n=200)
    return errors


def preview(subject: str, body: str, channel: str) -> Wording:
    """The message as a client would read it, with sample values."""
    text = fill(body, SAMPLE)
    return Wording(fill(subject, SAMPLE), text[:MAX_SMS] if channel == SMS else text)


async def save_template(actor: Actor, trigger: str, channel: str, locale: str, subject: str, body: str) -> None:
    if trigger not in _DEFAULTS or channel not in (EMAIL, SMS, PUSH) or locale not in LANGUAGES:
        raise InvalidInput({"trigger": gettext("Choose a trigger, a channel and a language.")})
    errors = check_template(subject, body, channel)
    if errors:
        raise InvalidInput(errors)
    async with writing():
        row = await MessageTemplate.objects().where(
            (MessageTemplate.trigger == trigger) & (MessageTemplate.channel == channel)
            & (MessageTemplate.locale == locale)).first()
        values = {"subject": subject.strip(), "body": body.strip(), "updated_at": datetime.now(timezone.utc)}
        if row is None:
            await audit.insert(actor, MessageTemplate(trigger=trigger, channel=channel, locale=locale, **values),
                               summary=f"template {trigger}/{channel}/{locale}")
        else:
            await audit.update(actor, row, values, summary=f"template {trigger}/{channel}/{locale}")


async def reset_template(actor: Actor, trigger: str, channel: str, locale: str) -> None:
    async with writing():
        row = await MessageTemplate.objects().where(
            (MessageTemplate.trigger == trigger) & (MessageTemplate.channel == channel)
            & (MessageTemplate.locale == locale)).first()
        if row is not None:
            await audit.delete(actor, row, summary=f"template {trigger}/{channel}/{locale} back to built-in")


async def customised() -> set[tuple[str, str, str]]:
    rows = await MessageTemplate.select(MessageTemplate.trigger, MessageTemplate.channel, MessageTemplate.locale)
    return {(r["trigger"], r["channel"], r["locale"]) for r in rows}

