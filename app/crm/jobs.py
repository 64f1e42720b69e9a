"""The CRM's background jobs: system-made activities, the morning contact list, reminders. Run by the clock."""

from __future__ import annotations

from app.jobs import job_actor


@job_actor()
async def crm_welcome_call(counterparty_id: int) -> dict:
    from app.crm.system_activities import make_welcome_call

    return {"activity": await make_welcome_call(counterparty_id)}


@job_actor()
async def crm_failed_delivery_follow_ups() -> dict:
    from app.crm.system_activities import make_failed_delivery_follow_ups

    return {"made": await make_failed_delivery_follow_ups()}


@job_actor()
async def crm_contract_reminders() -> dict:
    from app.crm.contracts import send_expiry_reminders

    return {"sent": await send_expiry_reminders()}


@job_actor()
async def crm_daily_contact_list() -> dict:
    from app.crm.daily_list import build_daily_list, refresh_order_rhythm

    await refresh_order_rhythm()
    return await build_daily_list()


@job_actor()
async def crm_activity_reminders() -> dict:
    """Reminders whose time has come: shown in the app (daily list and calendar pages), pushed to the performer's
    subscribed devices and, when asked for, e-mailed through app/notifications' mailer. Each is sent once
    (reminded_at)."""
    from app.crm.reminders import send_due_reminders

    return await send_due_reminders()
