"""The company's weights for the optimizer, set by an admin or a dispatcher: what an hour of waiting is worth to
a client who puts time first, and the time-vs-cost priority of clients who chose none (new orders take it)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from app.audit import Actor, insert, update
from app.config import get_settings
from app.db import writing
from app.errors import InvalidInput
from app.i18n import format_money
from app.i18n import gettext as _
from app.orders.fields import Collector
from tables.planning import PlanningSetting

MAX_DELAY_COST_PER_HOUR = 100_000
"""Minor units. Above this, waiting outweighs any route cost and the optimizer would rather leave orders out."""


@dataclass(frozen=True)
class PlanningSettings:
    delay_cost_per_hour: int = 2000
    """Minor units per hour between a time-first client's window opening and the courier's arrival."""
    default_priority: int = 50
    """0 (cost first) .. 100 (time first)."""


DEFAULTS = PlanningSettings()


async def planning_settings() -> PlanningSettings:
    row = await PlanningSetting.select(PlanningSetting.delay_cost_per_hour, PlanningSetting.default_priority).first()
    return PlanningSettings(**row) if row else DEFAULTS


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_settings(raw: dict) -> PlanningSettings:
    """Clean values from a form (the delay cost in major units, as people type it: "12.50") or the API (an
    integer: minor units)."""
    fields = Collector(raw)
    if _blank(raw.get("delay_cost_per_hour")):
        fields.errors["delay_cost_per_hour"] = _("Enter an amount such as 12.50.")
    cost = fields.money("delay_cost_per_hour")
    if "delay_cost_per_hour" not in fields.errors and cost > MAX_DELAY_COST_PER_HOUR:
        fields.errors["delay_cost_per_hour"] = _("At most %(amount)s an hour.", amount=format_money(
            MAX_DELAY_COST_PER_HOUR, get_settings().default_currency))
    if _blank(raw.get("default_priority")):
        fields.errors["default_priority"] = _("Enter a number between %(low)s and %(high)s.", low=0, high=100)
    priority = fields.integer("default_priority", DEFAULTS.default_priority, 0, 100)
    if fields.errors:
        raise InvalidInput(fields.errors)
    return PlanningSettings(delay_cost_per_hour=cost, default_priority=priority)


async def change_settings(actor: Actor, raw: dict) -> PlanningSettings:
    """Validate and save (audited); the next optimization and the next new order use them."""
    chosen = read_settings(raw)
    async with writing():
        row = await PlanningSetting.objects().first()
        if row is None:
            await insert(actor, PlanningSetting(**asdict(chosen), updated_by=actor.user_id),
                         summary="optimizer settings")
        elif chosen != PlanningSettings(row.delay_cost_per_hour, row.default_priority):
            await update(actor, row, {**asdict(chosen), "updated_by": actor.user_id,
                                      "updated_at": datetime.now(timezone.utc)}, summary="optimizer settings")
    return chosen
