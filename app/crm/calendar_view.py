"""The calendar's grid: which days a day, week or month view shows, and each day's activities (local time)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from app.crm.activities import calendar_entries
from app.i18n import local_time

VIEWS = ("day", "week", "month")


def days_of(view: str, day: date) -> list[date]:
    if view == "day":
        return [day]
    if view == "week":
        monday = day - timedelta(days=day.weekday())
        return [monday + timedelta(days=n) for n in range(7)]
    first = day.replace(day=1)
    start = first - timedelta(days=first.weekday())
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    end = last + timedelta(days=6 - last.weekday())
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def step(view: str, day: date, forward: bool) -> date:
    sign = 1 if forward else -1
    if view == "day":
        return day + timedelta(days=sign)
    if view == "week":
        return day + timedelta(days=7 * sign)
    moved = (day.replace(day=1) + timedelta(days=32 * sign if forward else -1)).replace(day=1)
    return moved


async def grid(performer_id: int, view: str, day: date, time_zone: str) -> list[dict]:
    days = days_of(view, day)
    zone = ZoneInfo(time_zone)
    start = datetime.combine(days[0], time.min, tzinfo=zone).astimezone(timezone.utc)
    end = datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=zone).astimezone(timezone.utc)
    by_day = defaultdict(list)
    for row in await calendar_entries(performer_id, start, end):
        local = local_time(row["starts_at"], time_zone)
        row["local_start"] = local.strftime("%Y-%m-%dT%H:%M")
        by_day[local.date()].append(row)
    return [{"day": d, "entries": by_day.get(d, []), "in_month": d.month == day.month} for d in days]
