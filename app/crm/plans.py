"""Plans against facts: a manager's targets per period and metric, and what they actually did.

Facts are counted from the records themselves (done activities, registered clients, orders and their revenue
from the manager's clients), one query per metric, so the page costs the same whatever the volume.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from piccolo.query.functions.aggregate import Sum

from app import audit
from app.audit import Actor
from app.crm.visibility import Viewer
from app.db import writing
from app.dispatch.day import company_zone
from app.errors import InvalidInput
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from tables.accounts import User
from tables.activities import Activity
from tables.counterparties import Counterparty, ManagerAssignment
from tables.crm import Plan
from tables.orders import Order

METRICS = {
    "activities:call": _l("Calls"), "activities:meeting": _l("Meetings"), "activities:visit": _l("Visits"),
    "activities:email": _l("E-mails"), "activities:task": _l("Tasks"), "new_clients": _l("New clients"),
    "orders": _l("Orders"), "revenue": _l("Revenue"),
}


@dataclass
class PlanLine:
    metric: str
    label: str
    target: int
    fact: int

    @property
    def difference(self) -> int:
        return self.fact - self.target

    @property
    def percent(self) -> int:
        return 100 if not self.target else round(100 * self.fact / self.target)

    @property
    def behind(self) -> bool:
        return self.fact < self.target


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = company_zone()
    return (datetime.combine(start, time.min, tzinfo=zone).astimezone(timezone.utc),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone).astimezone(timezone.utc))


def month_of(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return start, end


async def set_target(actor: Actor, viewer: Viewer, manager_id: int, start: date, end: date, metric: str,
                     target: int) -> Plan:
    errors = {}
    if not (viewer.sees_all or (manager_id in viewer.team and manager_id != viewer.user_id)):
        errors["manager"] = _("Only the manager's supervisor sets their plan: choose someone of your team.")
    if metric not in METRICS:
        errors["metric"] = _("Choose a metric.")
    if end < start:
        errors["period_end"] = _("The period ends before it starts.")
    if target < 0:
        errors["target"] = _("Enter a target of zero or more.")
    if errors:
        raise InvalidInput(errors)
    async with writing():
        row = await Plan.objects().where((Plan.manager == manager_id) & (Plan.metric == metric)
                                         & (Plan.period_start == start) & (Plan.period_end == end)).first()
        if row:
            await audit.update(actor, row, {"target": target, "set_by": actor.user_id})
            return row
        return await audit.insert(actor, Plan(manager=manager_id, period_start=start, period_end=end, metric=metric,
                                              target=target, set_by=actor.user_id))


async def fact(manager_id: int, metric: str, start: datetime, end: datetime) -> int:
    if metric.startswith("activities:"):
        return await Activity.count().where(
            (Activity.performer == manager_id) & (Activity.kind == metric.split(":", 1)[1])
            & (Activity.state == "done") & (Activity.done_at >= start) & (Activity.done_at < end))
    if metric == "new_clients":
        return await Counterparty.count().where(
            (Counterparty.registered_by == manager_id) & (Counterparty.created_at >= start)
            & (Counterparty.created_at < end))
    co_managed = ManagerAssignment.select(ManagerAssignment.counterparty).where(
        (ManagerAssignment.manager == manager_id) & ManagerAssignment.ended_at.is_null()
        & (ManagerAssignment.lead == False))  # noqa: E712
    held = (Order.client.manager == manager_id) | Order.client.is_in(co_managed)  # co-managers share the credit
    own_orders = held & (Order.created_at >= start) & (Order.created_at < end) & (Order.status != "cancelled")
    if metric == "orders":
        return await Order.count().where(own_orders)
    row = await Order.select(Sum(Order.price, alias="total")).where(own_orders).first()
    return int(row["total"] or 0)


async def plan_vs_fact(manager_id: int, start: date, end: date) -> list[PlanLine]:
    targets = {row["metric"]: row["target"] for row in await Plan.select(Plan.metric, Plan.target).where(
        (Plan.manager == manager_id) & (Plan.period_start >= start) & (Plan.period_end <= end))}
    since, until = bounds(start, end)
    lines = []
    for metric, label in METRICS.items():
        if metric in targets:
            lines.append(PlanLine(metric, str(label), targets[metric], await fact(manager_id, metric, since, until)))
    return lines


async def team_plan_vs_fact(viewer: Viewer, start: date, end: date) -> list[dict]:
    """Each visible manager's lines, and the team's totals per metric."""
    query = User.select(User.id, User.full_name).where(User.role == "manager").order_by(User.full_name)
    if not viewer.sees_all:
        query = query.where(User.id.is_in(list(viewer.team)))
    people = await query
    result = []
    totals: dict[str, PlanLine] = {}
    for person in people:
        lines = await plan_vs_fact(person["id"], start, end)
        result.append({"manager": person, "lines": lines})
        for line in lines:
            total = totals.setdefault(line.metric, PlanLine(line.metric, line.label, 0, 0))
            total.target += line.target
            total.fact += line.fact
    return [{"manager": {"id": 0, "full_name": _("Team")}, "lines": list(totals.values())}, *result]


async def management_tasks(manager_id: int, start: date, end: date) -> list[dict]:
    """Tasks management added to the manager's plan for the period."""
    since, until = bounds(start, end)
    return await Activity.select(Activity.id, Activity.subject, Activity.state, Activity.starts_at,
                                 Activity.author.full_name.as_alias("author_name")).where(
        (Activity.performer == manager_id) & (Activity.kind == "task") & (Activity.author != manager_id)
        & (Activity.starts_at >= since) & (Activity.starts_at < until)).order_by(Activity.starts_at)
