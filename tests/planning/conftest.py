"""A small day to plan: one depot, two couriers, a handful of orders for tomorrow (no time-of-day surprises)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from app.dispatch.day import company_today, company_zone
from tables.fleet import Vehicle
from tests.factories import make_client, make_courier, make_order


def tomorrow() -> date:
    return company_today() + timedelta(days=1)


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(tomorrow(), time(hour, minute), tzinfo=company_zone()).astimezone(timezone.utc)


PLACES = [  # a few addresses around Paris
    ("8 Rue Cler, 75007 Paris", 48.8560, 2.3065),
    ("3 Rue de Rivoli, 75004 Paris", 48.8553, 2.3600),
    ("20 Rue Oberkampf, 75011 Paris", 48.8650, 2.3760),
    ("5 Rue Lepic, 75018 Paris", 48.8845, 2.3337),
    ("14 Rue de Vaugirard, 75006 Paris", 48.8480, 2.3330),
]


@pytest.fixture
async def small_day(make_user):
    """Two couriers (Karim, Paul) and five orders for tomorrow, 10:00-14:00 windows, none routed yet."""
    client = await make_client()
    karim = await make_courier(make_user, "Karim Haddad")
    paul = await make_courier(make_user, "Paul Renard")
    await Vehicle.update({Vehicle.cost_per_km: 20, Vehicle.cost_per_hour: 2200, Vehicle.fixed_cost: 2500}).where(
        Vehicle.id.is_in([karim.vehicle, paul.vehicle]))
    orders = []
    for number, (address, lat, lon) in enumerate(PLACES):
        orders.append(await make_order(client.id, dropoff_address=address, dropoff_lat=lat, dropoff_lon=lon,
                                       deliver_from=tomorrow_at(10), deliver_to=tomorrow_at(14),
                                       weight_kg=2.0 + number, priority_time_cost=20 * number))
    return {"day": tomorrow(), "depot": karim.depot, "couriers": [karim, paul], "orders": orders}
