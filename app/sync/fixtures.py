"""A courier's working day built in the database, for the sync tests, the chaos test and the benchmark.

Not used by the application itself; it lives here (not under tests/) so `bench/` can build the same day.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from app.db import writing
from app.dispatch.day import company_today
from app.sync.changes import record_changes, record_order_change
from tables.counterparties import Counterparty
from tables.fleet import Courier
from tables.orders import Order, Place
from tables.routes import Route, Stop


@dataclass
class Day:
    courier_user_id: int
    route_id: int
    stop_ids: list[int]
    order_ids: list[int]


async def courier_profile(user_id: int) -> int:
    found = await Courier.select(Courier.id).where(Courier.user == user_id).first()
    if found:
        return found["id"]
    row = await Courier.insert(Courier(user=user_id, shift_start=time(8), shift_end=time(18))).returning(Courier.id)
    return row[0]["id"]


async def build_day(user_id: int, stops: int = 5, day: date | None = None, cod_every: int = 2,
                    client_id: int | None = None) -> Day:
    """A route for the courier with `stops` assigned orders (every `cod_every`-th with cash on delivery), and
    the change log telling the courier's phone about all of it."""
    day = day or company_today()
    async with writing():
        courier = await courier_profile(user_id)
        if client_id is None:
            client = await Counterparty.insert(Counterparty(name=f"Client {secrets.token_hex(3)}")).returning(
                Counterparty.id)
            client_id = client[0]["id"]
        route = (await Route.insert(Route(courier=courier, day=day)).returning(Route.id))[0]["id"]
        depot = (await Place.insert(Place(address="1 Depot Street", lat=48.85, lon=2.35)).returning(Place.id))[0]["id"]
        places = await Place.insert(*[Place(address=f"{n} Rue de Test", lat=48.8 + n / 1000, lon=2.3 + n / 1000,
                                            contact_name=f"Recipient {n}", contact_phone="+33600000000")
                                      for n in range(1, stops + 1)]).returning(Place.id)
        start = datetime.combine(day, time(9), tzinfo=timezone.utc)
        orders = await Order.insert(*[Order(
            reference=f"WB-{secrets.token_hex(5)}", client=client_id, pickup=depot, dropoff=place["id"],
            deliver_from=start + timedelta(minutes=10 * n), deliver_to=start + timedelta(minutes=10 * n + 120),
            cod_amount=1250 + n if cod_every and n % cod_every == 0 else 0, currency="EUR", status="assigned",
            tracking_token=secrets.token_hex(16)) for n, place in enumerate(places)]).returning(Order.id)
        order_ids = [row["id"] for row in orders]
        stop_rows = await Stop.insert(*[Stop(route=route, order=order_id, kind="dropoff", sequence=n + 1,
                                             planned_eta=start + timedelta(minutes=10 * n))
                                        for n, order_id in enumerate(order_ids)]).returning(Stop.id)
        await record_changes("route", [route])
        await record_order_change(order_ids)
    return Day(user_id, route, [row["id"] for row in stop_rows], order_ids)
