"""Importing clients and contacts from CSV or XLSX: matched on tax id and phone, a dry run that writes nothing,
errors named by line; and the export of exactly the filtered list."""

from __future__ import annotations

import io

import openpyxl

from app.crm.transfer import import_clients
from app.crm.visibility import viewer_of
from tables.counterparties import Contact, Counterparty
from tests.conftest import log_in, post_form
from tests.crm.conftest import actor, register

CSV = (
    "name,kind,tax_id,phone,email,marketing_source,contact_name,contact_phone\n"
    "Atelier Lefèvre,company,FR10101010101,01 40 00 00 01,atelier@lefevre.fr,Trade fair,Paul Lefèvre,06 10 10 10 10\n"
    "Maison Rousseau updated,company,FR20202020202,,,,,\n"
    ",company,,,,,,\n"
    "Bad Phone,company,,12,,,,\n"
    "Omar's,company,FR30303030303,,,,,\n"
)


async def test_a_dry_run_reports_each_line_and_writes_nothing_then_the_real_run_creates_and_updates(team):
    existing = await register(team.thomas, "Maison Rousseau", tax_id="FR20202020202")
    await register(team.omar, "Omar's client", tax_id="FR30303030303")
    me = await viewer_of(team.thomas)
    dry = await import_clients(actor(team.thomas), me, "clients.csv", CSV.encode(), dry_run=True)
    assert [(line.line, line.action) for line in dry.lines] == [
        (2, "create"), (3, "update"), (4, "error"), (5, "error"), (6, "error")]
    assert "name" in dry.lines[2].errors[0] and "phone" in dry.lines[3].errors[0]
    assert "another manager" in dry.lines[4].errors[0]
    assert await Counterparty.count() == 2
    real = await import_clients(actor(team.thomas), me, "clients.csv", CSV.encode(), dry_run=False)
    assert (real.created, real.updated, len(real.failed)) == (1, 1, 3)
    made = await Counterparty.objects().where(Counterparty.tax_id == "FR10101010101").first()
    assert (made.phone, made.manager) == ("+33140000001", team.thomas.id)
    assert await Contact.exists().where((Contact.counterparty == made.id) & (Contact.phone == "+33610101010"))
    assert (await Counterparty.objects().where(Counterparty.id == existing.id).first()).name == "Maison Rousseau updated"
    again = await import_clients(actor(team.thomas), me, "clients.csv", CSV.encode(), dry_run=True)
    assert [line.action for line in again.lines[:2]] == ["update", "update"]


async def test_an_xlsx_file_imports_through_the_page_with_line_numbers(client, team):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "phone", "email"])
    sheet.append(["Vélo Atelier Clément", "+33 1 43 00 00 09", "velo@clement.fr"])
    sheet.append(["No Mail", "", "not-an-email"])
    buffer = io.BytesIO()
    book.save(buffer)
    await log_in(client, "thomas")
    page = await post_form(client, "/crm/import", {"apply": "1"}, files={"file": ("c.xlsx", buffer.getvalue(),
                                                                                  "application/octet-stream")})
    assert page.status_code == 200 and "1 new, 0 updated, 1 with errors" in page.text
    assert "<td>3</td>" in page.text
    assert await Counterparty.exists().where(Counterparty.name == "Vélo Atelier Clément")


async def test_the_export_follows_the_filters(client, team):
    await register(team.thomas, "Alpha Prospect", state="prospect")
    await register(team.thomas, "Beta Active", state="active")
    await log_in(client, "thomas")
    text = (await client.get("/crm/export?state=prospect")).content.decode("utf-8-sig")
    assert "Alpha Prospect" in text and "Beta Active" not in text
