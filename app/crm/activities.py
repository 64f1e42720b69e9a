"""Activities: planning a call or a visit, doing it, moving it (the history is kept), and a supervisor checking it.

States: planned, postponed and rescheduled are open; done and cancelled are closed. An open activity whose time
has passed is *overdue* — computed, never stored, so it cannot go stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from app import audit
from app.accounts.roles import ADMIN
from app.audit import Actor
from app.crm.visibility import Viewer, may_see, require_visible
from app.db import writing
from app.errors import Forbidden, InvalidInput, NotFound
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from tables.accounts import User
from tables.activities import Activity, ActivityReschedule
from tables.counterparties import Contact, Counterparty
from tables.orders import Order

KINDS = {"call": _l("Call"), "meeting": _l("Meeting"), "email": _l("E-mail"), "task": _l("Task"),
         "visit": _l("Visit")}
PRIORITIES = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "very_high": _l("Very high")}
STATES = {"planned": _l("Planned"), "done": _l("Done"), "postponed": _l("Postponed"),
          "cancelled": _l("Cancelled"), "rescheduled": _l("Rescheduled"), "overdue": _l("Overdue")}
OPEN = ("planned", "postponed", "rescheduled")
DEFAULT_LENGTH = timedelta(minutes=30)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def is_overdue(row: dict, now: datetime | None = None) -> bool:
    return row["state"] in OPEN and row["starts_at"] < (now or _now())


def shown_state(row: dict, now: datetime | None = None) -> str:
    return "overdue" if is_overdue(row, now) else row["state"]


@dataclass
class ActivityInput:
    kind: str = "call"
    counterparty_id: int | None = None
    contact_id: int | None = None
    order_id: int | None = None
    subject: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    goal: str = ""
    priority: str = "normal"
    performer_id: int | None = None
    remind_at: datetime | None = None
    remind_by_email: bool = False
    origin: str = "manual"
    custom: dict[int, str] = field(default_factory=dict)  # admin-defined activity fields, by field id


async def _check(viewer: Viewer, data: ActivityInput) -> dict[str, str]:
    errors = {}
    if data.kind not in KINDS:
        errors["kind"] = _("Choose the kind of activity.")
    if data.priority not in PRIORITIES:
        errors["priority"] = _("Choose a priority.")
    if data.starts_at is None:
        errors["starts_at"] = _("Enter when it takes place.")
    elif data.ends_at is not None and data.ends_at < data.starts_at:
        errors["ends_at"] = _("The end comes before the start.")
    if not data.subject.strip() and not data.goal.strip():
        errors["subject"] = _("Say what it is about.")
    if data.counterparty_id is not None:
        try:
            await require_visible(viewer, data.counterparty_id)
        except NotFound:
            errors["counterparty"] = _("No such client.")
    if data.order_id is not None and not await Order.exists().where(
            (Order.id == data.order_id) & (Order.client == (data.counterparty_id or 0))):
        errors["order"] = _("Choose one of the client's orders.")
    if data.contact_id is not None and not await Contact.exists().where(
            (Contact.id == data.contact_id) & (Contact.counterparty == (data.counterparty_id or 0))):
        errors["contact"] = _("This person is not a contact of the client.")
    if data.performer_id is not None and data.performer_id != viewer.user_id and not (
            viewer.sees_all or data.performer_id in viewer.team):
        errors["performer"] = _("You can set activities only for yourself and your team.")
    return errors


async def plan_activity(actor: Actor, viewer: Viewer, data: ActivityInput) -> Activity:
    """The order, if any, must be one of the client's (whom the viewer sees): the client's orders are the ones
    the viewer may link."""
    from app.crm.custom_fields import check_values, save_values

    checked = await check_values("activity", data.custom, await _check(viewer, data))
    row = Activity(kind=data.kind, counterparty=data.counterparty_id, contact=data.contact_id, order=data.order_id,
                   subject=data.subject.strip()[:200], starts_at=data.starts_at,
                   ends_at=data.ends_at or data.starts_at + DEFAULT_LENGTH, goal=data.goal.strip(),
                   performer=data.performer_id or viewer.user_id, author=actor.user_id, priority=data.priority,
                   state="planned", origin=data.origin, remind_at=data.remind_at,
                   remind_by_email=data.remind_by_email)
    async with writing():
        await audit.insert(actor, row, summary=f"planned {row.kind}: {row.subject}")
        await save_values(actor, checked, row.id)
    return row


async def get_activity(viewer: Viewer, activity_id: int) -> Activity:
    """Visible to its performer's team, its author, and whoever sees its client."""
    row = await Activity.objects().where(Activity.id == activity_id).first()
    if row is None or not (viewer.sees_all or row.performer in viewer.team or row.author == viewer.user_id
                           or (row.counterparty and await may_see(viewer, row.counterparty))):
        raise NotFound(_("No such activity."))
    return row


