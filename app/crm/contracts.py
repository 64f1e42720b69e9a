"""Contracts with counterparties: their dates and terms, the reminder before they expire, and renewal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from app import audit
from app.audit import Actor
from app.crm.visibility import Viewer, require_visible
from app.db import writing
from app.dispatch.day import company_today, company_zone
from app.errors import InvalidInput, NotFound
from app.i18n import gettext as _
from tables.activities import Activity
from tables.counterparties import Counterparty
from tables.crm import Contract


@dataclass
class ContractInput:
    number: str
    starts_on: date | None
    ends_on: date | None = None
    signed_on: date | None = None
    terms: str = ""
    remind_days_before: int = 30


def _check(data: ContractInput) -> None:
    errors = {}
    if not data.number.strip():
        errors["number"] = _("Enter the contract number.")
    if data.starts_on is None:
        errors["starts_on"] = _("Enter the start date.")
    elif data.ends_on and data.ends_on < data.starts_on:
        errors["ends_on"] = _("The contract ends before it starts.")
    if not 0 <= data.remind_days_before <= 365:
        errors["remind_days_before"] = _("Enter a number of days between 0 and 365.")
    if errors:
        raise InvalidInput(errors)


async def add_contract(actor: Actor, viewer: Viewer, counterparty_id: int, data: ContractInput,
                       renewed_from: int | None = None) -> Contract:
    await require_visible(viewer, counterparty_id)
    _check(data)
    async with writing():
        return await audit.insert(actor, Contract(
            counterparty=counterparty_id, number=data.number.strip()[:60], starts_on=data.starts_on,
            ends_on=data.ends_on, signed_on=data.signed_on, terms=data.terms.strip(),
            remind_days_before=data.remind_days_before, renewed_from=renewed_from))


async def get_contract(viewer: Viewer, contract_id: int) -> Contract:
    row = await Contract.objects().where(Contract.id == contract_id).first()
    if row is None:
        raise NotFound(_("No such contract."))
    await require_visible(viewer, row.counterparty)
    return row


async def renew(actor: Actor, viewer: Viewer, contract_id: int, new_end: date | None, number: str = "") -> Contract:
    """A new contract continuing the old one from the day after it ends; the old one is marked renewed."""
    old = await get_contract(viewer, contract_id)
    start = (old.ends_on + timedelta(days=1)) if old.ends_on else company_today()
    new = await add_contract(actor, viewer, old.counterparty, ContractInput(
        number=number or old.number, starts_on=start, ends_on=new_end, terms=old.terms,
        remind_days_before=old.remind_days_before), renewed_from=old.id)
    async with writing():
        await audit.update(actor, old, {"state": "renewed"})
    return new


async def send_expiry_reminders(today: date | None = None) -> int:
    """For each active contract entering its reminder window: a task for the client's manager, once."""
    today = today or company_today()
    rows = await Contract.select(Contract.id, Contract.number, Contract.ends_on, Contract.remind_days_before,
                                 Contract.counterparty, Contract.counterparty.manager.as_alias("manager")).where(
        (Contract.state == "active") & Contract.ends_on.is_not_null() & Contract.reminded_at.is_null()
        & (Contract.ends_on >= today) & (Contract.ends_on <= today + timedelta(days=365)))
    sent = 0
    now = datetime.now(timezone.utc)
    for row in rows:
        if row["ends_on"] - timedelta(days=row["remind_days_before"]) > today or not row["manager"]:
            continue
        async with writing():
            await audit.insert(Actor.system(), Activity(
                kind="task", counterparty=row["counterparty"], performer=row["manager"], author=None,
                subject=_("Contract %(number)s expires on %(day)s: renew it", number=row["number"],
                          day=row["ends_on"].isoformat()),
                starts_at=datetime.combine(today, time(9), tzinfo=company_zone()).astimezone(timezone.utc),
                ends_at=datetime.combine(today, time(9, 30), tzinfo=company_zone()).astimezone(timezone.utc),
                priority="high", state="planned", origin="contract_expiry", remind_at=now))
            await Contract.update({Contract.reminded_at: now}).where(Contract.id == row["id"])
        sent += 1
    return sent


async def expiring(viewer: Viewer, within_days: int = 60) -> list[dict]:
    from app.crm.visibility import restrict

    today = company_today()
    ids = restrict(Counterparty.select(Counterparty.id), viewer)
    return await Contract.select(Contract.id, Contract.number, Contract.ends_on, Contract.counterparty,
                                 Contract.counterparty.name.as_alias("counterparty_name")).where(
        (Contract.state == "active") & (Contract.ends_on >= today)
        & (Contract.ends_on <= today + timedelta(days=within_days)) & Contract.counterparty.is_in(ids)
    ).order_by(Contract.ends_on).limit(50)
