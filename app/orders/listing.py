"""Finding orders: the filtered list, a page at a time (keyset on id, newest first, two queries a page), and the
same filter walked in batches for an export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import AsyncIterator

from app.dispatch.day import assigned_couriers, day_bounds
from tables.orders import Order

LIST_COLUMNS = (
    Order.id, Order.reference, Order.external_ref, Order.status, Order.deliver_from, Order.deliver_to,
    Order.price, Order.price_set_by_hand, Order.currency, Order.weight_kg, Order.volume_m3, Order.pieces,
    Order.cod_amount, Order.notes, Order.client.id.as_alias("client_id"), Order.client.name.as_alias("client_name"),
    Order.pickup.address.as_alias("pickup_address"), Order.dropoff.address.as_alias("address"),
    Order.dropoff.lat.as_alias("lat"), Order.dropoff.lon.as_alias("lon"),
    Order.dropoff.contact_name.as_alias("contact_name"), Order.dropoff.contact_phone.as_alias("contact_phone"),
    Order.dropoff.zone.as_alias("zone"),
)


@dataclass(frozen=True)
class OrderFilter:
    status: str = ""
    client_id: int | None = None
    day: date | None = None
    search: str = ""

    def query_string(self) -> str:
        from urllib.parse import urlencode

        return urlencode({key: value for key, value in (
            ("status", self.status), ("client", self.client_id or ""), ("day", self.day.isoformat() if self.day else ""),
            ("q", self.search)) if value})


def _filtered(filters: OrderFilter):
    query = Order.select(*LIST_COLUMNS)
    if filters.status:
        query = query.where(Order.status == filters.status)
    if filters.client_id:
        query = query.where(Order.client == filters.client_id)
    if filters.day:
        start, end = day_bounds(filters.day)
        query = query.where((Order.deliver_from >= start) & (Order.deliver_from < end))
    if filters.search:
        needle = f"%{filters.search}%"
        query = query.where(Order.reference.ilike(needle) | Order.external_ref.ilike(needle)
                            | Order.dropoff.address.ilike(needle))
    return query


async def list_orders(filters: OrderFilter, before_id: int | None = None, limit: int = 50,
                      scope=None) -> list[dict]:
    """`scope`: a WHERE clause limiting what the reader may see (app/orders/visibility.py)."""
    query = _filtered(filters)
    if scope is not None:
        query = query.where(scope)
    if before_id:
        query = query.where(Order.id < before_id)
    orders = await query.order_by(Order.id, ascending=False).limit(limit)
    couriers = await assigned_couriers([order["id"] for order in orders])
    for order in orders:
        order["courier_name"] = couriers.get(order["id"], "")
    return orders


async def walk_orders(filters: OrderFilter, batch: int = 1000, scope=None) -> AsyncIterator[dict]:
    before = None
    while True:
        rows = await list_orders(filters, before_id=before, limit=batch, scope=scope)
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        before = rows[-1]["id"]
