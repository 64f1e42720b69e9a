"""The courier's own view of the day on the server side: one stop of theirs, and the end-of-shift cash summary
(expected cash on delivery vs what the ledger holds)."""

from __future__ import annotations

from datetime import date

from piccolo.query.functions.aggregate import Sum

from tables.routes import Stop
from tables.sync import CashEntry


async def courier_stop(user_id: int, stop_id: int) -> dict | None:
    """The stop with its order and place, if it is on one of this courier's routes (else None)."""
    return await Stop.select(
        Stop.id, Stop.sequence, Stop.kind, Stop.planned_eta, Stop.arrived_at, Stop.route.day.as_alias("day"),
        Stop.order.id.as_alias("order_id"), Stop.order.reference.as_alias("reference"),
        Stop.order.status.as_alias("status"), Stop.order.cod_amount.as_alias("cod_amount"),
        Stop.order.currency.as_alias("currency"), Stop.order.client.name.as_alias("client_name"),
        Stop.order.dropoff.address.as_alias("address"), Stop.order.dropoff.lat.as_alias("lat"),
        Stop.order.dropoff.lon.as_alias("lon"), Stop.order.dropoff.contact_name.as_alias("contact_name"),
        Stop.order.dropoff.contact_phone.as_alias("contact_phone"), Stop.order.notes.as_alias("notes"),
        Stop.order.pieces.as_alias("pieces"), Stop.order.deliver_from.as_alias("deliver_from"),
        Stop.order.deliver_to.as_alias("deliver_to"),
    ).where((Stop.id == stop_id) & (Stop.route.courier.user == user_id)).first()


async def cash_summary(user_id: int, day: date) -> list[dict]:
    """Per currency: cash on delivery expected on the courier's route that day, and what the courier's ledger
    holds for those orders (two queries)."""
    stops = await Stop.select(Stop.order.id.as_alias("order_id"), Stop.order.cod_amount.as_alias("cod"),
                              Stop.order.currency.as_alias("currency")).where(
        (Stop.route.courier.user == user_id) & (Stop.route.day == day))
    totals: dict[str, dict] = {}
    for row in stops:
        entry = totals.setdefault(row["currency"], {"currency": row["currency"], "expected": 0, "collected": 0})
        entry["expected"] += row["cod"]
    order_ids = [row["order_id"] for row in stops]
    if order_ids:
        rows = await CashEntry.select(CashEntry.currency, Sum(CashEntry.amount, alias="total")).where(
            (CashEntry.courier == user_id) & CashEntry.order.is_in(order_ids)).group_by(CashEntry.currency)
        for row in rows:
            entry = totals.setdefault(row["currency"], {"currency": row["currency"], "expected": 0, "collected": 0})
            entry["collected"] += int(row["total"] or 0)
    for entry in totals.values():
        entry["difference"] = entry["collected"] - entry["expected"]
    return sorted(totals.values(), key=lambda entry: entry["currency"])
