"""The tracking page's rate limit: a fixed-window counter per caller, kept in the database so that every web
process counts the same requests. Three single statements, each atomic, so concurrent requests never lose a
count nor collide on the first insert."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from piccolo.query.methods.insert import OnConflictAction

from tables.tracking import RequestCounter

WINDOW = timedelta(minutes=1)


async def allow_request(key: str, limit: int, now: datetime | None = None) -> bool:
    """Count one request under `key`; False once the current window already holds `limit` of them."""
    now = now or datetime.now(timezone.utc)
    await RequestCounter.insert(RequestCounter(key=key, hits=0, window_started_at=now)).on_conflict(
        target=RequestCounter.key, action=OnConflictAction.do_nothing)
    await RequestCounter.update({RequestCounter.hits: 0, RequestCounter.window_started_at: now}).where(
        (RequestCounter.key == key) & (RequestCounter.window_started_at <= now - WINDOW))
    counted = await RequestCounter.update({RequestCounter.hits: RequestCounter.hits + 1}).where(
        (RequestCounter.key == key) & (RequestCounter.hits < limit)).returning(RequestCounter.id)
    return bool(counted)


async def purge_old_counters(now: datetime | None = None) -> int:
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(hours=1)
    rows = await RequestCounter.delete().where(RequestCounter.window_started_at < cutoff).returning(RequestCounter.id)
    return len(rows)
