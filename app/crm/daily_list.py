"""The daily contact list: each morning, the clients due a call, shared among the managers.

A client is due when it has been silent longer than its `contact_every_days`, or when it breaks its own ordering
rhythm (a weekly shipper with no order for ten days is due today: silence > RHYTHM_SLACK x its usual gap, unless
a manager already called within that gap).
The list goes to the assigned manager first (the lead, then the co-managers); past DAILY_CAPACITY items the rest go
to the least-loaded manager of the lead's team. An item is done only when the result is recorded; an open item comes back the next morning with a
reminder, and after ESCALATE_AFTER mornings it goes to the manager's supervisor.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

from app import audit
from app.audit import Actor
from app.crm.activities import ActivityInput, complete, plan_activity
from app.crm.counterparties import co_managers_of
from app.crm.visibility import Viewer
from app.db import writing
from app.dispatch.day import company_today, company_zone
from app.errors import Forbidden, InvalidInput, NotFound
from app.i18n import gettext as _
from tables.accounts import User
from tables.activities import Activity
from tables.counterparties import Counterparty
from tables.crm import ContactListItem
from tables.orders import Order

DAILY_CAPACITY = 15
RHYTHM_SLACK = 1.4
ESCALATE_AFTER = 3
RHYTHM_WINDOW_DAYS = 180


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def refresh_order_rhythm(now: datetime | None = None) -> int:
    """Each client's last order and median days between order days over the last half year."""
    now = now or _now()
    rows = await Order.select(Order.client, Order.created_at).where(
        Order.created_at >= now - timedelta(days=RHYTHM_WINDOW_DAYS)).order_by(Order.client).order_by(
        Order.created_at)
    days: dict[int, list[date]] = defaultdict(list)
    last: dict[int, datetime] = {}
    for row in rows:
        day = row["created_at"].date()
        if not days[row["client"]] or days[row["client"]][-1] != day:
            days[row["client"]].append(day)
        last[row["client"]] = row["created_at"]
    for client, client_days in days.items():
        gaps = [(b - a).days for a, b in zip(client_days, client_days[1:])]
        rhythm = round(statistics.median(gaps)) if len(gaps) >= 2 else None
        await Counterparty.update({Counterparty.order_rhythm_days: rhythm,
                                   Counterparty.last_order_at: last[client]}).where(Counterparty.id == client)
    return len(days)


def due_reason(row: dict, now: datetime) -> tuple[str, int] | None:
    """('rhythm' | 'silence', days silent) when the client is due a contact today, else None."""
    last_touch = max([t for t in (row["last_contact_at"], row["last_order_at"], row["created_at"]) if t])
    silent = (now - last_touch).days
    rhythm = row["order_rhythm_days"]
    if rhythm and row["last_order_at"]:
        since_order = (now - row["last_order_at"]).days
        since_call = (now - row["last_contact_at"]).days if row["last_contact_at"] else since_order
        if since_order > rhythm * RHYTHM_SLACK and since_call >= rhythm:  # a call this week answers for the week
            return "rhythm", since_order
    if silent >= row["contact_every_days"]:
        return "silence", silent
    return None


async def build_daily_list(day: date | None = None, now: datetime | None = None) -> dict:
    """Carry over yesterday's open items, then add today's due clients, shared among the managers. Idempotent."""
    day = day or company_today()
    now = now or _now()
    managers = await User.select(User.id, User.supervisor).where(
        (User.role == "manager") & (User.is_active == True))  # noqa: E712
    supervisor_of = {row["id"]: row["supervisor"] for row in managers}
    carried = escalated = 0
    async with writing():
        stale = await ContactListItem.objects().where((ContactListItem.state == "open") & (ContactListItem.day < day))
        for item in stale:
            values = {"day": day, "carried_over": item.carried_over + 1}
            boss = supervisor_of.get(item.manager)
            if values["carried_over"] >= ESCALATE_AFTER and boss and item.escalated_to is None:
                values.update(escalated_to=boss, manager=boss)
                escalated += 1
            await audit.update(Actor.system(), item, values, summary="carried over")
            if item.activity:
                await Activity.update({Activity.remind_at: now, Activity.reminded_at: None}).where(
                    (Activity.id == item.activity) & Activity.state.is_in(["planned", "postponed", "rescheduled"]))
            carried += 1
        open_for = {row["counterparty"] for row in await ContactListItem.select(ContactListItem.counterparty).where(
            (ContactListItem.state == "open") | (ContactListItem.day == day))}
        load = defaultdict(int)
        for row in await ContactListItem.select(ContactListItem.manager).where(ContactListItem.day == day):
            load[row["manager"]] += 1
        candidates = await Counterparty.select(
            Counterparty.id, Counterparty.manager, Counterparty.last_contact_at, Counterparty.last_order_at,
            Counterparty.order_rhythm_days, Counterparty.contact_every_days, Counterparty.created_at,
        ).where((Counterparty.is_client == True) & Counterparty.merged_into.is_null()  # noqa: E712
                & Counterparty.state.is_in(["active", "prospect", "dormant"]))
        co_managers = await co_managers_of()
        due = []
        for row in candidates:
            if row["id"] in open_for:
                continue
            reason = due_reason(row, now)
            if reason:
                due.append((row, *reason))
        due.sort(key=lambda item: (item[1] != "rhythm", -item[2], item[0]["id"]))
        added = 0
        for row, reason, silent in due:
            manager = _share([row["manager"], *co_managers.get(row["id"], [])], supervisor_of, load)
            if manager is None:
                continue
            load[manager] += 1
            await ContactListItem.insert(ContactListItem(day=day, counterparty=row["id"], manager=manager,
                                                         reason=reason, days_silent=silent))
            added += 1
    return {"added": added, "carried": carried, "escalated": escalated}