def _own_or_team(viewer: Viewer, row: Activity) -> None:
    if not (viewer.sees_all or row.performer in viewer.team or row.author == viewer.user_id):
        raise Forbidden(_("Only the performer, the one who set it or a supervisor may change this activity."))


async def complete(actor: Actor, viewer: Viewer, activity_id: int, result: str) -> Activity:
    """Record the result: the activity is done, the client's last contact moves, its daily-list item closes."""
    from tables.crm import ContactListItem

    row = await get_activity(viewer, activity_id)
    _own_or_team(viewer, row)
    if row.state not in OPEN:
        raise InvalidInput({"state": _("This activity is already closed.")})
    if not result.strip():
        raise InvalidInput({"result": _("Record the result.")})
    now = _now()
    async with writing():
        await audit.update(actor, row, {"state": "done", "result": result.strip(), "done_at": now},
                           summary="done")
        if row.counterparty and row.kind in ("call", "meeting", "visit", "email"):
            await Counterparty.update({Counterparty.last_contact_at: now}).where(
                (Counterparty.id == row.counterparty)
                & (Counterparty.last_contact_at.is_null() | (Counterparty.last_contact_at < now)))
        items = await ContactListItem.objects().where((ContactListItem.activity == row.id)
                                                     & (ContactListItem.state != "done"))
        for item in items:
            await audit.update(actor, item, {"state": "done", "result": result.strip()})
    return row


async def reschedule(actor: Actor, viewer: Viewer, activity_id: int, new_start: datetime, reason: str = "",
                     postpone: bool = False) -> Activity:
    """Move an open activity; its length is kept and the move is recorded."""
    row = await get_activity(viewer, activity_id)
    _own_or_team(viewer, row)
    if row.state not in OPEN:
        raise InvalidInput({"state": _("A closed activity cannot be moved.")})
    if new_start.tzinfo is None:
        raise InvalidInput({"starts_at": _("Enter when it takes place.")})
    length = (row.ends_at - row.starts_at) if row.ends_at else DEFAULT_LENGTH
    shift = new_start - row.starts_at
    async with writing():
        await audit.insert(actor, ActivityReschedule(activity=row.id, old_starts_at=row.starts_at,
                                                     new_starts_at=new_start, reason=reason.strip()[:200],
                                                     by=actor.user_id))
        values = {"starts_at": new_start, "ends_at": new_start + length,
                  "state": "postponed" if postpone else "rescheduled"}
        if row.remind_at:
            values.update(remind_at=row.remind_at + shift, reminded_at=None)
        await audit.update(actor, row, values, summary="rescheduled")
    return row


async def cancel(actor: Actor, viewer: Viewer, activity_id: int, reason: str = "") -> Activity:
    row = await get_activity(viewer, activity_id)
    _own_or_team(viewer, row)
    if row.state not in OPEN:
        raise InvalidInput({"state": _("This activity is already closed.")})
    async with writing():
        await audit.update(actor, row, {"state": "cancelled", "result": reason.strip()}, summary="cancelled")
    return row


async def verify(actor: Actor, viewer: Viewer, activity_id: int, note: str = "") -> Activity:
    """A supervisor of the performer (or an admin) checks a done activity; who and when is recorded."""
    row = await get_activity(viewer, activity_id)
    supervisor = await User.select(User.supervisor).where(User.id == row.performer).first()
    if viewer.role != ADMIN and (supervisor is None or supervisor["supervisor"] != viewer.user_id):
        raise Forbidden(_("Only the performer's supervisor may verify this activity."))
    if row.state != "done":
        raise InvalidInput({"state": _("Only a done activity can be verified.")})
    async with writing():
        await audit.update(actor, row, {"verified_by": viewer.user_id, "verified_at": _now(),
                                        "verification_note": note.strip()}, summary="verified")
    return row


ENTRY_COLUMNS = (Activity.id, Activity.kind, Activity.subject, Activity.starts_at, Activity.ends_at,
                 Activity.priority, Activity.state, Activity.counterparty, Activity.performer, Activity.origin,
                 Activity.verified_at, Activity.result, Activity.goal,
                 Activity.counterparty.name.as_alias("counterparty_name"),
                 Activity.performer.full_name.as_alias("performer_name"))


def whose_calendar(viewer: Viewer, user_id: int | None) -> int:
    """A manager reads their own calendar; a supervisor also their team's; an admin anyone's."""
    if user_id is None or user_id == viewer.user_id:
        return viewer.user_id
    if viewer.sees_all or user_id in viewer.team:
        return user_id
    raise Forbidden(_("You may read only your own and your team's calendars."))


