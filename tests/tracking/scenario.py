"""A small delivery world built straight from the tables: a client, a courier on a route, stops before ours."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, time, timedelta, timezone
from itertools import count

from app import config
from tables.counterparties import Counterparty
from tables.fleet import Courier, Vehicle
from tables.orders import Order, OrderEvent, Place
from tables.routes import Route, Stop

_numbers = count(1)
PARIS = (48.8566, 2.3522)


def configure(monkeypatch, **values) -> None:
    """Change some settings for one test."""
    monkeypatch.setattr(config, "_settings", replace(config.get_settings(), **values))


def now() -> datetime:
    return datetime.now(timezone.utc)


async def make_client(name: str = "Marie Dupont", locale: str = "fr", time_zone: str = "Europe/Paris",
                      email: str = "marie@example.org", phone: str = "+33612345678") -> Counterparty:
    client = Counterparty(name=name, kind="person", locale=locale, time_zone=time_zone, email=email, phone=phone)
    await client.save()
    return client


async def make_order(client: Counterparty, status: str = "new", lat: float = PARIS[0], lon: float = PARIS[1],
                     notes: str = "", address: str = "12 rue de Rivoli, Paris", events: list[str] | None = None,
                     contact_phone: str = "", contact_email: str = "") -> Order:
    n = next(_numbers)
    pickup = Place(address="Depot, 1 quai de Bercy", lat=48.835, lon=2.383)
    dropoff = Place(address=address, lat=lat, lon=lon, contact_name=client.name, contact_phone=contact_phone)
    await pickup.save()
    await dropoff.save()
    start = now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    order = Order(reference=f"WB-T{n:05d}", client=client.id, pickup=pickup.id, dropoff=dropoff.id,
                  tracking_token=secrets.token_urlsafe(24), status=status, notes=notes, deliver_from=start,
                  deliver_to=start + timedelta(hours=2), contact_email=contact_email)
    await order.save()
    for step in events or ["new"]:
        await OrderEvent.insert(OrderEvent(order=order.id, status=step, at=now(), kind="status"))
    return order


async def make_route(courier_user_id: int, position: tuple[float, float] | None = None,
                     seen_at: datetime | None = None) -> Route:
    vehicle = Vehicle(name="Van 1", vehicle_type="van")
    await vehicle.save()
    courier = Courier(user=courier_user_id, vehicle=vehicle.id, shift_start=time(8), shift_end=time(18),
                      last_lat=position[0] if position else None, last_lon=position[1] if position else None,
                      last_seen_at=(seen_at or now()) if position else None)
    await courier.save()
    route = Route(courier=courier.id, vehicle=vehicle.id, day=now().date())
    await route.save()
    return route


async def add_stop(route: Route, order: Order, sequence: int, planned_eta: datetime | None = None,
                   arrived: bool = False) -> Stop:
    stop = Stop(route=route.id, order=order.id, kind="dropoff", sequence=sequence, planned_eta=planned_eta,
                arrived_at=now() if arrived else None, departed_at=now() if arrived else None)
    await stop.save()
    return stop


async def set_status(order: Order, status: str) -> None:
    await Order.update({Order.status: status}).where(Order.id == order.id)
    await OrderEvent.insert(OrderEvent(order=order.id, status=status, at=now(), kind="status"))
    order.status = status
