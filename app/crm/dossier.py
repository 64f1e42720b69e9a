"""The dossier: everything about one counterparty, one tab at a time (each tab is one or two queries)."""

from __future__ import annotations

import json

from app.crm.activities import counterparty_activities
from app.crm.completeness import score
from app.crm.counterparties import current_consents
from app.crm.custom_fields import fields_of, values_of, with_values
from app.i18n import lazy_gettext as _l
from tables.activities import Activity
from tables.audit import AuditEntry
from tables.counterparties import (
    Classifier,
    ClassifierValue,
    Contact,
    Counterparty,
    CounterpartyClassification,
    CounterpartyTag,
    LegalEntity,
    ManagerAssignment,
    Share,
)
from tables.crm import Attachment, Contract, CustomFieldValue
from tables.orders import Order

TABS = {
    "overview": _l("Overview"), "contacts": _l("Contacts"), "entities": _l("Legal entities"),
    "orders": _l("Orders"), "activities": _l("Activities"), "messages": _l("Messages"),
    "documents": _l("Documents"), "contracts": _l("Contracts"), "history": _l("History"),
}


async def overview(counterparty_id: int, card: dict | None = None) -> dict:
    tags = [row["tag"] for row in await CounterpartyTag.select(CounterpartyTag.tag).where(
        CounterpartyTag.counterparty == counterparty_id).order_by(CounterpartyTag.tag)]
    classes = await CounterpartyClassification.select(
        CounterpartyClassification.value.as_alias("value_id"),
        CounterpartyClassification.value.name.as_alias("value_name"),
        CounterpartyClassification.value.classifier.name.as_alias("classifier_name"),
    ).where(CounterpartyClassification.counterparty == counterparty_id)
    managers = await ManagerAssignment.select(
        ManagerAssignment.started_at, ManagerAssignment.ended_at, ManagerAssignment.lead, ManagerAssignment.manager,
        ManagerAssignment.manager.full_name.as_alias("manager_name"),
        ManagerAssignment.manager.is_active.as_alias("manager_active"),
    ).where(ManagerAssignment.counterparty == counterparty_id).order_by(ManagerAssignment.started_at,
                                                                          ascending=False)
    managers.sort(key=lambda row: (row["ended_at"] is not None, not row["lead"]))  # who holds it now, lead first
    shares = await Share.select(Share.user.full_name.as_alias("user_name")).where(
        Share.counterparty == counterparty_id)
    return {"tags": tags, "classes": classes, "managers": managers, "shares": shares,
            "consents": await current_consents(counterparty_id),
            "completeness": await score(counterparty_id, card),
            "custom": await custom_values("counterparty", counterparty_id)}


async def custom_values(entity: str, record_id: int) -> list[dict]:
    """Every field of the entity, with this record's value ('' when unset), for its form."""
    fields = await fields_of(entity)
    if not fields:
        return []
    values = {row["field"]: row["value"] for row in await CustomFieldValue.select(
        CustomFieldValue.field, CustomFieldValue.value).where(
        (CustomFieldValue.record_id == record_id) & CustomFieldValue.field.is_in([f["id"] for f in fields]))}
    return with_values(fields, values)


async def classifier_choices() -> list[dict]:
    return await ClassifierValue.select(ClassifierValue.id, ClassifierValue.name,
                                        ClassifierValue.classifier.name.as_alias("classifier_name")).order_by(
        ClassifierValue.classifier).order_by(ClassifierValue.name)


async def contacts(counterparty_id: int) -> list[dict]:
    """The client's contacts, each with its filled-in custom fields (`custom`)."""
    rows = await Contact.select().where(Contact.counterparty == counterparty_id).order_by(
        Contact.is_primary, ascending=False).order_by(Contact.name).output(load_json=True)
    custom = await values_of("contact", [row["id"] for row in rows])
    for row in rows:
        row["custom"] = custom.get(row["id"], [])
    return rows


async def contact_names(counterparty_id: int) -> list[dict]:
    """Who an activity may be with: the contacts' ids and names only."""
    return await Contact.select(Contact.id, Contact.name).where(Contact.counterparty == counterparty_id).order_by(
        Contact.is_primary, ascending=False).order_by(Contact.name)


async def entities(counterparty_id: int) -> list[dict]:
    return await LegalEntity.select().where(LegalEntity.counterparty == counterparty_id).order_by(LegalEntity.id)


async def orders(counterparty_id: int, before_id: int | None = None, limit: int = 30) -> tuple[list[dict], int | None]:
    query = Order.select(Order.id, Order.reference, Order.status, Order.deliver_from, Order.price, Order.currency,
                         Order.created_at).where(Order.client == counterparty_id)
    if before_id:
        query = query.where(Order.id < before_id)
    rows = await query.order_by(Order.id, ascending=False).limit(limit + 1)
    more = len(rows) > limit
    return rows[:limit], (rows[limit - 1]["id"] if more else None)


async def activities(counterparty_id: int, before=None):
    return await counterparty_activities(counterparty_id, before)


async def messages(counterparty_id: int) -> list[dict]:
    """The client's message archive, as app/notifications keeps it (newest first)."""
    from app.notifications.archive import client_messages

    return await client_messages(counterparty_id)


async def documents(counterparty_id: int) -> list[dict]:
    return await Attachment.select(Attachment.id, Attachment.filename, Attachment.content_type, Attachment.size,
                                   Attachment.created_at, Attachment.uploaded_by.full_name.as_alias("by_name"),
                                   Attachment.record_type, Attachment.record_id).where(
        ((Attachment.record_type == "counterparty") & (Attachment.record_id == counterparty_id))
        | ((Attachment.record_type == "contract") & Attachment.record_id.is_in(
            Contract.select(Contract.id).where(Contract.counterparty == counterparty_id)))
        | ((Attachment.record_type == "activity") & Attachment.record_id.is_in(
            Activity.select(Activity.id).where(Activity.counterparty == counterparty_id)))
    ).order_by(Attachment.id, ascending=False)


async def contracts(counterparty_id: int) -> list[dict]:
    return await Contract.select().where(Contract.counterparty == counterparty_id).order_by(
        Contract.starts_on, ascending=False)


async def history(counterparty_id: int, limit: int = 100) -> list[dict]:
    rows = await AuditEntry.select(AuditEntry.id, AuditEntry.at, AuditEntry.action, AuditEntry.summary,
                                   AuditEntry.changes, AuditEntry.user.full_name.as_alias("user_name")).where(
        (AuditEntry.record_type == Counterparty._meta.tablename) & (AuditEntry.record_id == str(counterparty_id))
    ).order_by(AuditEntry.id, ascending=False).limit(limit)
    for row in rows:
        if isinstance(row["changes"], str):
            row["changes"] = json.loads(row["changes"] or "{}")
    return rows


async def classifiers() -> list[dict]:
    return await Classifier.select().order_by(Classifier.name)
