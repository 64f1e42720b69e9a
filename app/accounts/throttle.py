"""Login throttling: after repeated failures an account, or an address, is locked for a while.

Counters are rows in the database, so several web processes share them and a restart forgets nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.db import writing
from tables.accounts import LoginThrottle

WINDOW = timedelta(minutes=15)
# An address may fail more often than one account: several people may log in from one office.
ADDRESS_FACTOR = 4


def keys_for(login: str, ip: str) -> dict[str, int]:
    """Throttle keys and how many failures each tolerates, relative to the per-account limit."""
    return {f"login:{login.strip().lower()}": 1, f"ip:{ip}": ADDRESS_FACTOR}


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def locked_until(keys: dict[str, int]) -> datetime | None:
    rows = await LoginThrottle.select(LoginThrottle.locked_until).where(
        LoginThrottle.key.is_in(list(keys)) & (LoginThrottle.locked_until > _now())
    )
    return max((row["locked_until"] for row in rows), default=None)


async def record_failure(keys: dict[str, int], max_failures: int, lock_minutes: int) -> None:
    now = _now()
    async with writing():
        for key, factor in keys.items():
            row = await LoginThrottle.objects().where(LoginThrottle.key == key).first()
            if row is None:
                row = LoginThrottle(key=key, failures=0, window_started_at=now)
            if now - row.window_started_at > WINDOW:
                row.failures, row.window_started_at = 0, now
            row.failures += 1
            if row.failures >= max_failures * factor:
                row.locked_until = now + timedelta(minutes=lock_minutes)
                row.failures = 0
            await row.save()


async def clear(login: str) -> None:
    await LoginThrottle.delete().where(LoginThrottle.key == f"login:{login.strip().lower()}")
