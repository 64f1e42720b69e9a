"""The working day: which orders fall on it, and each courier's route for it.

"Today" is the company's today, in its time zone, not the server's.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Count

from app.config import get_settings
from tables.fleet import Courier
from tables.orders import Order
from tables.routes import Route, Stop


def company_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().default_time_zone)


def company_today() -> date:
    return datetime.now(company_zone()).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=company_zone())
    return start.astimezone(timezone.utc), (start + timedelta(days=1)).astimezone(timezone.utc)


async def courier_route(user_id: int, day: date) -> tuple[dict | None, list[dict]]:
    """The courier's route for the day and its stops in order (two queries, whatever the number of stops)."""
    route = await Route.select(Route.id, Route.day, Route.planned_km, Route.planned_minutes,
                               Route.vehicle.name.as_alias("vehicle_name")).where(
        (Route.courier.user == user_id) & (Route.day == day)).first()
    if route is None:
        return None, []
    stops = await Stop.select(
        Stop.id, Stop.sequence, Stop.kind, Stop.planned_eta, Stop.arrived_at,
        Stop.order.id.as_alias("order_id"), Stop.order.reference.as_alias("reference"),
        Stop.order.status.as_alias("status"), Stop.order.cod_amount.as_alias("cod_amount"),
        Stop.order.currency.as_alias("currency"), Stop.order.client.name.as_alias("client_name"),
        Stop.order.dropoff.address.as_alias("address"), Stop.order.dropoff.lat.as_alias("lat"),
        Stop.order.dropoff.lon.as_alias("lon"), Stop.order.dropoff.contact_name.as_alias("contact_name"),
        Stop.order.dropoff.contact_phone.as_alias("contact_phone"),
        Stop.order.deliver_from.as_alias("deliver_from"), Stop.order.deliver_to.as_alias("deliver_to"),
    ).where(Stop.route == route["id"]).order_by(Stop.sequence)
    return route, stops


async def day_orders(day: date, after_id: int | None = None, limit: int = 100, status: str = "") -> list[dict]:
    """Orders due on the day, by id, a page at a time; each with its courier if assigned (two queries)."""
    start, end = day_bounds(day)
    query = Order.select(
        Order.id, Order.reference, Order.status, Order.deliver_from, Order.deliver_to, Order.price,
        Order.currency, Order.weight_kg, Order.client.name.as_alias("client_name"),
        Order.dropoff.address.as_alias("address"),
    ).where((Order.deliver_from >= start) & (Order.deliver_from < end))
    if after_id:
        query = query.where(Order.id > after_id)
    if status:
        query = query.where(Order.status == status)
    orders = await query.order_by(Order.id).limit(limit)
    couriers = await assigned_couriers([order["id"] for order in orders])
    for order in orders:
        order["courier_name"] = couriers.get(order["id"], "")
    return orders


async def assigned_couriers(order_ids: list[int]) -> dict[int, str]:
    if not order_ids:
        return {}
    rows = await Stop.select(Stop.order, Stop.route.courier.user.full_name.as_alias("courier_name")).where(
        Stop.order.is_in(order_ids))
    return {row["order"]: row["courier_name"] for row in rows}


async def status_counts(day: date) -> dict[str, int]:
    start, end = day_bounds(day)
    rows = await Order.select(Order.status, Count(Order.id, alias="n")).where(
        (Order.deliver_from >= start) & (Order.deliver_from < end)).group_by(Order.status)
    return {row["status"]: row["n"] for row in rows}


async def cash_expected_by_courier(day: date) -> list[dict]:
    """Cash on delivery each courier should bring back from the day's route (one query)."""
    rows = await Stop.select(
        Stop.route.courier.user.full_name.as_alias("courier_name"), Stop.order.cod_amount.as_alias("cod"),
        Stop.order.currency.as_alias("currency"), Stop.order.status.as_alias("status"),
    ).where((Stop.route.day == day) & (Stop.order.cod_amount > 0))
    totals: dict[tuple[str, str], dict] = {}
    for row in rows:
        entry = totals.setdefault((row["courier_name"], row["currency"]),
                                  {"courier_name": row["courier_name"], "currency": row["currency"],
                                   "expected": 0, "delivered": 0, "orders": 0})
        entry["expected"] += row["cod"]
        entry["orders"] += 1
        if row["status"] == "delivered":
            entry["delivered"] += row["cod"]
    return sorted(totals.values(), key=lambda entry: entry["courier_name"])


async def courier_of_user(user_id: int) -> Courier | None:
    return await Courier.objects().where(Courier.user == user_id).first()
