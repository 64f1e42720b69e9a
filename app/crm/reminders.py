"""Activity reminders: marked sent once their time comes; then shown in the app, pushed to the performer's
subscribed devices (staff subscriptions, /notifications/devices), and e-mailed when the activity asks for it."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timezone

from app.crm.activities import KINDS, OPEN
from app.i18n import format_datetime, set_locale
from app.i18n import gettext as _
from app.notifications.errors import SubscriptionGone
from tables.activities import Activity
from tables.notifications import PushSubscription

log = logging.getLogger("waybill.crm")


async def send_due_reminders(now: datetime | None = None) -> dict:
    now = now or datetime.now(timezone.utc)
    due = await Activity.update({Activity.reminded_at: now}).where(
        Activity.remind_at.is_not_null() & (Activity.remind_at <= now) & Activity.reminded_at.is_null()
        & Activity.state.is_in(list(OPEN))).returning(Activity.id)
    counts = {"reminded": len(due), "mailed": 0, "pushed": 0, "failed": 0}
    if not due:
        return counts
    rows = await Activity.select(
        Activity.id, Activity.kind, Activity.subject, Activity.starts_at, Activity.remind_by_email,
        Activity.performer, Activity.performer.email.as_alias("email"),
        Activity.performer.locale.as_alias("locale"), Activity.performer.time_zone.as_alias("time_zone"),
        Activity.counterparty.name.as_alias("client")).where(Activity.id.is_in([row["id"] for row in due]))
    devices = await _devices_of({row["performer"] for row in rows})
    for row in rows:
        set_locale(row["locale"], row["time_zone"])
        subject = _("Reminder: %(kind)s %(subject)s at %(when)s", kind=str(KINDS.get(row["kind"], row["kind"])),
                    subject=row["subject"], when=format_datetime(row["starts_at"], "short"))
        if row["remind_by_email"] and row["email"]:
            counts["mailed" if await _mail(row, subject) else "failed"] += 1
        for device_id in devices[row["performer"]]:
            counts["pushed" if await _push(device_id, row, subject) else "failed"] += 1
    return counts


async def _devices_of(user_ids: set[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for row in await PushSubscription.select(PushSubscription.id, PushSubscription.user).where(
            PushSubscription.user.is_in(sorted(user_ids) or [-1])).order_by(PushSubscription.id):
        found[row["user"]].append(row["id"])
    return found


async def _mail(row: dict, subject: str) -> bool:
    from app.notifications.email import send_email

    try:
        await send_email(row["email"], subject, f"{subject}\n{row['client'] or ''}", "")
    except Exception:  # noqa: BLE001 - one bad address must not stop the others; the app still shows it
        log.exception("reminder e-mail for activity %s failed", row["id"])
        return False
    return True


async def _push(device_id: int, row: dict, subject: str) -> bool:
    """One device of the performer; a device its push service forgot is dropped (send_push deletes it)."""
    from app.notifications.webpush import payload, send_push

    data = payload(subject, row["client"] or row["subject"], f"/crm/activities/{row['id']}", f"wb-activity-{row['id']}")
    try:
        await send_push(device_id, data)
    except SubscriptionGone:
        log.info("reminder push for activity %s: device %s is gone", row["id"], device_id)
        return False
    except Exception:  # noqa: BLE001 - a busy push service must not stop the other reminders
        log.exception("reminder push for activity %s to device %s failed", row["id"], device_id)
        return False
    return True
