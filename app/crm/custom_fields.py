"""Custom fields an admin adds to counterparties, contacts and activities (text, number, date, choice), their
values, and the CRM settings page's other knobs (required card fields, completeness threshold, classifiers)."""

from __future__ import annotations

import re
from datetime import date

from app import audit
from app.audit import Actor
from app.db import writing
from app.errors import InvalidInput
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from tables.counterparties import Classifier, ClassifierValue
from tables.crm import CustomFieldDef, CustomFieldValue

ENTITIES = {"counterparty": _l("Client"), "contact": _l("Contact"), "activity": _l("Activity")}
FIELD_KINDS = {"text": _l("Text"), "number": _l("Number"), "date": _l("Date"), "choice": _l("Choice")}


async def define_field(actor: Actor, entity: str, label: str, kind: str, choices: list[str],
                       required: bool = False) -> CustomFieldDef:
    errors = {}
    if entity not in ENTITIES:
        errors["entity"] = _("Choose what the field belongs to.")
    if kind not in FIELD_KINDS:
        errors["kind"] = _("Choose the kind of field.")
    if not label.strip():
        errors["label"] = _("Name the field.")
    choices = [choice.strip() for choice in choices if choice.strip()]
    if kind == "choice" and not choices:
        errors["choices"] = _("List the choices, separated by commas.")
    if errors:
        raise InvalidInput(errors)
    name = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:60] or "field"
    position = await CustomFieldDef.count().where(CustomFieldDef.entity == entity)
    async with writing():
        return await audit.insert(actor, CustomFieldDef(entity=entity, name=name, label=label.strip()[:100],
                                                        kind=kind, choices=choices, required=required,
                                                        position=position))


def clean_value(field: dict, raw: str) -> str:
    raw = raw.strip()
    if not raw:
        return ""
    if field["kind"] == "number":
        try:
            float(raw.replace(",", "."))
        except ValueError:
            raise InvalidInput({f"custom_{field['id']}": _("Enter a number.")}) from None
        return raw.replace(",", ".")
    if field["kind"] == "date":
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            raise InvalidInput({f"custom_{field['id']}": _("Enter a date.")}) from None
    if field["kind"] == "choice":
        choices = field["choices"] if isinstance(field["choices"], list) else []
        if raw not in choices:
            raise InvalidInput({f"custom_{field['id']}": _("Choose one of the choices.")})
    return raw[:2000]


async def set_values(actor: Actor, entity: str, record_id: int, raw: dict[int, str]) -> None:
    """Callers check the user may see the record. Unknown fields are ignored; values are checked by kind."""
    import json

    fields = {row["id"]: row for row in await CustomFieldDef.select().where(CustomFieldDef.entity == entity)}
    for row in fields.values():
        if isinstance(row["choices"], str):
            row["choices"] = json.loads(row["choices"] or "[]")
    clean = {field_id: clean_value(fields[field_id], value) for field_id, value in raw.items() if field_id in fields}
    async with writing():
        existing = {row.field: row for row in await CustomFieldValue.objects().where(
            (CustomFieldValue.record_id == record_id) & CustomFieldValue.field.is_in(list(fields) or [0]))}
        for field_id, value in clean.items():
            if field_id in existing:
                await audit.update(actor, existing[field_id], {"value": value})
            elif value:
                await audit.insert(actor, CustomFieldValue(field=field_id, record_id=record_id, value=value))


async def add_classifier_value(actor: Actor, classifier_name: str, value_name: str) -> ClassifierValue:
    if not classifier_name.strip() or not value_name.strip():
        raise InvalidInput({"classifier": _("Name the classifier and the value.")})
    async with writing():
        classifier = await Classifier.objects().where(Classifier.name == classifier_name.strip()).first()
        if classifier is None:
            classifier = await audit.insert(actor, Classifier(name=classifier_name.strip()[:100]))
        return await audit.insert(actor, ClassifierValue(classifier=classifier.id, name=value_name.strip()[:100]))