def _share(holders: list[int | None], supervisor_of: dict[int, int | None], load: dict[int, int]) -> int | None:
    """The first of the client's managers (lead, then co-managers) with room, else the least-loaded manager of the
    lead's team. Managers who left are not in `supervisor_of`."""
    for holder in holders:
        if holder in supervisor_of and load[holder] < DAILY_CAPACITY:
            return holder
    assigned = holders[0]
    team_lead = supervisor_of.get(assigned) or assigned
    team = [m for m, boss in supervisor_of.items() if m == team_lead or boss == team_lead] or list(supervisor_of)
    if not team:
        return None
    best = min(team, key=lambda m: (load[m], m))
    return best if load[best] < DAILY_CAPACITY else None


async def my_list(viewer: Viewer, day: date | None = None) -> list[dict]:
    day = day or company_today()
    return await ContactListItem.select(
        ContactListItem.id, ContactListItem.reason, ContactListItem.days_silent, ContactListItem.state,
        ContactListItem.carried_over, ContactListItem.activity, ContactListItem.result, ContactListItem.escalated_to,
        ContactListItem.counterparty.as_alias("counterparty_id"),
        ContactListItem.counterparty.name.as_alias("counterparty_name"),
        ContactListItem.counterparty.phone.as_alias("phone"),
        ContactListItem.activity.state.as_alias("activity_state"),
        ContactListItem.activity.starts_at.as_alias("activity_starts_at"),
    ).where((ContactListItem.manager == viewer.user_id) & (ContactListItem.day == day)).order_by(
        ContactListItem.state, ascending=False).order_by(ContactListItem.carried_over, ascending=False).order_by(
        ContactListItem.id)


async def _item(viewer: Viewer, item_id: int) -> ContactListItem:
    item = await ContactListItem.objects().where(ContactListItem.id == item_id).first()
    if item is None:
        raise NotFound(_("No such item."))
    if item.manager != viewer.user_id and not viewer.sees_all:
        raise Forbidden(_("This item is on another manager's list."))
    return item


async def plan_call(actor: Actor, viewer: Viewer, item_id: int, starts_at: datetime | None = None) -> Activity:
    """Turn the item into a planned call (now, unless a time is given)."""
    item = await _item(viewer, item_id)
    if item.activity:
        found = await Activity.objects().where(Activity.id == item.activity).first()
        if found and found.state in ("planned", "postponed", "rescheduled"):
            return found
    client = await Counterparty.select(Counterparty.name).where(Counterparty.id == item.counterparty).first()
    when = starts_at or datetime.combine(company_today(), time(10), tzinfo=company_zone()).astimezone(timezone.utc)
    if starts_at is None and when < _now():
        when = _now().replace(second=0, microsecond=0)  # now: still today, whatever the hour
    activity = await plan_activity(actor, Viewer(viewer.user_id, "admin"), ActivityInput(
        kind="call", counterparty_id=item.counterparty, subject=_("Call %(name)s", name=client["name"]),
        starts_at=when, goal=_("Regular contact: %(days)s days without news.", days=item.days_silent),
        performer_id=viewer.user_id, origin="daily_list"))
    async with writing():
        await audit.update(actor, item, {"activity": activity.id})
    return activity


async def record_result(actor: Actor, viewer: Viewer, item_id: int, result: str) -> None:
    """The item is done only now: its call is completed with the result (planned on the spot if need be)."""
    item = await _item(viewer, item_id)
    if not result.strip():
        raise InvalidInput({"result": _("Record the result.")})
    activity = await plan_call(actor, viewer, item_id)
    await complete(actor, Viewer(viewer.user_id, "admin"), activity.id, result)
    item = await ContactListItem.objects().where(ContactListItem.id == item.id).first()
    if item.state != "done":
        async with writing():
            await audit.update(actor, item, {"state": "done", "result": result.strip()})
