"""How complete a client card is: the share of the fields an admin marks required that are filled in.

An admin may also set a threshold; saving a card below it is refused with the list of what is missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.errors import InvalidInput
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from tables.counterparties import Contact, Counterparty, LegalEntity
from tables.crm import CrmSetting, CustomFieldDef, CustomFieldValue

CARD_REQUIREMENTS = {
    "phone": _l("Phone"), "email": _l("E-mail"), "address": _l("Address"), "tax_id": _l("Tax id"),
    "marketing_source": _l("How they heard of us"), "category": _l("Category"), "website": _l("Website"),
    "contact": _l("A contact person"), "legal_entity": _l("A legal entity"),
}
DEFAULT_REQUIRED = ["phone", "email", "address", "marketing_source", "contact"]


@dataclass
class Completeness:
    percent: int
    missing: list[str]


async def setting(name: str, default):
    row = await CrmSetting.select(CrmSetting.value).where(CrmSetting.name == name).first()
    value = None if row is None else row["value"]
    if isinstance(value, str):
        value = json.loads(value)
    return default if value is None else value


async def save_setting(name: str, value) -> None:
    if await CrmSetting.exists().where(CrmSetting.name == name):
        await CrmSetting.update({CrmSetting.value: value}).where(CrmSetting.name == name)
    else:
        await CrmSetting.insert(CrmSetting(name=name, value=value))


async def score(counterparty_id: int, card: dict | None = None) -> Completeness:
    required = await setting("required_fields", DEFAULT_REQUIRED)
    if card is None:
        card = await Counterparty.select().where(Counterparty.id == counterparty_id).first()
    if card is None:
        return Completeness(0, [])
    missing = []
    for name in required:
        if name == "contact":
            filled = await Contact.exists().where(Contact.counterparty == counterparty_id)
        elif name == "legal_entity":
            filled = await LegalEntity.exists().where(LegalEntity.counterparty == counterparty_id)
        else:
            filled = bool(card.get(name))
        if not filled:
            missing.append(str(CARD_REQUIREMENTS.get(name, name)))
    custom = await CustomFieldDef.select(CustomFieldDef.id, CustomFieldDef.label).where(
        (CustomFieldDef.entity == "counterparty") & (CustomFieldDef.required == True))  # noqa: E712
    if custom:
        values = {row["field"]: row["value"] for row in await CustomFieldValue.select(
            CustomFieldValue.field, CustomFieldValue.value).where(
            (CustomFieldValue.record_id == counterparty_id)
            & CustomFieldValue.field.is_in([row["id"] for row in custom]))}
        missing += [row["label"] for row in custom if not values.get(row["id"])]
    total = len(required) + len(custom)
    percent = 100 if total == 0 else round(100 * (total - len(missing)) / total)
    return Completeness(percent, missing)


async def check_threshold(counterparty_id: int) -> None:
    """Refuse a card below the admin's threshold (0: no threshold), naming what is missing."""
    threshold = int(await setting("completeness_threshold", 0) or 0)
    if not threshold:
        return
    result = await score(counterparty_id)
    if result.percent < threshold:
        raise InvalidInput({"completeness": _("The card is %(percent)s%% complete; at least %(threshold)s%% is "
                                              "required. Missing: %(missing)s.", percent=result.percent,
                                              threshold=threshold, missing=", ".join(result.missing))})
