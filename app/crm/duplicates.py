"""Finding a counterparty twice, and merging two into one without losing anything of either.

A candidate is a duplicate when it shares a tax id, a phone number or an e-mail, or when its normalised name is
at least NAME_SIMILARITY similar (rapidfuzz token-sort ratio) to the new one. Names are compared only with rows
having a word that starts like the new name's longest word (indexed), so the check stays cheap on a large base.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from app import audit
from app.audit import Actor
from app.crm.visibility import Viewer, require_visible
from app.db import writing
from app.errors import InvalidInput
from app.i18n import gettext as _
from tables.counterparties import (
    Contact,
    Counterparty,
    CounterpartyClassification,
    CounterpartyTag,
    LegalEntity,
    ManagerAssignment,
    NameWord,
    Share,
)

NAME_SIMILARITY = 88
NAME_CANDIDATES = 300


async def find_duplicates(name: str, tax_id: str = "", phone: str = "", email: str = "",
                          exclude_id: int | None = None) -> list[dict]:
    from app.crm.counterparties import name_key

    found: dict[int, dict] = {}
    columns = (Counterparty.id, Counterparty.name, Counterparty.name_key)
    live = Counterparty.merged_into.is_null()
    exact = []
    if tax_id:
        exact.append((Counterparty.tax_id == tax_id) | Counterparty.id.is_in(
            LegalEntity.select(LegalEntity.counterparty).where(LegalEntity.tax_id == tax_id)))
    if phone:
        exact.append((Counterparty.phone == phone) | Counterparty.id.is_in(
            Contact.select(Contact.counterparty).where(Contact.phone == phone)))
    if email:
        exact.append(Counterparty.email == email.lower())
    for clause in exact:
        for row in await Counterparty.select(*columns).where(clause & live).limit(20):
            found[row["id"]] = {**row, "why": "key"}
    key = name_key(name)
    words = sorted((word for word in key.split() if len(word) >= 3), key=len, reverse=True)
    if words:
        word = words[0]
        candidates = await Counterparty.select(*columns).where(
            Counterparty.id.is_in(NameWord.select(NameWord.counterparty).where(
                (NameWord.word >= word[:5]) & (NameWord.word < word[:5] + "{"))) & live
        ).limit(NAME_CANDIDATES)
        for row in candidates:
            if fuzz.token_sort_ratio(key, row["name_key"]) >= NAME_SIMILARITY:
                found.setdefault(row["id"], {**row, "why": "name"})
    found.pop(exclude_id, None)
    return sorted(found.values(), key=lambda row: row["id"])


async def merge(actor: Actor, viewer: Viewer, keep_id: int, lose_id: int) -> None:
    """Move everything of `lose_id` onto `keep_id` (contacts, entities, orders, activities, messages, documents,
    contracts, tags...), fill the kept card's empty fields from the other, and mark the other merged. Audited."""
    from app.crm.counterparties import settle_holders
    from tables.activities import Activity
    from tables.crm import Attachment, ContactListItem, Contract, CustomFieldValue
    from tables.fleet import Courier
    from tables.orders import Order

    if keep_id == lose_id:
        raise InvalidInput({"other": _("Choose another client to merge with.")})
    await require_visible(viewer, keep_id)
    await require_visible(viewer, lose_id)
    keep = await Counterparty.objects().where(Counterparty.id == keep_id).first()
    lose = await Counterparty.objects().where(Counterparty.id == lose_id).first()
    moved = {}
    async with writing():
        for table, column in [*_children(Activity, Order, Contract, ContactListItem), (Courier, Courier.carrier)]:
            rows = await table.update({column: keep_id}).where(column == lose_id).returning(table.id)
            moved[table._meta.tablename] = len(rows)
        for table in (Attachment, CustomFieldValue):
            kind_filter = table.record_id == lose_id
            if table is Attachment:
                kind_filter = kind_filter & (Attachment.record_type == "counterparty")
            else:
                from tables.crm import CustomFieldDef

                kind_filter = kind_filter & table.field.is_in(
                    CustomFieldDef.select(CustomFieldDef.id).where(CustomFieldDef.entity == "counterparty"))
            rows = await table.update({table.record_id: keep_id}).where(kind_filter).returning(table.id)
            moved[table._meta.tablename] = len(rows)
        fill = {}
        for column in ("tax_id", "email", "phone", "address", "website", "category", "marketing_source",
                       "source_detail", "lat", "lon"):
            if not getattr(keep, column) and getattr(lose, column):
                fill[column] = getattr(lose, column)
        if lose.notes:
            fill["notes"] = (keep.notes + "\n" + lose.notes).strip()
        if fill:
            await audit.update(actor, keep, fill, summary=f"merged #{lose_id} into #{keep_id}")
        await settle_holders(actor, keep)
        await audit.update(actor, lose, {"merged_into": keep_id, "state": "lost"},
                           summary=f"merged into #{keep_id}")
        await audit.log(actor, "merge", Counterparty, keep_id, {"merged": [lose_id, keep_id], "moved": moved},
                        summary=f"merged #{lose_id} {lose.name} into #{keep_id} {keep.name}")


def _children(*extra_tables):
    from tables.notifications import ChannelConsent, Message, TriggerSetting

    tables = [Contact, LegalEntity, CounterpartyTag, CounterpartyClassification, ManagerAssignment, Share,
              ChannelConsent, Message, TriggerSetting, *extra_tables]
    pairs = []
    for table in tables:
        column = getattr(table, "counterparty", None) or getattr(table, "client", None)
        pairs.append((table, column))
    return pairs
