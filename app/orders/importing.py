"""Orders from a CSV or XLSX file: a dry run that lists what would be created and every bad row (line number and
field at fault), then the confirmation that creates all the good rows in one transaction.

Re-importing the same file creates nothing twice: each row is known by its external reference (the client's own
order number), or, when the file has none, by a fingerprint of the row's content.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone

import openpyxl

from piccolo.columns import JSON

from app.audit import Actor
from app.errors import InvalidInput
from app.i18n import gettext as _
from app.orders.orders import ORDER_FIELDS, new_reference, price_inputs, read_order, with_distance, CLIENT_COLUMNS
from app.orders.status import NEW
from app.planning.settings import planning_settings
from app.pricing.lists import PriceBook
from tables.audit import AuditEntry
from tables.counterparties import Counterparty
from tables.orders import Order, OrderEvent, Place

COLUMNS = (
    "external_ref", "client", "dropoff_address", "dropoff_lat", "dropoff_lon", "dropoff_contact_name",
    "dropoff_contact_phone", "deliver_from", "deliver_to", "pickup_address", "pickup_lat", "pickup_lon",
    "pickup_contact_name", "pickup_contact_phone", "pickup_from", "pickup_to", "service_minutes", "weight_kg",
    "volume_m3", "pieces", "cod_amount", "priority_time_cost", "waiting_minutes", "with_return", "contact_email",
    "notes",
)
EXAMPLE = {
    "external_ref": "SHOP-1001", "client": "Boulangerie Martin", "dropoff_address": "8 Rue Cler, 75007 Paris",
    "dropoff_lat": "48.8560", "dropoff_lon": "2.3065", "dropoff_contact_name": "Léa Dubois",
    "dropoff_contact_phone": "+33 6 12 34 56 78", "deliver_from": "2026-11-25 14:00", "deliver_to": "2026-11-25 16:00",
    "weight_kg": "2.5", "pieces": "1", "cod_amount": "45.00", "notes": "Code 1234",
}
MAX_ROWS = 50_000
BATCH = 1000  # rows per multi-row INSERT; stays under both databases' limit of 32,766 parameters


class BadFile(InvalidInput):
    def __init__(self, message: str) -> None:
        super().__init__({"file": message}, message)


@dataclass
class RowError:
    line: int
    field: str
    message: str


@dataclass
class ImportPlan:
    """What a file would do: rows to create, rows already imported, and errors (nothing is written yet)."""

    good: list[tuple[int, dict]] = field(default_factory=list)
    already: list[tuple[int, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0


def read_rows(file_name: str, content: bytes) -> list[tuple[int, dict]]:
    """(line number as the user sees it, {column: text}) for every non-empty row under the header."""
    name = file_name.lower()
    if name.endswith(".xlsx"):
        return _xlsx_rows(content)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _csv_rows(content)
    raise BadFile(_("Upload a .csv or .xlsx file."))


def _csv_rows(content: bytes) -> list[tuple[int, dict]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    return _rows(header, ((number, row) for number, row in enumerate(reader, start=2)))


def _xlsx_rows(content: bytes) -> list[tuple[int, dict]]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise BadFile(_("This file is not a readable XLSX workbook.")) from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    result = _rows([str(cell or "") for cell in header] if header else None,
                   ((number, ["" if cell is None else _cell(cell) for cell in row])
                    for number, row in enumerate(rows, start=2)))
    book.close()
    return result


def _cell(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(header, rows) -> list[tuple[int, dict]]:
    if not header:
        raise BadFile(_("The file is empty."))
    names = [str(name).strip().lower() for name in header]
    if "client" not in names or "dropoff_address" not in names or "deliver_from" not in names:
        raise BadFile(_("The first row must name the columns; client, dropoff_address and deliver_from are needed. "
                        "Download the template to see them all."))
    result = []
    for number, row in rows:
        if not any(str(cell).strip() for cell in row):
            continue
        result.append((number, {name: str(cell).strip() for name, cell in zip(names, row) if name in COLUMNS}))
        if len(result) > MAX_ROWS:
            raise BadFile(_("At most %(n)s rows per file.", n=MAX_ROWS))
    return result


def fingerprint(row: dict) -> str:
    text = "\x1f".join(str(row.get(name, "")) for name in COLUMNS if name != "external_ref")
    return "row-" + hashlib.sha1(text.encode()).hexdigest()[:20]


async def _clients_for(rows: list[tuple[int, dict]]) -> tuple[dict[str, int], dict[int, dict]]:
    """Client column (a name, any case, or an id) -> client id; and the clients' rows (two queries)."""
    wanted = {row.get("client", "").strip() for _line, row in rows}
    ids = {int(value) for value in wanted if value.isdigit()}
    names = {value.lower() for value in wanted if value and not value.isdigit()}
    found = await Counterparty.select(*CLIENT_COLUMNS).where(Counterparty.is_client == True)  # noqa: E712
    by_name: dict[str, int] = {}
    clients: dict[int, dict] = {}
    for client in found:
        if client["id"] in ids or client["name"].lower() in names:
            clients[client["id"]] = client
            by_name.setdefault(client["name"].lower(), client["id"])
    by_name.update({str(client_id): client_id for client_id in ids if client_id in clients})
    return by_name, clients


