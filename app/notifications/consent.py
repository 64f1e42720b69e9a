"""Consent per channel: a message goes out on a channel only if the client said yes to it, with when and how.

Records (tables.notifications.ChannelConsent, also written by the CRM when a client is registered) are
append-only: the latest one for a (client, channel) is the client's current answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from app import audit
from app.audit import Actor
from tables.notifications import ChannelConsent


@dataclass(frozen=True)
class ConsentState:
    granted: bool
    at: datetime | None
    how: str


NO_RECORD = ConsentState(granted=False, at=None, how="")


async def consents_of(counterparty_id: int) -> dict[str, ConsentState]:
    """The current answer per channel (one plain query: it runs for every message planned)."""
    rows = await ChannelConsent.raw(
        "SELECT channel, granted, at, how FROM channel_consent WHERE counterparty = {} ORDER BY id", counterparty_id)
    return {row["channel"]: ConsentState(bool(row["granted"]), row["at"], row["how"]) for row in rows}


async def consent_for(counterparty_id: int, channel: str) -> ConsentState:
    return (await consents_of(counterparty_id)).get(channel, NO_RECORD)


async def record_consent(actor: Actor, counterparty_id: int, channel: str, granted: bool, how: str,
                         at: datetime | None = None) -> None:
    """Append the client's answer (call inside `app.db.writing()` when part of a larger change)."""
    await audit.insert(actor, ChannelConsent(counterparty=counterparty_id, channel=channel, granted=granted,
                                             at=at or datetime.now(timezone.utc), how=how[:200]),
                       summary=f"consent {channel}: {'yes' if granted else 'no'} ({how})")
