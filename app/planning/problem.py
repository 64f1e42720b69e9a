"""A depot's day as an optimizer `Problem`: open orders, couriers on shift with their vehicles, and where
everyone stands now.

Ids in the problem: vehicle "c<courier id>", stop "d<order id>" (drop-off) and "p<order id>" (pick-up), order
"<order id>". Times are seconds from the start of the day in the company's time zone; loads in grams and
litres. Re-planning mid-day (`now` inside the day):

* delivered (and otherwise finished) orders are left out; so is a stop already arrived at;
* each vehicle starts from its courier's last GPS position (the `GpsPoint` log, or the courier's last position
  on file) at "now" instead of the depot at shift start;
* goods already picked up are pinned to the courier who carries them;
* stops a dispatcher locked stay on their courier's route in their order;
* a window that closed already is opened to the end of the day: the order is late either way and must still
  go (the proposal counts it as late).

An order is a pick-up/drop-off pair, served by one courier in that order, when its route holds a pick-up stop
not yet reached, or when it is new and its goods wait away from the depot (at the client's address, say);
otherwise its goods leave from the depot (an order a dispatcher assigned by hand as a delivery stays one).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from app.config import get_settings
from app.dispatch.day import company_zone, day_bounds
from app.errors import InvalidInput, NotFound
from app.i18n import gettext as _
from app.optimizer import END_OF_DAY, Load, OsrmTable, Pair, Problem, Stop, Vehicle, travel_matrices
from app.optimizer.travel import great_circle_metres
from app.orders.status import ASSIGNED, NEW, OUT_FOR_DELIVERY, PICKED_UP
from app.planning.settings import planning_settings
from tables.fleet import Courier, Depot
from tables.orders import Order
from tables.routes import Route
from tables.routes import Stop as StopRow

OPEN = (NEW, ASSIGNED, PICKED_UP, OUT_FOR_DELIVERY)
ABOARD = (PICKED_UP, OUT_FOR_DELIVERY)
PROFILES = {"bike": "bicycle", "bicycle": "bicycle", "car": "car", "van": "van", "truck": "truck",
            "scooter": "scooter", "foot": "foot"}
UNPLANNED_PENALTY = 1_000_000
UNLIMITED = 10**9
AT_DEPOT_METRES = 100
"""A pick-up this close to the depot is the depot itself: the goods are loaded there at the start."""


_osrm_clients: dict[str, OsrmTable] = {}


def _osrm(url: str) -> OsrmTable:
    """One client per URL and process, so its cache survives between runs (dispatchers re-plan the same day)."""
    if url not in _osrm_clients:
        _osrm_clients[url] = OsrmTable(url)
    return _osrm_clients[url]


@dataclass
class DayProblem:
    """The optimizer's problem plus what it takes to read its answer back: places, names, current routes."""

    problem: Problem
    day: date
    depot_id: int
    day_start: datetime  # UTC instant of second 0
    points: list[tuple[float, float]]  # location number -> (lat, lon)
    couriers: dict[str, dict] = field(default_factory=dict)  # vehicle id -> courier id, name, route id
    orders: dict[int, dict] = field(default_factory=dict)  # order id -> reference, status, window
    current: dict[str, list[str]] = field(default_factory=dict)  # vehicle id -> stop ids as routed today

    def at(self, seconds: int) -> datetime:
        return self.day_start + timedelta(seconds=seconds)


def order_of(stop_id: str) -> int:
    return int(stop_id[1:])


def kind_of(stop_id: str) -> str:
    return "pickup" if stop_id.startswith("p") else "dropoff"


def _seconds(moment: datetime | None, start: datetime, default: int) -> int:
    if moment is None:
        return default
    return int((moment - start).total_seconds())


def _shift_seconds(day: date, moment, start: datetime) -> int:
    local = datetime.combine(day, moment, tzinfo=company_zone())
    return int((local - start).total_seconds())


def _picked_up_on_the_way(order: dict, rows: list[dict], depot: tuple[float, float]) -> bool:
    """A pick-up stop still to reach on a route, or a new order whose goods are not at the depot."""
    if any(r["kind"] == "pickup" and r["arrived_at"] is None for r in rows):
        return True
    pickup = (order["pickup_lat"], order["pickup_lon"])
    return order["status"] == NEW and great_circle_metres([depot, pickup])[0, 1] > AT_DEPOT_METRES


