"""Trigger switches: each trigger on or off per channel, for the whole company and, overriding it, per client."""

from __future__ import annotations

from datetime import datetime, timezone

from app import audit
from app.audit import Actor
from app.db import writing
from app.errors import InvalidInput
from app.i18n import gettext as _
from app.notifications.triggers import CHANNELS, CLIENT_TRIGGERS
from tables.notifications import TriggerSetting


async def switches_for(counterparty_id: int | None) -> dict[tuple[str, str], bool]:
    """(trigger, channel) -> on/off as set at this level only (company when counterparty_id is None)."""
    query = TriggerSetting.select(TriggerSetting.trigger, TriggerSetting.channel, TriggerSetting.enabled)
    query = query.where(TriggerSetting.counterparty.is_null() if counterparty_id is None
                        else TriggerSetting.counterparty == counterparty_id)
    return {(row["trigger"], row["channel"]): row["enabled"] for row in await query}


async def effective_switches(counterparty_id: int) -> dict[tuple[str, str], bool]:
    """What applies to this client: their own setting, else the company's, else on (one plain query: it runs for
    every message planned)."""
    rows = await TriggerSetting.raw(
        "SELECT counterparty, trigger, channel, enabled FROM trigger_setting "
        "WHERE counterparty IS NULL OR counterparty = {}", counterparty_id)
    company = {(r["trigger"], r["channel"]): bool(r["enabled"]) for r in rows if r["counterparty"] is None}
    own = {(r["trigger"], r["channel"]): bool(r["enabled"]) for r in rows if r["counterparty"] is not None}
    return {(t, c): own.get((t, c), company.get((t, c), True)) for t in CLIENT_TRIGGERS for c in CHANNELS}


async def set_switch(actor: Actor, counterparty_id: int | None, trigger: str, channel: str,
                     enabled: bool | None) -> None:
    """Switch a trigger on a channel; for a client, None removes their own setting (the company's applies)."""
    if trigger not in CLIENT_TRIGGERS or channel not in CHANNELS:
        raise InvalidInput({"trigger": _("Choose a trigger and a channel.")})
    where = ((TriggerSetting.trigger == trigger) & (TriggerSetting.channel == channel)
             & (TriggerSetting.counterparty.is_null() if counterparty_id is None
                else TriggerSetting.counterparty == counterparty_id))
    async with writing():
        row = await TriggerSetting.objects().where(where).first()
        if enabled is None:
            if row is not None and counterparty_id is not None:
                await audit.delete(actor, row, summary=f"trigger {trigger}/{channel}: company setting applies")
            return
        if row is None:
            await audit.insert(actor, TriggerSetting(counterparty=counterparty_id, trigger=trigger, channel=channel,
                                                     enabled=enabled), summary=f"trigger {trigger}/{channel}")
        else:
            await audit.update(actor, row, {"enabled": enabled, "updated_at": datetime.now(timezone.utc)},
                               summary=f"trigger {trigger}/{channel}")
