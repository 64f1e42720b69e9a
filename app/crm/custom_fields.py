"""Custom fields an admin adds to counterparties, contacts and activities (text, number, date, choice), their
values, and the CRM settings page's other knobs (required card fields, completeness threshold, classifiers)."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
    """The value as stored (numbers with a dot, dates ISO); InvalidInput naming the form field if it is wrong."""
    raw = raw.strip()
    name = f"custom_{field['id']}"
    if not raw:
        if field.get("required") and field["entity"] != "counterparty":  # a card's gaps count in its completeness
            raise InvalidInput({name: _("Fill in %(label)s.", label=field["label"])})
        return ""
    if field["kind"] == "number":
        try:
            float(raw.replace(",", "."))
        except ValueError:
            raise InvalidInput({name: _("Enter a number.")}) from None
        return raw.replace(",", ".")
    if field["kind"] == "date":
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            raise InvalidInput({name: _("Enter a date.")}) from None
    if field["kind"] == "choice" and raw not in field["choices"]:
        raise InvalidInput({name: _("Choose one of the choices.")})
    return raw[:2000]


async def fields_of(entity: str) -> list[dict]:
    """The entity's field definitions in form order, choices as a list."""
    rows = await CustomFieldDef.select().where(CustomFieldDef.entity == entity).order_by(
        CustomFieldDef.position).order_by(CustomFieldDef.id).output(load_json=True)
    for row in rows:
        if not isinstance(row["choices"], list):
            row["choices"] = []
    return rows


@dataclass
class CheckedValues:
    """Custom values checked by kind, ready to save with the record they belong to."""

    entity: str
    values: dict[int, str]


async def check_values(entity: str, raw: dict[int, str], errors: dict[str, str] | None = None) -> CheckedValues:
    """Check the values given (unknown fields are ignored, fields not given are left alone: a required field is
    required on the forms, which send every field, not of the system's own activities); raise InvalidInput with all
    the errors found, these and the record's own `errors` together, so a form shows them all at once."""
    errors = dict(errors or {})
    clean = {}
    for field in await fields_of(entity):
        if field["id"] not in raw:
            continue
        try:
            clean[field["id"]] = clean_value(field, raw[field["id"]])
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    return CheckedValues(entity, clean)


async def save_values(actor: Actor, checked: CheckedValues, record_id: int) -> None:
    """Callers check the user may see the record."""
    async with writing():
        existing = {row.field: row for row in await CustomFieldValue.objects().where(
            (CustomFieldValue.record_id == record_id) & CustomFieldValue.field.is_in(list(checked.values) or [0]))}
        for field_id, value in checked.values.items():
            if field_id in existing:
                await audit.update(actor, existing[field_id], {"value": value})
            elif value:
                await audit.insert(actor, CustomFieldValue(field=field_id, record_id=record_id, value=value))


def form_values(form) -> dict[int, str]:
    """The custom_<id> fields of a submitted form."""
    return {int(name[7:]): str(form.get(name, "")) for name in form if name.startswith("custom_") and name[7:].isdigit()}


async def values_of(entity: str, record_ids: list[int]) -> dict[int, list[dict]]:
    """The filled-in custom values of several records (one query each for fields and values): {record: [field]}."""
    fields = {row["id"]: row for row in await fields_of(entity)}
    if not fields or not record_ids:
        return {}
    rows = await CustomFieldValue.select(CustomFieldValue.field, CustomFieldValue.record_id,
                                         CustomFieldValue.value).where(
        CustomFieldValue.record_id.is_in(record_ids) & CustomFieldValue.field.is_in(list(fields))
        & (CustomFieldValue.value != ""))
    found: dict[int, list[dict]] = {}
    for row in sorted(rows, key=lambda r: (fields[r["field"]]["position"], r["field"])):
        found.setdefault(row["record_id"], []).append({**fields[row["field"]], "value": row["value"]})
    return found


def with_values(fields: list[dict], values: dict[int, str]) -> list[dict]:
    """Field definitions carrying the values to show in a form (a record's, or what was just typed)."""
    return [{**field, "value": values.get(field["id"], "")} for field in fields]


async def add_classifier_value(actor: Actor, classifier_name: str, value_name: str) -> ClassifierValue:
    if not classifier_name.strip() or not value_name.strip():
        raise InvalidInput({"classifier": _("Name the classifier and the value.")})
    async with writing():
        classifier = await Classifier.objects().where(Classifier.name == classifier_name.strip()).first()
        if classifier is None:
            classifier = await audit.insert(actor, Classifier(name=classifier_name.strip()[:100]))
        return await audit.insert(actor, ClassifierValue(classifier=classifier.id, name=value_name.strip()[:100]))
