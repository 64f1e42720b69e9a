"""A courier's actions, one mutation at a time, and the rules the server applies to each."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.db import writing
from app.sync.changes import record_order_change
from app.sync.fixtures import build_day
from tables.orders import Order, OrderEvent
from tables.routes import Stop
from tables.sync import (
    AddressSuggestion,
    CashEntry,
    CourierNote,
    DeliveryProof,
    GpsPoint,
    MutationLog,
    SyncProblem,
)
from tests.sync.helpers import mutation, png, results, send


@pytest.fixture
async def courier(make_user):
    return await make_user("courier")


async def status_of(order_id: int) -> str:
    return (await Order.select(Order.status).where(Order.id == order_id).first())["status"]


async def test_a_courier_arrives_picks_up_and_delivers_with_proof(courier):
    day = await build_day(courier.id, stops=2)
    stop, order = day.stop_ids[0], day.order_ids[0]
    _photo, photo_hash = png("photo")
    answer = await send(courier.id, "phone-1",
                        mutation(1, "stop.pick_up", stop_id=stop),
                        mutation(2, "stop.arrive", stop_id=stop, lat=48.8, lon=2.3),
                        mutation(3, "stop.deliver", stop_id=stop, recipient_name="Ann", photo_sha256=photo_hash,
                                 lat=48.8, lon=2.3))
    assert results(answer) == [(1, "applied", ""), (2, "applied", ""), (3, "applied", "")]
    assert answer.last_mutation_id == 3
    assert await status_of(order) == "delivered"
    events = await OrderEvent.select(OrderEvent.status).where(OrderEvent.order == order).order_by(OrderEvent.id)
    assert [event["status"] for event in events] == ["picked_up", "out_for_delivery", "delivered"]
    proof = await DeliveryProof.select().where(DeliveryProof.order == order).first()
    assert proof["recipient_name"] == "Ann" and proof["photo_sha256"] == photo_hash
    assert (await Stop.select(Stop.arrived_at).where(Stop.id == stop).first())["arrived_at"] is not None
    assert await MutationLog.count() == 3


async def test_a_late_out_for_delivery_after_delivered_is_superseded_not_an_error(courier):
    day = await build_day(courier.id, stops=1)
    stop = day.stop_ids[0]
    _photo, photo_hash = png("p")
    await send(courier.id, "phone-1", mutation(1, "stop.deliver", stop_id=stop, recipient_name="Bo",
                                               signature_sha256=photo_hash))
    answer = await send(courier.id, "phone-1", mutation(2, "stop.pick_up", stop_id=stop))
    assert results(answer) == [(2, "superseded", "stale_status")]
    assert await status_of(day.order_ids[0]) == "delivered"
    problem = await SyncProblem.select().first()
    assert problem["kind"] == "superseded" and problem["reason"] == "stale_status"


async def test_a_delivery_without_a_name_or_proof_is_rejected_with_the_field(courier):
    day = await build_day(courier.id, stops=1)
    answer = await send(courier.id, "phone-1",
                        mutation(1, "stop.deliver", stop_id=day.stop_ids[0], recipient_name="Al"),
                        mutation(2, "stop.deliver", stop_id=day.stop_ids[0], recipient_name=" ",
                                 photo_sha256="0" * 64),
                        mutation(3, "stop.deliver", stop_id=day.stop_ids[0], recipient_name="Al",
                                 photo_sha256="not-a-hash"))
    assert [r[1:] for r in results(answer)] == [("rejected", "invalid_args")] * 3
    assert answer.last_mutation_id == 3
    assert await status_of(day.order_ids[0]) == "assigned"


async def test_a_failed_attempt_keeps_its_reason_code_note_and_photo(courier):
    day = await build_day(courier.id, stops=1)
    _photo, photo_hash = png("door")
    answer = await send(courier.id, "c", mutation(1, "stop.fail", stop_id=day.stop_ids[0], reason_code="not_home",
                                                  note="Rang twice", photo_sha256=photo_hash),
                        mutation(2, "stop.fail", stop_id=day.stop_ids[0], reason_code="bored"))
    assert results(answer) == [(1, "applied", ""), (2, "rejected", "invalid_args")]
    assert await status_of(day.order_ids[0]) == "failed"
    proof = await DeliveryProof.select().first()
    assert (proof["outcome"], proof["reason_code"], proof["note"]) == ("failed", "not_home", "Rang twice")


async def test_cash_is_a_ledger_and_a_mismatch_is_flagged(courier):
    day = await build_day(courier.id, stops=2, cod_every=1)
    order = day.order_ids[0]
    due = (await Order.select(Order.cod_amount).where(Order.id == order).first())["cod_amount"]
    answer = await send(courier.id, "c",
                        mutation(1, "cash.collect", order_id=order, amount=due - 100, currency="EUR"),
                        mutation(2, "cash.collect", order_id=order, amount=100, currency="EUR", method="card"))
    assert [r[1] for r in results(answer)] == ["applied", "applied"]
    entries = await CashEntry.select(CashEntry.amount, CashEntry.mismatch).order_by(CashEntry.id)
    assert [(e["amount"], e["mismatch"]) for e in entries] == [(due - 100, True), (100, False)]
    flags = await SyncProblem.select(SyncProblem.reason).where(SyncProblem.kind == "flag")
    assert [f["reason"] for f in flags] == ["cash_mismatch"]


async def test_gps_points_notes_and_address_suggestions_are_appended(courier):
    day = await build_day(courier.id, stops=1)
    now = datetime.now(timezone.utc)
    answer = await send(courier.id, "c",
                        mutation(1, "gps.track", points=[{"lat": 48.1, "lon": 2.1, "ts": now.isoformat()},
                                                         {"lat": 48.2, "lon": 2.2, "accuracy": 8.5}]),
                        mutation(2, "note.add", order_id=day.order_ids[0], text="Dog in the garden"),
                        mutation(3, "address.suggest", order_id=day.order_ids[0], address="3 Rue de Test, bis"),
                        mutation(4, "gps.track", points=[{"lat": 123, "lon": 2}]))
    assert [r[1] for r in results(answer)] == ["applied", "applied", "applied", "rejected"]
    assert await GpsPoint.count() == 2
    assert (await CourierNote.select(CourierNote.text).first())["text"] == "Dog in the garden"
    assert (await AddressSuggestion.select(AddressSuggestion.status).first())["status"] == "pending"
    assert (await Order.select(Order.dropoff.address).where(Order.id == day.order_ids[0]).first())[
        "dropoff.address"] == "1 Rue de Test"  # dispatcher wins: only a suggestion


async def test_someone_elses_stop_or_an_unknown_one_is_rejected(courier, make_user):
    other = await make_user("courier")
    theirs = await build_day(other.id, stops=1)
    answer = await send(courier.id, "c", mutation(1, "stop.arrive", stop_id=theirs.stop_ids[0]),
                        mutation(2, "stop.arrive", stop_id=999999),
                        mutation(3, "cash.collect", order_id=theirs.order_ids[0], amount=5, currency="EUR"),
                        mutation(4, "teleport", stop_id=1))
    assert results(answer) == [(1, "rejected", "not_yours"), (2, "rejected", "unknown_stop"),
                               (3, "rejected", "not_yours"), (4, "rejected", "unknown_mutation")]
    assert await status_of(theirs.order_ids[0]) == "assigned"


async def test_a_delivery_for_an_order_reassigned_while_offline_is_kept_and_both_couriers_told(courier, make_user):
    day = await build_day(courier.id, stops=1)
    other = await make_user("courier")
    other_route = await build_day(other.id, stops=1)
    async with writing():  # the dispatcher moves the stop to the other courier's route
        await Stop.update({Stop.route: other_route.route_id}).where(Stop.id == day.stop_ids[0])
        await record_order_change(day.order_ids[0])
    _photo, photo_hash = png("x")
    answer = await send(courier.id, "c", mutation(1, "stop.deliver", stop_id=day.stop_ids[0], recipient_name="Cy",
                                                  photo_sha256=photo_hash))
    assert results(answer) == [(1, "applied", "")]
    assert await status_of(day.order_ids[0]) == "delivered"
    told = await SyncProblem.select(SyncProblem.courier, SyncProblem.reason).order_by(SyncProblem.id)
    assert [(t["courier"], t["reason"]) for t in told] == [(courier.id, "reassigned"),
                                                            (other.id, "reassigned_to_you")]


async def test_a_delivery_after_dispatch_cancelled_is_rejected_and_listed(courier):
    day = await build_day(courier.id, stops=1)
    async with writing():
        await Order.update({Order.status: "cancelled"}).where(Order.id == day.order_ids[0])
        await record_order_change(day.order_ids[0])
    answer = await send(courier.id, "c", mutation(1, "stop.deliver", stop_id=day.stop_ids[0], recipient_name="D",
                                                  signature_sha256="a" * 64))
    assert results(answer) == [(1, "rejected", "order_cancelled")]
    assert await status_of(day.order_ids[0]) == "cancelled"


async def test_a_phone_from_before_the_deploy_is_still_understood(courier):
    day = await build_day(courier.id, stops=1, cod_every=1)
    _photo, photo_hash = png("old")
    answer = await send(courier.id, "old-phone",
                        mutation(1, "stop.deliver", stop_id=day.stop_ids[0], name="Eve", photo=photo_hash),
                        mutation(2, "cash.collect", order_id=day.order_ids[0], amount="12.51", currency="EUR"),
                        schema=1)
    assert results(answer) == [(1, "applied", ""), (2, "applied", "")]
    assert (await DeliveryProof.select(DeliveryProof.recipient_name).first())["recipient_name"] == "Eve"
    assert (await CashEntry.select(CashEntry.amount).first())["amount"] == 1251


async def test_device_times_are_clamped_and_a_wrong_clock_is_flagged(courier):
    day = await build_day(courier.id, stops=1)
    now = datetime.now(timezone.utc)
    ahead = now + timedelta(hours=6)
    answer = await send(courier.id, "c", mutation(1, "stop.arrive", ts=ahead, stop_id=day.stop_ids[0]),
                        mutation(2, "gps.track", ts=now - timedelta(days=3), points=[{"lat": 1, "lon": 1}]),
                        device_now=ahead)
    assert [r[1] for r in results(answer)] == ["applied", "applied"]
    arrived = (await Stop.select(Stop.arrived_at).where(Stop.id == day.stop_ids[0]).first())["arrived_at"]
    assert arrived <= answer.server_time + timedelta(minutes=2)
    logged = await MutationLog.select(MutationLog.device_ts).order_by(MutationLog.mutation_id)
    assert logged[1]["device_ts"] >= answer.server_time - timedelta(hours=24, seconds=1)
    flags = await SyncProblem.select(SyncProblem.reason, SyncProblem.params).where(SyncProblem.kind == "flag")
    assert [f["reason"] for f in flags] == ["clock_off"]


async def test_a_delivery_for_an_order_whose_stop_went_with_a_cancel_is_rejected_with_the_reason(courier):
    day = await build_day(courier.id, stops=1)
    async with writing():  # what the dispatcher's cancel does: the order is cancelled, its stop removed
        await Order.update({Order.status: "cancelled"}).where(Order.id == day.order_ids[0])
        await Stop.delete().where(Stop.id == day.stop_ids[0])
        await record_order_change(day.order_ids[0])
    answer = await send(courier.id, "c",
                        mutation(1, "stop.deliver", stop_id=day.stop_ids[0], order_id=day.order_ids[0],
                                 recipient_name="D", signature_sha256="a" * 64),
                        mutation(2, "stop.arrive", stop_id=day.stop_ids[0]))
    assert results(answer) == [(1, "rejected", "order_cancelled"), (2, "rejected", "unknown_stop")]
    problems = await SyncProblem.select(SyncProblem.reason, SyncProblem.order).order_by(SyncProblem.id)
    assert problems[0] == {"reason": "order_cancelled", "order": day.order_ids[0]}


async def test_dispatch_sees_delivered_photo_uploading_until_the_photo_arrives(courier):
    from app.sync.blobs import store_blob
    from app.sync.board import field_proofs, sync_problems

    day = await build_day(courier.id, stops=2)
    photo, photo_hash = png("door")
    await send(courier.id, "c", mutation(1, "stop.deliver", stop_id=day.stop_ids[0], recipient_name="Ann",
                                         photo_sha256=photo_hash),
               mutation(2, "stop.pick_up", stop_id=day.stop_ids[0]))
    proofs = await field_proofs(day.order_ids)
    assert list(proofs) == [day.order_ids[0]]
    assert proofs[day.order_ids[0]]["label"] == "Delivered, photo uploading"
    await store_blob(photo_hash, "image/png", photo, courier.id)
    assert (await field_proofs(day.order_ids))[day.order_ids[0]]["label"] == "Delivered"
    problems = await sync_problems(courier_id=courier.id)
    assert [p["reason"] for p in problems] == ["stale_status"]
    assert "Delivered" in problems[0]["message"] and "Picked up" in problems[0]["message"]
