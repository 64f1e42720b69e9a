"""A dispatcher imports a client's file of orders: a dry run first, then only the good rows, never twice."""

import csv
import io

import openpyxl
import pytest

from app.orders.exporting import export_csv, export_xlsx
from app.orders.importing import BadFile, commit_import, plan_import, read_rows, template_csv, template_xlsx
from app.orders.listing import OrderFilter
from tables.audit import AuditEntry
from tables.orders import Order, OrderEvent
from tests.factories import SYSTEM, make_client, make_company_price_list

HEADER = "external_ref,client,dropoff_address,dropoff_lat,dropoff_lon,dropoff_contact_phone,deliver_from,deliver_to,weight_kg,cod_amount\n"
GOOD = "SHOP-1,Boulangerie Martin,8 Rue Cler 75007 Paris,48.856,2.3065,06 12 34 56 78,2026-11-25 14:00,2026-11-25 16:00,2,45.00\n"
FILE = (HEADER + GOOD
        + "SHOP-2,boulangerie martin,1 Rue Lepic 75018 Paris,48.886,2.334,,2026-11-25 10:00,2026-11-25 12:00,1,\n"
        + "SHOP-3,Unknown Shop,1 Rue Lepic 75018 Paris,48.886,2.334,,2026-11-25 10:00,,1,\n"
        + "SHOP-4,Boulangerie Martin,1 Rue Lepic 75018 Paris,48.886,2.334,12,2026-11-25 10:00,,heavy,\n"
        + "SHOP-1,Boulangerie Martin,again,48.8,2.3,,2026-11-25 10:00,,1,\n")


async def test_a_dry_run_names_each_bad_line_and_field_and_writes_nothing():
    await make_client("Boulangerie Martin")
    plan = await plan_import(read_rows("orders.csv", FILE.encode()), "Europe/Paris")
    assert [line for line, _values in plan.good] == [2, 3]
    assert {(error.line, error.field) for error in plan.errors} == {
        (4, "client"), (5, "dropoff_contact_phone"), (5, "weight_kg"), (6, "external_ref")}
    assert await Order.count() == 0


async def test_confirming_keeps_the_good_rows_priced_and_audited_and_a_second_import_creates_nothing():
    await make_company_price_list(base=690, per_km=0, minimum=0)
    await make_client("Boulangerie Martin")
    rows = read_rows("orders.csv", FILE.encode())
    created = await commit_import(SYSTEM, await plan_import(rows, "Europe/Paris"))
    assert len(created) == 2
    first = await Order.objects().where(Order.external_ref == "SHOP-1").first()
    assert first.price == 690 + 150 and first.cod_amount == 4500  # base + cash-on-delivery fee
    assert await OrderEvent.count() == 2 and await AuditEntry.count().where(
        AuditEntry.record_type == "delivery_order") == 2
    again = await plan_import(rows, "Europe/Paris")
    assert again.good == [] and [ref for _line, ref in again.already] == ["SHOP-1", "SHOP-2", "SHOP-1"]


async def test_rows_without_an_external_reference_are_recognised_by_their_content():
    await make_client("Boulangerie Martin")
    content = (HEADER + GOOD.replace("SHOP-1", "")).encode()
    await commit_import(SYSTEM, await plan_import(read_rows("orders.csv", content), "Europe/Paris"))
    plan = await plan_import(read_rows("orders.csv", content), "Europe/Paris")
    assert plan.good == [] and len(plan.already) == 1


async def test_xlsx_works_like_csv_and_the_templates_are_importable():
    await make_client("Boulangerie Martin")
    book = openpyxl.Workbook()
    sheet = book.active
    for line in FILE.splitlines()[:3]:
        sheet.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    plan = await plan_import(read_rows("orders.xlsx", out.getvalue()), "Europe/Paris")
    assert len(plan.good) == 2 and plan.errors == []
    for name, content in (("template.csv", template_csv()), ("template.xlsx", template_xlsx())):
        assert len((await plan_import(read_rows(name, content), "Europe/Paris")).good) == 1


@pytest.mark.parametrize("name, content", [("orders.pdf", b"%PDF"), ("orders.xlsx", b"not a workbook"),
                                           ("orders.csv", b""), ("orders.csv", b"a,b,c\n1,2,3\n")])
def test_a_file_we_cannot_read_is_refused_with_a_reason(name, content):
    with pytest.raises(BadFile) as caught:
        read_rows(name, content)
    assert caught.value.errors["file"]


async def test_the_filtered_list_exports_as_csv_and_xlsx():
    await make_client("Boulangerie Martin")
    await commit_import(SYSTEM, await plan_import(read_rows("orders.csv", FILE.encode()), "Europe/Paris"))
    rows = list(csv.reader(io.StringIO((await export_csv(OrderFilter(search="SHOP-1"))).decode("utf-8-sig"))))
    assert rows[0][:3] == ["reference", "external_ref", "client"] and len(rows) == 2 and rows[1][1] == "SHOP-1"
    book = openpyxl.load_workbook(io.BytesIO(await export_xlsx(OrderFilter())))
    assert book.active.max_row == 3
