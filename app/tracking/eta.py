"""A live ETA for one stop: from the courier's last reported position, through the stops still before it.

Travel is the embedded estimate the optimizer uses (great circle x detour at the vehicle type's speed) plus the
service time of each stop on the way. Without a fresh position the route's planned ETA stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from math import asin, cos, radians, sin, sqrt

from app.optimizer.travel import DETOUR_FACTOR, EARTH_RADIUS_M, SPEED_KMH
from app.orders.status import DELIVERED, END_STATES, FAILED, OUT_FOR_DELIVERY
from tables.routes import Stop
from tables.sync import GpsPoint

FRESH_POSITION = timedelta(minutes=20)
DEFAULT_SPEED_KMH = 27.0
VEHICLE_SPEED = {**SPEED_KMH, "bike": SPEED_KMH.get("bicycle", 14.0)}


@dataclass(frozen=True)
class Progress:
    eta: datetime | None
    stops_before: int | None
    on_the_way: bool  # the courier is driving to this stop now: the page may show where they are
    courier_lat: float | None = None
    courier_lon: float | None = None
    courier_seen_at: datetime | None = None
    courier_user_id: int | None = None
    courier_name: str = ""  # the courier's full name (messages use the first name; the page shows none)
    live: bool = False  # the ETA comes from a fresh position, not the plan


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat, dlon = radians(lat2 - lat1), radians(lon2 - lon1)
    h = sin(dlat / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(sqrt(min(1.0, h)))


def drive_minutes(lat1: float, lon1: float, lat2: float, lon2: float, speed_kmh: float) -> float:
    return metres(lat1, lon1, lat2, lon2) * DETOUR_FACTOR / 1000 / speed_kmh * 60


def _place(stop: dict) -> tuple[float, float]:
    if stop["kind"] == "pickup":
        return stop["pickup_lat"], stop["pickup_lon"]
    return stop["dropoff_lat"], stop["dropoff_lon"]


# Plain SQL for the two joined reads every notification and every page view makes: Piccolo's query builder spends
# ~2 ms building a select with this many joins, many times what the database takes to answer it.
_STOP_SQL = """
    SELECT s.id, s.route, s.sequence, s.planned_eta, s.arrived_at, cu."user" AS courier_user_id,
           u.full_name AS courier_name, cu.last_lat AS lat, cu.last_lon AS lon, cu.last_seen_at AS seen_at,
           v.vehicle_type AS vehicle_type, d.lat AS dropoff_lat, d.lon AS dropoff_lon
    FROM stop s
    LEFT JOIN route r ON r.id = s.route
    LEFT JOIN courier cu ON cu.id = r.courier
    LEFT JOIN app_user u ON u.id = cu."user"
    LEFT JOIN vehicle v ON v.id = cu.vehicle
    LEFT JOIN delivery_order o ON o.id = s."order"
    LEFT JOIN place d ON d.id = o.dropoff
    WHERE s."order" = {} AND s.kind = 'dropoff'
    ORDER BY s.id DESC LIMIT 1"""

_BEFORE_SQL = """
    SELECT s.kind, s.sequence, o.service_minutes, o.status, pk.lat AS pickup_lat, pk.lon AS pickup_lon,
           d.lat AS dropoff_lat, d.lon AS dropoff_lon
    FROM stop s
    LEFT JOIN delivery_order o ON o.id = s."order"
    LEFT JOIN place pk ON pk.id = o.pickup
    LEFT JOIN place d ON d.id = o.dropoff
    WHERE s.route = {} AND s.sequence < {} AND s.departed_at IS NULL AND s.arrived_at IS NULL
    ORDER BY s.sequence"""


async def _latest_position(stop: dict) -> None:
    """The courier's last GPS point from the phone, when newer than the position kept on the courier."""
    if stop["courier_user_id"] is None:
        return
    points = await GpsPoint.raw(
        "SELECT lat, lon, recorded_at FROM gps_point WHERE courier = {} ORDER BY recorded_at DESC LIMIT 1",
        stop["courier_user_id"])
    point = points[0] if points else None
    if point and (stop["seen_at"] is None or point["recorded_at"] > stop["seen_at"]):
        stop["lat"], stop["lon"], stop["seen_at"] = point["lat"], point["lon"], point["recorded_at"]


async def order_progress(order_id: int, status: str, now: datetime | None = None) -> Progress:
    """Where the delivery of `order_id` stands on its courier's route (three queries)."""
    now = now or datetime.now(timezone.utc)
    rows = await Stop.raw(_STOP_SQL, order_id)
    stop = rows[0] if rows else None
    if stop is None:
        return Progress(eta=None, stops_before=None, on_the_way=False)
    if status in END_STATES or status == FAILED:
        return Progress(eta=None, stops_before=0, on_the_way=False, courier_user_id=stop["courier_user_id"],
                        courier_name=stop["courier_name"] or "")
    before = await Stop.raw(_BEFORE_SQL, stop["route"], stop["sequence"])
    await _latest_position(stop)
    pending = [s for s in before if not (s["kind"] == "dropoff" and s["status"] in (*END_STATES, FAILED, DELIVERED))]
    fresh = (stop["lat"] is not None and stop["lon"] is not None and stop["seen_at"] is not None
             and now - stop["seen_at"] <= FRESH_POSITION)
    eta, live = stop["planned_eta"], False
    if fresh and stop["arrived_at"] is None:
        speed = VEHICLE_SPEED.get(stop["vehicle_type"] or "", DEFAULT_SPEED_KMH)
        here, minutes = (stop["lat"], stop["lon"]), 0.0
        for other in pending:
            there = _place(other)
            minutes += drive_minutes(*here, *there, speed) + (other["service_minutes"] or 0)
            here = there
        minutes += drive_minutes(*here, stop["dropoff_lat"], stop["dropoff_lon"], speed)
        eta, live = now + timedelta(minutes=round(minutes)), True
    on_the_way = status == OUT_FOR_DELIVERY and not pending and fresh
    return Progress(
        eta=eta, stops_before=len(pending), on_the_way=on_the_way, live=live,
        courier_lat=stop["lat"] if on_the_way else None, courier_lon=stop["lon"] if on_the_way else None,
        courier_seen_at=stop["seen_at"] if on_the_way else None, courier_user_id=stop["courier_user_id"],
        courier_name=stop["courier_name"] or "",
    )
