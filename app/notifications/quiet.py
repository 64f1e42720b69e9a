"""Quiet hours in the client's own time zone: non-urgent messages wait until they end."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from app.i18n import valid_time_zone


def parse_quiet_hours(spec: str) -> tuple[time, time] | None:
    """"21:00-08:00" -> (21:00, 08:00); "" -> None."""
    if not spec or "-" not in spec:
        return None
    start, end = (time.fromisoformat(part.strip()) for part in spec.split("-", 1))
    return start, end


def quiet_until(moment: datetime, time_zone: str, spec: str) -> datetime | None:
    """When the quiet hours around `moment` end (UTC), or None if `moment` is outside them."""
    hours = parse_quiet_hours(spec)
    if hours is None:
        return None
    start, end = hours
    zone = ZoneInfo(time_zone if valid_time_zone(time_zone) else "UTC")
    local = moment.astimezone(zone)
    now_t = local.time()
    inside = (start <= now_t or now_t < end) if start > end else (start <= now_t < end)
    if not inside:
        return None
    end_day = local.date() if now_t < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=zone).astimezone(timezone.utc)
