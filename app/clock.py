"""The schedule: periodic jobs sent to the workers, and the re-sending of jobs whose worker died.

Runs as its own single process in production (`Procfile: clock`), or as a task inside the web process in the
embedded set-up.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from app import jobs

log = logging.getLogger("waybill.clock")


@dataclass
class Every:
    actor: str
    seconds: int


SCHEDULE = [
    Every("purge_expired", 3600),
    Every("crm_activity_reminders", 60),
    Every("crm_failed_delivery_follow_ups", 600),
    Every("crm_contract_reminders", 6 * 3600),
    Every("crm_daily_contact_list", 3600),  # idempotent: the first run of a day builds it, later ones add late arrivals
    Every("notify_arriving_soon", 60),
    Every("release_quiet_messages", 60),
    Every("purge_sync_change_log", 24 * 3600),
]
RESEND_EVERY_S = 300
RESEND_STALE = timedelta(minutes=10)


async def tick(last_run: dict[str, float], now: float) -> list[str]:
    """Send every scheduled job that is due; returns the names sent."""
    sent = []
    for entry in SCHEDULE:
        if now - last_run.get(entry.actor, 0.0) >= entry.seconds:
            await jobs.enqueue(entry.actor)
            last_run[entry.actor] = now
            sent.append(entry.actor)
    if now - last_run.get("_resend", 0.0) >= RESEND_EVERY_S:
        await jobs.resend_unfinished(stale_after=RESEND_STALE)
        last_run["_resend"] = now
    return sent


async def run_forever(poll_s: float = 30.0) -> None:
    last_run: dict[str, float] = {"_resend": time.time()}
    while True:
        try:
            await tick(last_run, time.time())
        except Exception:  # noqa: BLE001 - the clock must keep ticking; the failure is logged
            log.exception("clock tick failed")
        await asyncio.sleep(poll_s)
