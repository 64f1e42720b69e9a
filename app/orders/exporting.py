"""The filtered order list as a CSV or XLSX file (local times, money in major units, one row per order)."""

from __future__ import annotations

import csv
import io

import openpyxl

from app.i18n import current_time_zone, local_time
from app.orders.listing import OrderFilter, walk_orders

EXPORT_COLUMNS = ("reference", "external_ref", "client", "status", "deliver_from", "deliver_to", "dropoff_address",
                  "zone", "contact_name", "contact_phone", "weight_kg", "volume_m3", "pieces", "cod_amount", "price",
                  "currency", "courier")


def _line(order: dict, time_zone: str) -> list:
    def when(value):
        return local_time(value, time_zone).strftime("%Y-%m-%d %H:%M") if value else ""

    return [order["reference"], order["external_ref"], order["client_name"], order["status"],
            when(order["deliver_from"]), when(order["deliver_to"]), order["address"], order["zone"],
            order["contact_name"], order["contact_phone"], order["weight_kg"], order["volume_m3"], order["pieces"],
            order["cod_amount"] / 100, order["price"] / 100, order["currency"], order["courier_name"]]


async def export_csv(filters: OrderFilter, scope=None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    time_zone = current_time_zone()
    async for order in walk_orders(filters, scope=scope):
        writer.writerow(_line(order, time_zone))
    return out.getvalue().encode("utf-8-sig")


async def export_xlsx(filters: OrderFilter, scope=None) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("orders")
    sheet.append(list(EXPORT_COLUMNS))
    time_zone = current_time_zone()
    async for order in walk_orders(filters, scope=scope):
        sheet.append(_line(order, time_zone))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