async def plan_import(rows: list[tuple[int, dict]], time_zone: str) -> ImportPlan:
    plan = ImportPlan(total=len(rows))
    by_name, clients = await _clients_for(rows)
    default_priority = (await planning_settings()).default_priority
    refs = [row.get("external_ref") or fingerprint(row) for _line, row in rows]
    existing = set()
    for start in range(0, len(refs), 900):
        existing |= set(await Order.select(Order.external_ref).where(
            Order.external_ref.is_in(refs[start:start + 900])).output(as_list=True))
    seen: dict[str, int] = {}
    for (line, row), ref in zip(rows, refs):
        if ref in existing:
            plan.already.append((line, ref))
            continue
        if ref in seen:
            plan.errors.append(RowError(line, "external_ref", _("Same external reference as line %(line)s.",
                                                                 line=seen[ref])))
            continue
        seen[ref] = line
        name = row.get("client", "").strip()
        client_id = by_name.get(name.lower()) or by_name.get(name)
        if name and client_id is None:
            plan.errors.append(RowError(line, "client", _("No client called “%(name)s”.", name=name)))
            continue
        try:
            values = with_distance(read_order({**row, "client": client_id, "external_ref": ref}, time_zone, clients,
                                              default_priority))
        except InvalidInput as exc:
            plan.errors.extend(RowError(line, name, message) for name, message in exc.errors.items())
            continue
        plan.good.append((line, values))
    return plan


def _literal(value) -> str | None:
    """Numbers, booleans and NULL written into the SQL as literals (they cannot carry SQL); None: pass the value
    as a parameter (text, times, JSON)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return None


async def insert_rows(table, rows: list[dict], returning: bool = True) -> list[int]:
    """One multi-row INSERT (standard SQL, with RETURNING) for plain dicts: far quicker than building ORM rows
    for a big import. Text, times and JSON are parameters; only numbers, booleans and NULL are inlined."""
    if not rows:
        return []
    names = list(rows[0])
    json_columns = {column._meta.name for column in table._meta.columns if isinstance(column, JSON)}
    tuples, args = [], []
    for row in rows:
        parts = []
        for name in names:
            value = json.dumps(row[name]) if name in json_columns else row[name]
            literal = _literal(value)
            if literal is None:
                parts.append("{}")
                args.append(value)
            else:
                parts.append(literal)
        tuples.append("(" + ", ".join(parts) + ")")
    columns = ", ".join(f'"{name}"' for name in names)
    sql = f'INSERT INTO "{table._meta.tablename}" ({columns}) VALUES ' + ", ".join(tuples)
    if not returning:
        await table.raw(sql, *args)
        return []
    return [row["id"] for row in await table.raw(sql + ' RETURNING "id"', *args)]


def _created(values: dict) -> dict:
    """The audit diff of a new row ({field: [None, value]}), cheaply: an import writes thousands."""
    return {name: [None, value.isoformat() if isinstance(value, datetime) else value]
            for name, value in values.items() if value not in (None, "", 0, False) or name == "status"}


async def commit_import(actor: Actor, plan: ImportPlan) -> list[int]:
    """Create every good row of the plan (call inside `writing()`): places, orders, first events and audit
    entries go in batches, so a big file is quick. Returns the new orders' ids."""
    book = await PriceBook.load()
    await book.know_clients({values["client"] for _line, values in plan.good})
    now = datetime.now(timezone.utc)
    order_ids: list[int] = []
    for start in range(0, len(plan.good), BATCH):
        chunk = [values for _line, values in plan.good[start:start + BATCH]]
        places = [values[kind] for values in chunk for kind in ("pickup", "dropoff")]
        place_ids = await insert_rows(Place, places)
        orders = []
        for index, values in enumerate(chunk):
            priced = book.quote(values["client"], price_inputs(values, now), "EUR")
            orders.append({
                "reference": new_reference(now), "client": values["client"], "pickup": place_ids[2 * index],
                "dropoff": place_ids[2 * index + 1], "tracking_token": secrets.token_urlsafe(24), "status": NEW,
                "price": priced.total, "price_set_by_hand": False, "currency": priced.currency,
                "price_breakdown": priced.breakdown(), "distance_km": values["distance_km"], "created_at": now,
                "updated_at": now, **{name: values[name] for name in ORDER_FIELDS}})
        ids = await insert_rows(Order, orders)
        await insert_rows(OrderEvent, [
            {"order": order_id, "status": NEW, "user": actor.user_id, "at": now, "note": _("imported"),
             "kind": "status", "from_status": ""} for order_id in ids], returning=False)
        await insert_rows(AuditEntry, [
            {"at": now, "user": actor.user_id, "action": "create", "record_type": "delivery_order",
             "record_id": str(order_id), "summary": f"order {order['reference']} imported", "ip": actor.ip,
             "changes": _created(order)} for order_id, order in zip(ids, orders)], returning=False)
        order_ids.extend(ids)
    return order_ids


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE.get(name, "") for name in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "orders"
    sheet.append(list(COLUMNS))
    sheet.append([EXAMPLE.get(name, "") for name in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
