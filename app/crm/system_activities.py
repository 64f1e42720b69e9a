"""Activities the system makes by itself: a welcome call for a new client, a follow-up after a failed delivery.
(The reminder before a contract expires is in app/crm/contracts.py.) Each is made once, however often it runs."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from app import audit
from app.audit import Actor
from app.db import writing
from app.dispatch.day import company_today, company_zone
from app.i18n import gettext as _
from app.jobs import enqueue
from tables.activities import Activity
from tables.counterparties import Counterparty
from tables.orders import Order, OrderEvent

FOLLOW_UP_LOOKBACK = timedelta(days=2)


def _next_morning(hour: int = 10) -> datetime:
    day = company_today() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=company_zone()).astimezone(timezone.utc)


async def schedule_welcome_call(counterparty_id: int) -> None:
    await enqueue("crm_welcome_call", counterparty_id=counterparty_id)


async def make_welcome_call(counterparty_id: int) -> int | None:
    client = await Counterparty.select(Counterparty.name, Counterparty.manager).where(
        Counterparty.id == counterparty_id).first()
    if client is None or client["manager"] is None:
        return None
    if await Activity.exists().where((Activity.counterparty == counterparty_id) & (Activity.origin == "welcome")):
        return None
    start = _next_morning()
    async with writing():
        row = await audit.insert(Actor.system(), Activity(
            kind="call", counterparty=counterparty_id, performer=client["manager"], author=None,
            subject=_("Welcome call to %(name)s", name=client["name"]), starts_at=start,
            ends_at=start + timedelta(minutes=15), goal=_("Welcome the new client and learn what they ship."),
            priority="high", state="planned", origin="welcome", remind_at=start - timedelta(minutes=15)))
    return row.id


async def make_failed_delivery_follow_ups(now: datetime | None = None) -> int:
    now = now or datetime.now(timezone.utc)
    failed = await OrderEvent.select(
        OrderEvent.order, OrderEvent.order.reference.as_alias("reference"),
        OrderEvent.order.client.as_alias("client"), OrderEvent.order.client.manager.as_alias("manager"),
    ).where((OrderEvent.status == "failed") & (OrderEvent.at >= now - FOLLOW_UP_LOOKBACK))
    done = {row["order"] for row in await Activity.select(Activity.order).where(
        (Activity.origin == "failed_delivery") & Activity.order.is_in([row["order"] for row in failed] or [0]))}
    made = 0
    for row in failed:
        if row["order"] in done or not row["manager"]:
            continue
        done.add(row["order"])
        start = now.replace(second=0, microsecond=0) + timedelta(minutes=30)
        async with writing():
            await audit.insert(Actor.system(), Activity(
                kind="call", counterparty=row["client"], order=row["order"], performer=row["manager"], author=None,
                subject=_("Delivery %(reference)s failed: call the client", reference=row["reference"]),
                starts_at=start, ends_at=start + timedelta(minutes=15), priority="very_high", state="planned",
                origin="failed_delivery", remind_at=now))
        made += 1
    return made


async def orders_of(counterparty_id: int) -> int:
    return await Order.count().where(Order.client == counterparty_id)
