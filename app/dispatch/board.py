"""What the dispatcher's board shows for a day: the filtered order list (keyset pages), the couriers with their
routes, the map's points and lines, and the exceptions that need a human. Each is a fixed number of queries,
whatever the number of orders or couriers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlencode

from piccolo.query.functions.aggregate import Count

from app.dispatch.address_suggestions import pending_suggestions
from app.dispatch.day import company_zone, day_bounds
from app.orders.status import ASSIGNED, DELIVERED, FAILED, NEW
from app.sync.board import field_proofs
from app.sync.reasons import explain
from tables.fleet import Courier
from tables.orders import Order
from tables.routes import Route, Stop
from tables.sync import CashEntry, GpsPoint, SyncProblem

UNASSIGNED = "none"  # the courier filter's value for orders on no route
SOON = timedelta(hours=1)  # an unassigned order whose window opens within this is an exception
WINDOWS = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}


@dataclass(frozen=True)
class BoardFilter:
    status: str = ""
    courier: str = ""  # a courier id, UNASSIGNED, or "" for all
    zone: str = ""  # postcode prefix of the drop-off
    window: str = ""  # a key of WINDOWS
    client_id: int | None = None

    def query_string(self, **extra) -> str:
        pairs = {"status": self.status, "courier": self.courier, "zone": self.zone, "window": self.window,
                 "client": self.client_id or "", **extra}
        return urlencode({key: value for key, value in pairs.items() if value not in ("", None)})


ROW_COLUMNS = (
    Order.id, Order.reference, Order.status, Order.deliver_from, Order.deliver_to, Order.price, Order.currency,
    Order.weight_kg, Order.cod_amount, Order.client.name.as_alias("client_name"),
    Order.dropoff.address.as_alias("address"), Order.dropoff.zone.as_alias("zone"),
    Order.dropoff.lat.as_alias("lat"), Order.dropoff.lon.as_alias("lon"),
)


def _day_orders(day: date, filters: BoardFilter, columns=ROW_COLUMNS):
    start, end = day_bounds(day)
    query = Order.select(*columns).where((Order.deliver_from >= start) & (Order.deliver_from < end))
    if filters.status:
        query = query.where(Order.status == filters.status)
    if filters.client_id:
        query = query.where(Order.client == filters.client_id)
    if filters.zone:
        query = query.where(Order.dropoff.zone.like(f"{filters.zone}%"))
    if filters.window in WINDOWS:
        low, high = WINDOWS[filters.window]
        local = datetime.combine(day, datetime.min.time(), tzinfo=company_zone())
        query = query.where((Order.deliver_from >= (local + timedelta(hours=low)).astimezone(timezone.utc))
                            & (Order.deliver_from < (local + timedelta(hours=high)).astimezone(timezone.utc)))
    if filters.courier == UNASSIGNED:
        query = query.where(Order.id.not_in(Stop.select(Stop.order).where(Stop.route.day == day)))
    elif filters.courier.isdigit():
        query = query.where(Order.id.is_in(Stop.select(Stop.order).where(
            (Stop.route.day == day) & (Stop.route.courier == int(filters.courier)))))
    return query


async def stops_of(order_ids: list[int]) -> dict[int, dict]:
    """order id -> its stop (id, sequence, eta, courier) — one query for any number of orders."""
    if not order_ids:
        return {}
    rows = await Stop.select(Stop.id, Stop.order, Stop.sequence, Stop.planned_eta,
                             Stop.route.courier.id.as_alias("courier_id"),
                             Stop.route.courier.user.full_name.as_alias("courier_name")).where(
        Stop.order.is_in(order_ids))
    return {row["order"]: row for row in rows}


async def board_orders(day: date, filters: BoardFilter, after: tuple | None = None, limit: int = 100) -> list[dict]:
    """A page of the day's orders by (delivery start, id); each with its stop and courier, and the proof the
    courier recorded ("Delivered, photo uploading"): at most four queries."""
    query = _day_orders(day, filters)
    if after:
        moment, order_id = after
        query = query.where((Order.deliver_from > moment) | ((Order.deliver_from == moment) & (Order.id > order_id)))
    return await _with_stops(await query.order_by(Order.deliver_from).order_by(Order.id).limit(limit))


async def shown_orders(order_ids: list[int]) -> list[dict]:
    """The rows the dispatcher has on screen, whatever page or filter brought them there (the live poll
    refreshes exactly those, even one that has since left the filter): three queries."""
    if not order_ids:
        return []
    return await _with_stops(await Order.select(*ROW_COLUMNS).where(Order.id.is_in(order_ids)))


async def _with_stops(orders: list[dict]) -> list[dict]:
    """Each order with its stop and courier, and the proof the courier recorded (two queries)."""
    stops = await stops_of([order["id"] for order in orders])
    proofs = await field_proofs([order["id"] for order in orders])
    for order in orders:
        order["stop"] = stops.get(order["id"])
        order["proof"] = proofs.get(order["id"])
    return orders


async def status_counts(day: date, filters: BoardFilter) -> dict[str, int]:
    """Orders of the day by status, under every filter but the status one (one query)."""
    rows = await _day_orders(day, BoardFilter(courier=filters.courier, zone=filters.zone, window=filters.window,
                                              client_id=filters.client_id),
                             columns=(Order.status, Count(Order.id, alias="n"))).group_by(Order.status)
    return {row["status"]: row["n"] for row in rows}


async def couriers_of_day(day: date) -> list[dict]:
    """Active couriers with their route for the day (stop count, done count) — two queries."""
    couriers = await Courier.select(Courier.id, Courier.user.full_name.as_alias("name"), Courier.user,
                                    Courier.vehicle.name.as_alias("vehicle_name"),
                                    Courier.last_lat, Courier.last_lon, Courier.last_seen_at).where(
        Courier.is_active == True).order_by(Courier.user.full_name)  # noqa: E712
    counts = await Stop.select(Stop.route.courier.as_alias("courier"), Stop.route.id.as_alias("route"),
                               Stop.order.status.as_alias("status"), Count(Stop.id, alias="n")).where(
        Stop.route.day == day).group_by(Stop.route.courier, Stop.route.id, Stop.order.status)
    by_courier: dict[int, dict] = {}
    for row in counts:
        entry = by_courier.setdefault(row["courier"], {"route_id": row["route"], "stops": 0, "done": 0})
        entry["stops"] += row["n"]
        if row["status"] in (DELIVERED, FAILED, "returned"):
            entry["done"] += row["n"]
    for courier in couriers:
        courier.update(by_courier.get(courier["id"], {"route_id": None, "stops": 0, "done": 0}))
    return couriers


async def route_stops(day: date, courier_id: int) -> tuple[dict | None, list[dict]]:
    route = await Route.select(Route.id, Route.courier, Route.courier.user.full_name.as_alias("courier_name"),
                               Route.planned_km, Route.planned_minutes).where(
        (Route.courier == courier_id) & (Route.day == day)).first()
    if route is None:
        return None, []
    stops = await Stop.select(
        Stop.id, Stop.sequence, Stop.planned_eta, Stop.order.id.as_alias("order_id"),
        Stop.order.reference.as_alias("reference"), Stop.order.status.as_alias("status"),
        Stop.order.dropoff.address.as_alias("address"), Stop.order.deliver_from.as_alias("deliver_from"),
        Stop.order.deliver_to.as_alias("deliver_to"),
    ).where(Stop.route == route["id"]).order_by(Stop.sequence).order_by(Stop.id)
    return route, stops


async def latest_positions(day: date) -> dict[int, dict]:
    """courier user id -> last GPS point reported today (one query)."""
    start, _end = day_bounds(day)
    rows = await GpsPoint.raw(
        "SELECT courier, lat, lon, recorded_at FROM gps_point WHERE id IN "
        "(SELECT MAX(id) FROM gps_point WHERE recorded_at >= {} GROUP BY courier)", start)
    return {row["courier"]: row for row in rows}


async def map_data(day: date, filters: BoardFilter) -> dict:
    """Points, route lines and courier positions for the map (four queries)."""
    orders = await _day_orders(day, filters, columns=(Order.id, Order.reference, Order.status,
                                                      Order.dropoff.lat.as_alias("lat"),
                                                      Order.dropoff.lon.as_alias("lon")))
    stops = await Stop.select(Stop.order, Stop.sequence, Stop.route.courier.as_alias("courier"),
                              Stop.order.dropoff.lat.as_alias("lat"), Stop.order.dropoff.lon.as_alias("lon")).where(
        Stop.route.day == day).order_by(Stop.route.courier).order_by(Stop.sequence)
    couriers = await couriers_of_day(day)
    positions = await latest_positions(day)
    courier_of = {stop["order"]: stop["courier"] for stop in stops}
    lines: dict[int, list] = {}
    for stop in stops:
        lines.setdefault(stop["courier"], []).append([stop["lat"], stop["lon"]])
    people = []
    for courier in couriers:
        point = positions.get(courier["user"])
        lat, lon = (point["lat"], point["lon"]) if point else (courier["last_lat"], courier["last_lon"])
        if lat is not None and lon is not None:
            people.append({"id": courier["id"], "name": courier["name"], "lat": lat, "lon": lon})
    return {
        "orders": [{"id": row["id"], "ref": row["reference"], "status": row["status"], "lat": row["lat"],
                    "lon": row["lon"], "courier": courier_of.get(row["id"])} for row in orders],
        "routes": [{"courier": courier_id, "points": points} for courier_id, points in lines.items()],
        "couriers": people,
    }


async def exceptions(day: date, at: datetime | None = None) -> dict[str, list[dict]]:
    """What needs a dispatcher now: late stops, failed attempts, unassigned orders near their window, cash that
    does not match, problems phones reported, couriers' address fixes waiting for an answer (four queries)."""
    at = at or datetime.now(timezone.utc)
    start, end = day_bounds(day)
    columns = (Order.id, Order.reference, Order.status, Order.deliver_from, Order.deliver_to,
               Order.client.name.as_alias("client_name"))
    in_day = (Order.deliver_from >= start) & (Order.deliver_from < end)
    soon = (Order.status == NEW) & (Order.deliver_from >= start) & (Order.deliver_from < at + SOON)  # past midnight too
    rows = await Order.select(*columns).where(soon | (in_day & (
        ((Order.deliver_to < at) & Order.status.is_in([ASSIGNED, "picked_up", "out_for_delivery"]))
        | (Order.status == FAILED)))).order_by(Order.deliver_from).limit(300)
    failed = [row for row in rows if row["status"] == FAILED]
    unassigned = [row for row in rows if row["status"] == NEW]
    late = sorted((row for row in rows if row["status"] not in (FAILED, NEW)), key=lambda row: row["deliver_to"])
    cash = await CashEntry.select(CashEntry.id, CashEntry.amount, CashEntry.currency,
                                  CashEntry.order.id.as_alias("order_id"),
                                  CashEntry.order.reference.as_alias("reference"),
                                  CashEntry.order.cod_amount.as_alias("expected"),
                                  CashEntry.courier.full_name.as_alias("courier_name")).where(
        (CashEntry.mismatch == True) & (CashEntry.collected_at >= start)).limit(50)  # noqa: E712
    problems = await SyncProblem.select(SyncProblem.id, SyncProblem.kind, SyncProblem.reason, SyncProblem.params,
                                        SyncProblem.created_at,
                                        SyncProblem.order.reference.as_alias("reference"),
                                        SyncProblem.order.id.as_alias("order_id"),
                                        SyncProblem.courier.full_name.as_alias("courier_name")).where(
        SyncProblem.resolved_at.is_null() & (SyncProblem.created_at >= start)).order_by(
        SyncProblem.created_at, ascending=False).output(load_json=True).limit(50)
    for problem in problems:
        problem["text"] = explain(problem["reason"], problem["params"] if isinstance(problem["params"], dict) else {})
    return {"late": late, "failed": failed, "unassigned": unassigned, "cash": cash, "sync": problems,
            "addresses": await pending_suggestions()}

