"""Activity reminders: marked sent once their time comes; by e-mail too when the activity asks for it."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from app.crm.activities import KINDS, OPEN
from app.i18n import format_datetime, set_locale
from app.i18n import gettext as _
from tables.activities import Activity

log = logging.getLogger("waybill.crm")


async def send_due_reminders(now: datetime | None = None) -> dict:
    from app.notifications.email import send_email

    now = now or datetime.now(timezone.utc)
    due = await Activity.update({Activity.reminded_at: now}).where(
        Activity.remind_at.is_not_null() & (Activity.remind_at <= now) & Activity.reminded_at.is_null()
        & Activity.state.is_in(list(OPEN))).returning(Activity.id)
    ids = [row["id"] for row in due]
    mailed = failed = 0
    if ids:
        rows = await Activity.select(
            Activity.id, Activity.kind, Activity.subject, Activity.starts_at, Activity.remind_by_email,
            Activity.performer.email.as_alias("email"), Activity.performer.locale.as_alias("locale"),
            Activity.performer.time_zone.as_alias("time_zone"),
            Activity.counterparty.name.as_alias("client")).where(Activity.id.is_in(ids))
        for row in rows:
            if not (row["remind_by_email"] and row["email"]):
                continue
            set_locale(row["locale"], row["time_zone"])
            subject = _("Reminder: %(kind)s %(subject)s at %(when)s", kind=str(KINDS.get(row["kind"], row["kind"])),
                        subject=row["subject"], when=format_datetime(row["starts_at"], "short"))
            text = f"{subject}\n{row['client'] or ''}"
            try:
                await send_email(row["email"], subject, text, "")
                mailed += 1
            except Exception:  # noqa: BLE001 - one bad address must not stop the others; the app still shows it
                log.exception("reminder e-mail for activity %s failed", row["id"])
                failed += 1
    return {"reminded": len(ids), "mailed": mailed, "failed": failed}
