"""Fifty couriers' phones, two hundred actions each, through a transport that duplicates, reorders and drops
requests and loses answers after commit, with server crashes before commit, phone clocks six hours off, poison
mutations and old app versions — while three dispatchers cancel, re-attempt and reassign the same orders. The
database must end exactly where a serial model of the rules, replaying the committed history, ends."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import timedelta

from piccolo.query.functions.aggregate import Count, Sum

from app.db import is_sqlite
from tables.orders import Order, OrderEvent
from tables.routes import Stop
from tables.sync import (
    AddressSuggestion,
    Blob,
    CashEntry,
    CourierNote,
    DeliveryProof,
    GpsPoint,
    MutationLog,
    SyncClient,
    SyncProblem,
)
from tests.sync.chaos import Faults, Harness, set_up

PHONES, MUTATIONS = 50, 200


async def grouped(column, table, value=None) -> Counter:
    total = Sum(value, alias="n") if value else Count(table.id, alias="n")
    rows = await table.select(column.as_alias("k"), total).group_by(column)
    return {row["k"]: row["n"] for row in rows if row["n"]}


def nonzero(counts) -> dict:
    return {key: value for key, value in counts.items() if value}


async def test_fifty_phones_through_a_faulty_transport_end_where_the_serial_model_ends():
    rng = random.Random(20261124)
    phones, model = await set_up(PHONES, MUTATIONS, rng)
    harness = Harness(rng, Faults(), concurrency=6 if is_sqlite() else 12)
    stop = asyncio.Event()
    days = [phone.day for phone in phones]
    dispatchers = [asyncio.create_task(harness.dispatcher(days, stop, random.Random(n))) for n in range(3)]
    await asyncio.gather(*[harness.drain(phone) for phone in phones])
    stop.set()
    await asyncio.gather(*dispatchers, *harness.ghosts)

    # every action reached the server exactly once, in order
    assert await MutationLog.count() == PHONES * MUTATIONS
    lasts = await SyncClient.select(SyncClient.last_mutation_id)
    assert [row["last_mutation_id"] for row in lasts] == [MUTATIONS] * PHONES
    for fault in ("dropped", "duplicated", "reordered", "answer_lost", "crash"):
        assert harness.stats[fault] > 0, harness.stats

    # the server's answers, replayed through the model in commit order, agree one by one
    by_client = {phone.client_id: phone for phone in phones}
    wrong = model.replay(harness.history, by_client)
    assert wrong == [], wrong[:10]
    assert len(model.results) == PHONES * MUTATIONS
    logged = await MutationLog.select(MutationLog.client_id, MutationLog.mutation_id, MutationLog.result,
                                      MutationLog.reason)
    assert {(r["client_id"], r["mutation_id"]): (r["result"], r["reason"]) for r in logged} == model.results

    # ... and the database holds what the model holds
    statuses = {row["id"]: row["status"] for row in await Order.select(Order.id, Order.status)}
    assert statuses == model.status
    arrived = {row["id"] for row in await Stop.select(Stop.id).where(Stop.arrived_at.is_not_null())}
    assert arrived == model.arrived
    assert await grouped(CashEntry.order, CashEntry, CashEntry.amount) == nonzero(model.cash)
    assert await grouped(OrderEvent.order, OrderEvent) == nonzero(model.events)
    assert await grouped(DeliveryProof.order, DeliveryProof) == nonzero(model.proofs)
    assert await grouped(CourierNote.order, CourierNote) == nonzero(model.notes)
    assert await grouped(AddressSuggestion.order, AddressSuggestion) == nonzero(model.suggestions)
    assert await grouped(GpsPoint.courier, GpsPoint) == nonzero(model.gps)
    flags = Counter(await grouped(SyncProblem.reason, SyncProblem))
    for reason in ("reassigned", "reassigned_to_you", "cash_mismatch"):
        assert flags[reason] == model.flags[reason], reason
    assert flags["clock_off"] == sum(1 for p in phones if abs(p.clock_offset) > timedelta(minutes=5))
    assert await Blob.count() == sum(len(p.blobs) for p in phones)

    # phone clocks six hours off never put a time in the future or before the day
    times = await MutationLog.select(MutationLog.device_ts, MutationLog.received_at)
    assert all(t["device_ts"] <= t["received_at"] + timedelta(minutes=2) for t in times)
    assert all(t["device_ts"] >= t["received_at"] - timedelta(hours=24, minutes=10) for t in times)
