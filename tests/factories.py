"""Building blocks for order, pricing, fleet and board tests: a client, a price list, orders, couriers."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from itertools import count

from app.audit import Actor
from app.dispatch.day import company_today, company_zone
from app.orders.orders import create_order
from app.pricing.lists import add_rule, create_price_list
from tables.counterparties import Counterparty
from tables.fleet import Courier, Depot, Vehicle
from tables.orders import Order, Place

SYSTEM = Actor.system()
_n = count(1)


async def make_client(name: str = "Boulangerie Martin", **fields) -> Counterparty:
    row = Counterparty(name=name, address=fields.pop("address", "12 Rue Montorgueil, 75002 Paris"),
                       lat=fields.pop("lat", "48.8652"), lon=fields.pop("lon", "2.3470"),
                       phone=fields.pop("phone", "+33142000000"), **fields)
    await row.save()
    return row


async def make_company_price_list(base: int = 690, per_km: int = 80, minimum: int = 900):
    price_list = await create_price_list(SYSTEM, "Company tariff", "EUR", company_default=True)
    await add_rule(SYSTEM, price_list, {"kind": "base", "amount": base})
    await add_rule(SYSTEM, price_list, {"kind": "distance", "band_from": 0.0, "per_unit": per_km})
    await add_rule(SYSTEM, price_list, {"kind": "cod_fee", "amount": 150})
    await add_rule(SYSTEM, price_list, {"kind": "minimum", "amount": minimum})
    return price_list


def today_at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(company_today(), time(hour, minute), tzinfo=company_zone()).astimezone(timezone.utc)


def order_fields(client_id: int, **overrides) -> dict:
    start = overrides.pop("deliver_from", today_at(14))
    return {"client": client_id, "dropoff_address": "8 Rue Cler, 75007 Paris", "dropoff_lat": 48.8560,
            "dropoff_lon": 2.3065, "dropoff_contact_name": "Léa Dubois", "dropoff_contact_phone": "06 12 34 56 78",
            "deliver_from": start, "deliver_to": start + timedelta(hours=2), "weight_kg": 2.5, **overrides}


async def make_order(client_id: int, actor: Actor = SYSTEM, **overrides):
    return await create_order(actor, order_fields(client_id, **overrides), "Europe/Paris")


async def many_orders(client_id: int, n: int) -> list[int]:
    """n new orders of today, a minute apart from 10:00, in two bulk inserts (for lists longer than a page)."""
    places = await Place.insert(*(Place(address=f"{i} Rue Juste, 75011 Paris", lat=48.86, lon=2.37, zone="75011")
                                  for i in range(n + 1))).returning(Place.id)
    rows = await Order.insert(*(Order(reference=f"WB-T{i:04}", client=client_id, pickup=places[0]["id"],
                                      dropoff=place["id"], deliver_from=today_at(10) + timedelta(minutes=i),
                                      tracking_token=f"token-{i}", status="new")
                                for i, place in enumerate(places[1:]))).returning(Order.id)
    return [row["id"] for row in rows]


async def make_courier(make_user, name: str = "Karim Haddad", **fields) -> Courier:
    user = await make_user("courier", full_name=name)
    depot = await Depot.objects().first() or await _depot()
    vehicle = Vehicle(name=f"Kangoo {next(_n)}", capacity_kg=600, capacity_m3=3.3, depot=depot.id)
    await vehicle.save()
    courier = Courier(user=user.id, vehicle=vehicle.id, depot=depot.id, shift_start=time(8), shift_end=time(18),
                      **fields)
    await courier.save()
    courier.user_row = user
    return courier


async def _depot() -> Depot:
    depot = Depot(name="Paris-Nord", address="12 Rue Jules Saulnier, 93200 Saint-Denis", lat=48.9186, lon=2.3536)
    await depot.save()
    return depot


def committed(action):
    """`await committed(assign_orders)(actor, ...)`: a domain step in its own write transaction, as the routes
    run it (the change log for the phones is written inside one)."""
    from app.db import writing

    async def run(*args, **kwargs):
        async with writing():
            return await action(*args, **kwargs)

    return run