async def last_positions(user_ids: list[int], since: datetime) -> dict[int, tuple[float, float]]:
    """Each courier's last GPS point since `since` (user id -> (lat, lon))."""
    if not user_ids:
        return {}
    try:
        from tables.sync import GpsPoint
    except ImportError:  # pragma: no cover - the sync tables are optional
        return {}
    rows = await GpsPoint.select(GpsPoint.courier, GpsPoint.lat, GpsPoint.lon, GpsPoint.recorded_at).where(
        GpsPoint.courier.is_in(user_ids) & (GpsPoint.recorded_at >= since)).order_by(GpsPoint.recorded_at)
    return {row["courier"]: (row["lat"], row["lon"]) for row in rows}


async def build_problem(day: date, depot_id: int, now: datetime | None = None) -> DayProblem:
    """The optimizer's view of the depot's day, as it stands at `now` (default: the clock)."""
    depot = await Depot.objects().where(Depot.id == depot_id).first()
    if depot is None:
        raise NotFound(_("This depot does not exist."))
    start, end = day_bounds(day)
    now = now or datetime.now(timezone.utc)
    now_s = max(0, _seconds(now, start, 0)) if now > start else 0
    if now >= end:
        raise InvalidInput({"day": _("This day is over; choose today or a later day.")})

    points: list[tuple[float, float]] = [(depot.lat, depot.lon)]

    def location(lat: float, lon: float) -> int:
        points.append((lat, lon))
        return len(points) - 1

    couriers = await Courier.select(
        Courier.id, Courier.user, Courier.shift_start, Courier.shift_end, Courier.last_lat, Courier.last_lon,
        Courier.last_seen_at, Courier.user.full_name.as_alias("name"), Courier.vehicle.id.as_alias("vehicle_id"),
        Courier.vehicle.vehicle_type.as_alias("vehicle_type"), Courier.vehicle.capacity_kg.as_alias("kg"),
        Courier.vehicle.capacity_m3.as_alias("m3"), Courier.vehicle.cost_per_km.as_alias("per_km"),
        Courier.vehicle.cost_per_hour.as_alias("per_hour"), Courier.vehicle.fixed_cost.as_alias("fixed"),
        Courier.vehicle.is_active.as_alias("vehicle_active"),
    ).where((Courier.depot == depot_id) & (Courier.is_active == True) & Courier.vehicle.is_not_null()  # noqa: E712
            ).order_by(Courier.id)
    couriers = [c for c in couriers if c["vehicle_active"]]
    routes = {row["courier"]: row["id"] for row in await Route.select(Route.id, Route.courier).where(
        (Route.day == day) & Route.courier.is_in([c["id"] for c in couriers] or [0]))}
    gps = await last_positions([c["user"] for c in couriers], start) if now_s else {}

    orders = await Order.select(
        Order.id, Order.reference, Order.status, Order.pickup_from, Order.pickup_to, Order.deliver_from,
        Order.deliver_to, Order.service_minutes, Order.weight_kg, Order.volume_m3, Order.priority_time_cost,
        Order.pickup.lat.as_alias("pickup_lat"), Order.pickup.lon.as_alias("pickup_lon"),
        Order.dropoff.lat.as_alias("lat"), Order.dropoff.lon.as_alias("lon"),
    ).where((Order.deliver_from >= start) & (Order.deliver_from < end) & Order.status.is_in(list(OPEN))
            ).order_by(Order.id)
    order_ids = [o["id"] for o in orders]
    stop_rows = await StopRow.select(
        StopRow.id, StopRow.order, StopRow.kind, StopRow.sequence, StopRow.locked, StopRow.arrived_at,
        StopRow.route.courier.as_alias("courier"), StopRow.route.day.as_alias("day"),
    ).where(StopRow.order.is_in(order_ids or [0]) & (StopRow.route.day == day)).order_by(StopRow.sequence)
    by_order: dict[int, list[dict]] = {}
    for row in stop_rows:
        by_order.setdefault(row["order"], []).append(row)

    vehicles_of: dict[int, str] = {c["id"]: f"c{c['id']}" for c in couriers}
    stops: list[Stop] = []
    pairs: list[Pair] = []
    pinned: dict[str, str] = {}
    info: dict[int, dict] = {}
    for order in orders:
        rows = by_order.get(order["id"], [])
        carrier = next((vehicles_of.get(r["courier"]) for r in rows), None)
        weight, volume = round(order["weight_kg"] * 1000), round(order["volume_m3"] * 1000)
        priority = order["priority_time_cost"]
        service = max(0, order["service_minutes"] or 0) * 60
        ready = max(_seconds(order["deliver_from"], start, 0), now_s)
        due = _seconds(order["deliver_to"], start, END_OF_DAY)
        late = due < now_s
        if late:
            due = END_OF_DAY
        dropoff_id = f"d{order['id']}"
        aboard = order["status"] in ABOARD
        if aboard and carrier is None:
            continue  # picked up by a courier who is not working from this depot today
        info[order["id"]] = {"reference": order["reference"], "status": order["status"],
                             "deliver_to": order["deliver_to"], "late_already": late}
        if not aboard and _picked_up_on_the_way(order, rows, (depot.lat, depot.lon)):
            p_ready = max(_seconds(order["pickup_from"], start, 0), now_s)
            p_due = _seconds(order["pickup_to"], start, END_OF_DAY)
            p_due = END_OF_DAY if p_due < now_s else p_due
            stops.append(Stop(id=f"p{order['id']}", location=location(order["pickup_lat"], order["pickup_lon"]),
                              ready=p_ready, due=p_due, service=service, load=Load(weight, volume),
                              order_id=str(order["id"]), priority=priority))
            stops.append(Stop(id=dropoff_id, location=location(order["lat"], order["lon"]), ready=ready, due=due,
                              service=service, order_id=str(order["id"]), priority=priority))
            pairs.append(Pair(pickup=f"p{order['id']}", dropoff=dropoff_id))
        else:
            stops.append(Stop(id=dropoff_id, location=location(order["lat"], order["lon"]), ready=ready, due=due,
                              service=service, load=Load(0, 0) if aboard else Load(weight, volume),
                              order_id=str(order["id"]), priority=priority,
                              vehicle_id=carrier if aboard else None))
        if aboard:
            pinned[dropoff_id] = carrier

    known = {s.id for s in stops}
    current: dict[str, list[str]] = {}
    locked: dict[str, list[str]] = {}
    for row in stop_rows:
        vehicle_id = vehicles_of.get(row["courier"])
        stop_id = f"{'p' if row['kind'] == 'pickup' else 'd'}{row['order']}"
        if vehicle_id is None or stop_id not in known:
            continue
        current.setdefault(vehicle_id, []).append(stop_id)
        if row["locked"]:
            locked.setdefault(vehicle_id, []).append(stop_id)

    vehicles: list[Vehicle] = []
    names: dict[str, dict] = {}
    for courier in couriers:
        vehicle_id = vehicles_of[courier["id"]]
        shift_start = _shift_seconds(day, courier["shift_start"], start)
        shift_end = _shift_seconds(day, courier["shift_end"], start)
        begin = max(shift_start, now_s)
        if begin >= shift_end and not locked.get(vehicle_id) and vehicle_id not in pinned.values():
            continue  # the shift is over (or not today)
        position = gps.get(courier["user"])
        if position is None and now_s and courier["last_lat"] is not None and courier["last_seen_at"] and \
                courier["last_seen_at"] >= start:
            position = (courier["last_lat"], courier["last_lon"])
        start_at = location(*position) if position else 0
        vehicles.append(Vehicle(
            id=vehicle_id, start=start_at, end=0,
            capacity=Load(round(courier["kg"] * 1000) if courier["kg"] else UNLIMITED,
                          round(courier["m3"] * 1000) if courier["m3"] else UNLIMITED),
            shift_start=begin, shift_end=max(shift_end, begin), cost_per_km=courier["per_km"],
            cost_per_hour=courier["per_hour"], fixed_cost=courier["fixed"],
            profile=PROFILES.get(courier["vehicle_type"], "car"), locked_stops=tuple(locked.get(vehicle_id, ())),
        ))
        names[vehicle_id] = {"courier_id": courier["id"], "name": courier["name"], "user_id": courier["user"],
                             "vehicle_id": courier["vehicle_id"], "route_id": routes.get(courier["id"])}
    working = {v.id for v in vehicles}
    stops = [s for s in stops if s.vehicle_id is None or s.vehicle_id in working]

    settings = get_settings()
    osrm = _osrm(settings.osrm_url) if settings.osrm_url else None
    profiles = sorted({v.profile for v in vehicles} or {"car"})
    # OSRM answers over HTTP and a big estimate takes a moment: off the event loop, which serves other jobs.
    travel = await asyncio.to_thread(travel_matrices, points, profiles, osrm)
    weights = await planning_settings()
    problem = Problem(
        vehicles=tuple(vehicles), stops=tuple(stops), pairs=tuple(pairs), travel=travel,
        default_priority=weights.default_priority, delay_cost_per_hour=weights.delay_cost_per_hour,
        unplanned_penalty=UNPLANNED_PENALTY,
    )
    return DayProblem(problem=problem, day=day, depot_id=depot_id, day_start=start, points=points,
                      couriers=names, orders=info,
                      current={vid: ids for vid, ids in current.items() if vid in working})
