"""A small week of work built straight from the tables: couriers (own staff or a carrier's), their routes and
stops, what the phones recorded (deliveries, failed attempts, cash) and what clients said."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from itertools import count
from zoneinfo import ZoneInfo

from tables.counterparties import Counterparty
from tables.routes import Route, Stop
from tables.sync import CashEntry, DeliveryProof
from tables.tracking import DeliveryRating
from tests.tracking.scenario import make_client, make_order

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 3, 2)  # a week well away from any daylight-saving change
_sources = count(1)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(timezone.utc)


async def make_carrier(name: str) -> Counterparty:
    carrier = Counterparty(name=name, kind="company")
    await carrier.save()
    return carrier


async def an_order(window_end: datetime | None = None, cod: int = 0):
    """An order whose time window ends at `window_end` (none: no window), with cash on delivery in cents."""
    order = await make_order(await make_client(name=f"Client {next(_sources)}"), status="delivered")
    values = {"deliver_from": window_end - timedelta(hours=2) if window_end else None, "deliver_to": window_end,
              "cod_amount": cod, "currency": "EUR"}
    await order.update_self(values)
    return order


async def proof(courier_user_id: int, order, at: datetime, outcome: str = "delivered") -> None:
    await DeliveryProof(source=f"proof-{next(_sources)}", order=order.id, courier=courier_user_id, outcome=outcome,
                        recipient_name="Léa" if outcome == "delivered" else "",
                        reason_code="" if outcome == "delivered" else "absent", happened_at=at).save()


async def cash(courier_user_id: int, order, amount: int, at: datetime) -> None:
    await CashEntry(source=f"cash-{next(_sources)}", order=order.id, courier=courier_user_id, amount=amount,
                    currency="EUR", collected_at=at).save()


async def route(courier, day: date, km: float, stops: list[tuple] = ()) -> Route:
    """`stops`: (order, arrived_at, departed_at) in the order driven."""
    row = Route(courier=courier.id, vehicle=courier.vehicle, day=day, planned_km=km)
    await row.save()
    for sequence, (order, arrived, departed) in enumerate(stops, start=1):
        await Stop(route=row.id, order=order.id, kind="dropoff", sequence=sequence, arrived_at=arrived,
                   departed_at=departed).save()
    return row


async def rating(courier_user_id: int, order, stars: int, comment: str, at: datetime) -> None:
    await DeliveryRating(order=order.id, courier=courier_user_id, stars=stars, comment=comment,
                         created_at=at).save()
