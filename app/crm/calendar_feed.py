"""A private iCal feed per user, for their phone's calendar. The URL carries a 256-bit token; only its hash is
kept, so the URL is shown once when made (a new one replaces the old)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from icalendar import Calendar, Event

from app.crm.activities import ENTRY_COLUMNS, KINDS, OPEN
from app.db import writing
from tables.activities import Activity, CalendarFeed

FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=180)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def new_feed_token(user_id: int) -> str:
    token = secrets.token_urlsafe(32)
    async with writing():
        await CalendarFeed.delete().where(CalendarFeed.user == user_id)
        await CalendarFeed.insert(CalendarFeed(user=user_id, token_hash=_hash(token)))
    return token


async def has_feed(user_id: int) -> bool:
    return await CalendarFeed.exists().where(CalendarFeed.user == user_id)


async def feed_owner(token: str) -> int | None:
    if len(token) < 22:
        return None
    row = await CalendarFeed.select(CalendarFeed.user).where(CalendarFeed.token_hash == _hash(token)).first()
    return row["user"] if row else None


async def feed_ics(user_id: int, host: str, now: datetime | None = None) -> bytes:
    now = now or datetime.now(timezone.utc)
    rows = await Activity.select(*ENTRY_COLUMNS).where(
        (Activity.performer == user_id) & (Activity.starts_at >= now - FEED_PAST)
        & (Activity.starts_at < now + FEED_FUTURE) & (Activity.state != "cancelled")).order_by(Activity.starts_at)
    calendar = Calendar()
    calendar.add("prodid", "-//Waybill//CRM//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Waybill")
    for row in rows:
        event = Event()
        event.add("uid", f"activity-{row['id']}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", row["starts_at"])
        event.add("dtend", row["ends_at"] or row["starts_at"] + timedelta(minutes=30))
        title = f"{KINDS.get(row['kind'], row['kind'])}: {row['subject']}"
        if row["counterparty_name"]:
            title += f" — {row['counterparty_name']}"
        event.add("summary", title)
        if row["goal"]:
            event.add("description", row["goal"])
        event.add("status", "CONFIRMED" if row["state"] in OPEN else ("CANCELLED" if row["state"] == "cancelled"
                                                                      else "CONFIRMED"))
        calendar.add_component(event)
    return calendar.to_ical()