async def calendar_entries(performer_id: int, start: datetime, end: datetime, limit: int = 2000) -> list[dict]:
    rows = await Activity.select(*ENTRY_COLUMNS).where(
        (Activity.performer == performer_id) & (Activity.starts_at >= start) & (Activity.starts_at < end)
        & (Activity.state != "cancelled")
    ).order_by(Activity.starts_at).limit(limit)
    now = _now()
    for row in rows:
        row["shown_state"] = shown_state(row, now)
    return rows


async def overdue(performer_id: int, limit: int = 100) -> list[dict]:
    rows = await Activity.select(*ENTRY_COLUMNS).where(
        (Activity.performer == performer_id) & Activity.state.is_in(list(OPEN)) & (Activity.starts_at < _now())
    ).order_by(Activity.starts_at).limit(limit)
    for row in rows:
        row["shown_state"] = "overdue"
    return rows


async def due_reminders(performer_id: int, limit: int = 20) -> list[dict]:
    """In-app reminders: open activities whose reminder time has come."""
    rows = await Activity.select(*ENTRY_COLUMNS).where(
        (Activity.performer == performer_id) & Activity.state.is_in(list(OPEN)) & Activity.remind_at.is_not_null()
        & (Activity.remind_at <= _now())
    ).order_by(Activity.starts_at).limit(limit)
    for row in rows:
        row["shown_state"] = shown_state(row)
    return rows


async def counterparty_activities(counterparty_id: int, before: tuple[datetime, int] | None = None,
                                  limit: int = 30) -> tuple[list[dict], tuple[datetime, int] | None]:
    """The dossier's activities, newest first (keyset on starts_at, id)."""
    query = Activity.select(*ENTRY_COLUMNS, Activity.verified_by.full_name.as_alias("verifier_name")).where(
        Activity.counterparty == counterparty_id)
    if before:
        at, last_id = before
        query = query.where((Activity.starts_at < at) | ((Activity.starts_at == at) & (Activity.id < last_id)))
    rows = await query.order_by(Activity.starts_at, ascending=False).order_by(Activity.id, ascending=False).limit(
        limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    now = _now()
    for row in rows:
        row["shown_state"] = shown_state(row, now)
    return rows, ((rows[-1]["starts_at"], rows[-1]["id"]) if more else None)


async def to_verify(viewer: Viewer, limit: int = 50) -> list[dict]:
    """Done, unverified activities of the people this supervisor supervises."""
    team = [user_id for user_id in viewer.team if user_id != viewer.user_id]
    if not team and not viewer.sees_all:
        return []
    query = Activity.select(*ENTRY_COLUMNS).where((Activity.state == "done") & Activity.verified_at.is_null())
    if not viewer.sees_all:
        query = query.where(Activity.performer.is_in(team))
    rows = await query.order_by(Activity.done_at, ascending=False).limit(limit)
    for row in rows:
        row["shown_state"] = row["state"]
    return rows


async def reschedule_history(activity_id: int) -> list[dict]:
    return await ActivityReschedule.select(
        ActivityReschedule.old_starts_at, ActivityReschedule.new_starts_at, ActivityReschedule.reason,
        ActivityReschedule.at, ActivityReschedule.by.full_name.as_alias("by_name"),
    ).where(ActivityReschedule.activity == activity_id).order_by(ActivityReschedule.id)


async def orders_to_link(counterparty_id: int, reference: str = "", limit: int = 20,
                         chosen: int | None = None) -> list[dict]:
    """The client's orders an activity may point to, newest first, by any piece of their reference (ours or the
    client's own); `chosen` (picked earlier, say from a search, before the form came back with errors) is kept
    among them. Callers check the viewer sees the client."""
    columns = (Order.id, Order.reference, Order.external_ref, Order.status, Order.created_at)
    query = Order.select(*columns).where(Order.client == counterparty_id)
    piece = re.sub(r"[%_\\\s]+", "", reference)[:30]
    if piece:
        query = query.where(Order.reference.ilike(f"%{piece}%") | Order.external_ref.ilike(f"%{piece}%"))
    rows = await query.order_by(Order.id, ascending=False).limit(limit)
    if chosen and all(row["id"] != chosen for row in rows):
        rows = await Order.select(*columns).where((Order.id == chosen) & (Order.client == counterparty_id)) + rows
    return rows


async def activity_details(activity_id: int) -> dict:
    row = await Activity.select(
        *ENTRY_COLUMNS, Activity.remind_at, Activity.done_at, Activity.verification_note, Activity.order,
        Activity.contact.name.as_alias("contact_name"), Activity.author.full_name.as_alias("author_name"),
        Activity.verified_by.full_name.as_alias("verifier_name"), Activity.order.reference.as_alias("order_reference"),
    ).where(Activity.id == activity_id).first()
    row["shown_state"] = shown_state(row)
    return row
