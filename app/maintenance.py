"""Housekeeping jobs the clock runs on a schedule."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.accounts.sessions import purge_expired_sessions
from app.jobs import job_actor
from tables.accounts import LoginThrottle


@job_actor(queue_name="default")
async def purge_expired() -> dict:
    """Drop expired sessions and stale login counters, so the tables stay small."""
    sessions = await purge_expired_sessions()
    cutoff = datetime.now(timezone.utc) - timedelta(days=1)
    await LoginThrottle.delete().where(
        (LoginThrottle.window_started_at < cutoff)
        & (LoginThrottle.locked_until.is_null() | (LoginThrottle.locked_until < cutoff))
    )
    return {"sessions": sessions}
