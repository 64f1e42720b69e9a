"""Import counterparties and contacts from CSV or XLSX, and export the filtered list.

Import matches each line on natural keys (tax id, then phone, then e-mail): a match updates that card, no match
registers a new client, a name too close to an existing one is refused as a probable duplicate. The optional
"manager" and "co_managers" columns name the lead and co-managers by login (the export writes them the same way).
A dry run checks everything and writes nothing; errors name their line (the header is line 1).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from openpyxl import Workbook, load_workbook

from app import audit
from app.audit import Actor
from app.crm.counterparties import (
    ClientFilter,
    clean_card,
    co_managers_of,
    index_name,
    list_clients,
    normalise_phone,
    refresh_completeness,
    set_holders,
)
from app.crm.duplicates import find_duplicates
from app.crm.visibility import Viewer, may_see
from app.db import writing
from app.errors import InvalidInput
from app.i18n import gettext as _
from tables.accounts import User
from tables.counterparties import Contact, Counterparty, ManagerAssignment

CARD_COLUMNS = ("name", "kind", "tax_id", "phone", "email", "address", "category", "marketing_source", "state")
CONTACT_COLUMNS = ("contact_name", "contact_position", "contact_phone", "contact_email")
HOLDER_COLUMNS = ("manager", "co_managers")  # logins; co-managers separated by ";" (an export imports back)
EXPORT_COLUMNS = ("id", "name", "kind", "phone", "email", "category", "state", "marketing_source", "manager_name",
                  "manager", "co_managers", "completeness", "last_contact_at")
MAX_LINES = 20_000


@dataclass
class LineResult:
    line: int
    action: str  # create | update | error
    name: str
    errors: list[str] = field(default_factory=list)
    counterparty_id: int | None = None


@dataclass
class ImportReport:
    dry_run: bool
    lines: list[LineResult]

    @property
    def created(self) -> int:
        return sum(1 for line in self.lines if line.action == "create")

    @property
    def updated(self) -> int:
        return sum(1 for line in self.lines if line.action == "update")

    @property
    def failed(self) -> list[LineResult]:
        return [line for line in self.lines if line.action == "error"]


def read_rows(filename: str, data: bytes) -> list[dict[str, str]]:
    if filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file problem
            raise InvalidInput({"file": _("This is not a readable XLSX file.")}) from exc
        values = [["" if cell is None else str(cell).strip() for cell in row] for row in sheet.iter_rows(values_only=True)]
    elif filename.lower().endswith(".csv"):
        try:
            textual = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput({"file": _("Save the CSV file as UTF-8.")}) from exc
        dialect = csv.Sniffer().sniff(textual[:2048], delimiters=",;\t") if textual.strip() else csv.excel
        values = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(textual), dialect)]
    else:
        raise InvalidInput({"file": _("Choose a CSV or XLSX file.")})
    if not values:
        raise InvalidInput({"file": _("The file is empty.")})
    header = [name.strip().lower().replace(" ", "_") for name in values[0]]
    if "name" not in header:
        raise InvalidInput({"file": _("The first line must name the columns, with at least “name”.")})
    if len(values) > MAX_LINES + 1:
        raise InvalidInput({"file": _("At most %(n)s lines at a time.", n=MAX_LINES)})
    return [dict(zip(header, row)) for row in values[1:]]


async def _match(card: dict) -> int | None:
    for column in ("tax_id", "phone", "email"):
        if card.get(column):
            row = await Counterparty.select(Counterparty.id).where(
                (getattr(Counterparty, column) == card[column]) & Counterparty.merged_into.is_null()).first()
            if row:
                return row["id"]
    return None


async def _manager_ids() -> dict[str, int]:
    rows = await User.select(User.id, User.login).where(User.role.is_in(["manager", "admin"])
                                                          & (User.is_active == True))  # noqa: E712
    return {row["login"].lower(): row["id"] for row in rows}


def _holders(raw: dict[str, str], managers: dict[str, int], errors: list[str]) -> tuple[int | None, tuple[int, ...]]:
    """The lead and co-managers a line names by login (blank: unchanged), errors appended."""
    logins = {"manager": [raw.get("manager", "").strip()],
              "co_managers": re.split(r"[;,]", raw.get("co_managers", ""))}
    found: dict[str, list[int]] = {}
    for column, names in logins.items():
        found[column] = []
        for login in filter(None, (name.strip().lower() for name in names)):
            if login in managers:
                found[column].append(managers[login])
            else:
                errors.append(_("%(column)s: no active manager has the login “%(login)s”.", column=column,
                                login=login))
    return (found["manager"] or [None])[0], tuple(found["co_managers"])


async def import_clients(actor: Actor, viewer: Viewer, filename: str, data: bytes, dry_run: bool = True) -> ImportReport:
    rows = read_rows(filename, data)
    results = []
    planned = []
    managers = await _manager_ids()
    for number, raw in enumerate(rows, start=2):
        if not any(raw.values()):
            continue
        card_values = {name: raw[name] for name in CARD_COLUMNS if raw.get(name)}
        card, errors = clean_card({"name": raw.get("name", ""), **card_values}, registering=False)
        result = LineResult(number, "error", raw.get("name", ""), [f"{name}: {message}" for name, message in
                                                                   errors.items()])
        contact = {name.removeprefix("contact_"): raw.get(name, "") for name in CONTACT_COLUMNS}
        holders = _holders(raw, managers, result.errors)
        if contact["phone"]:
            contact["phone"] = normalise_phone(contact["phone"]) or ""
            if not contact["phone"]:
                result.errors.append(_("contact_phone: not a valid phone number."))
        if not result.errors:
            existing = await _match(card)
            if existing is not None and not await may_see(viewer, existing):
                result.errors.append(_("This client exists and belongs to another manager."))
            elif existing is not None:
                result.action, result.counterparty_id = "update", existing
            else:
                duplicates = await find_duplicates(card["name"])
                if duplicates:
                    result.errors.append(_("Probable duplicate of %(name)s (#%(id)s).", name=duplicates[0]["name"],
                                           id=duplicates[0]["id"]))
                else:
                    result.action = "create"
        if result.errors:
            result.action = "error"
        else:
            planned.append((result, card, contact, holders))
        results.append(result)
    if not dry_run:
        await _apply(actor, planned)
    return ImportReport(dry_run, results)


async def _apply(actor: Actor, planned: list) -> None:
    now = datetime.now(timezone.utc)
    async with writing():
        for result, card, contact, (lead, co_managers) in planned:
            if result.action == "create":
                row = await audit.insert(actor, Counterparty(**card, manager=lead or actor.user_id,
                                                             registered_by=actor.user_id, updated_at=now),
                                         summary=f"imported line {result.line}")
                await index_name(row.id, row.name)
                await audit.insert(actor, ManagerAssignment(counterparty=row.id, manager=row.manager, started_at=now,
                                                            assigned_by=actor.user_id))
                result.counterparty_id = row.id
            else:
                row = await Counterparty.objects().where(Counterparty.id == result.counterparty_id).first()
                await audit.update(actor, row, {**card, "updated_at": now}, summary=f"imported line {result.line}")
                await index_name(row.id, row.name)
            await set_holders(actor, row, lead, co_managers)
            if contact["name"]:
                known = await Contact.exists().where((Contact.counterparty == result.counterparty_id) & (
                    (Contact.name == contact["name"]) | ((Contact.phone == contact["phone"]) & (Contact.phone != ""))))
                if not known:
                    await audit.insert(actor, Contact(counterparty=result.counterparty_id, name=contact["name"],
                                                      position=contact["position"], phone=contact["phone"],
                                                      email=contact["email"].lower()))
            await refresh_completeness(result.counterparty_id)


async def export_rows(viewer: Viewer, filters: ClientFilter, page: int = 1000):
    after = None
    logins = {row["id"]: row["login"] for row in await User.select(User.id, User.login)}
    while True:
        rows, after = await list_clients(viewer, filters, after=after, limit=page)
        co_managers = await co_managers_of([row["id"] for row in rows])
        for row in rows:
            row["manager"] = logins.get(row["manager_id"], "")
            row["co_managers"] = ";".join(logins[m] for m in co_managers.get(row["id"], []))
            yield [row.get(column) for column in EXPORT_COLUMNS]
        if after is None:
            return


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    value = str(value)
    return "'" + value if value[:1] in ("=", "@", "\t", "\r") else value


async def export_clients(viewer: Viewer, filters: ClientFilter, format: str) -> tuple[bytes, str, str]:
    """The filtered list the viewer sees, as CSV or XLSX: (content, media type, file name)."""
    if format == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet("clients")
        sheet.append(list(EXPORT_COLUMNS))
        async for row in export_rows(viewer, filters):
            sheet.append([value.replace(tzinfo=None) if isinstance(value, datetime) else value for value in row])
        buffer = io.BytesIO()
        book.save(buffer)
        return (buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "clients.xlsx")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    async for row in export_rows(viewer, filters):
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", "clients.csv"
