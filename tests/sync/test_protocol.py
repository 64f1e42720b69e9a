"""The phone's protocol through the HTTP API: push (duplicates, gaps, poison, crashes, busy database, someone
else's phone), pull (snapshot, changes, tombstones, reset) and blob uploads."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timezone

import pytest

from app.db import writing
from app.sync import push as push_module
from app.sync.changes import purge_change_log, record_order_change
from app.sync.fixtures import build_day
from tables.orders import Order
from tables.routes import Stop
from tables.sync import Blob, GpsPoint, MutationLog, SyncClient
from tests.sync.helpers import mutation, png, results, send


def gps(mid: int) -> dict:
    return {"id": mid, "name": "gps.track", "args": {"points": [{"lat": 48.0, "lon": 2.0}]},
            "device_ts": datetime.now(timezone.utc).isoformat()}


async def api_push(client, mutations: list[dict], client_id: str = "phone-A", schema: int = 2):
    return await client.post("/api/v1/sync/push", json={
        "client_id": client_id, "schema_version": schema, "device_now": datetime.now(timezone.utc).isoformat(),
        "mutations": mutations}, headers={"x-csrf-token": client.cookies.get("wb_csrf", "")})


@pytest.fixture
async def courier(client, signed_in):
    return await signed_in("courier")


async def test_a_repeated_push_is_acknowledged_and_adds_nothing(client, courier):
    first = await api_push(client, [gps(1), gps(2), gps(3)])
    assert first.status_code == 200, first.text
    again = await api_push(client, [gps(1), gps(2), gps(3), gps(4)])
    body = again.json()
    assert body["last_mutation_id"] == 4
    assert [r["result"] for r in body["results"]] == ["duplicate", "duplicate", "duplicate", "applied"]
    assert await GpsPoint.count() == 4 and await MutationLog.count() == 4


async def test_a_gap_stops_the_push_and_the_phone_resends_from_the_acknowledged_id(client, courier):
    await api_push(client, [gps(1)])
    answer = (await api_push(client, [gps(3), gps(4)])).json()
    assert answer["last_mutation_id"] == 1
    assert answer["results"] == [{"id": 3, "result": "gap"}]
    assert await MutationLog.count() == 1


async def test_a_poison_mutation_is_rejected_and_the_rest_of_the_batch_applied(client, courier, monkeypatch):
    real = push_module.handlers.HANDLERS["note.add"]

    async def explode(ctx, m):
        raise ZeroDivisionError("bug in a handler")

    monkeypatch.setitem(push_module.handlers.HANDLERS, "note.add", explode)
    answer = await api_push(client, [gps(1), {"id": 2, "name": "note.add", "args": {"order_id": 1, "text": "x"}},
                                     gps(3)])
    monkeypatch.setitem(push_module.handlers.HANDLERS, "note.add", real)
    body = answer.json()
    assert [(r["result"], r.get("reason")) for r in body["results"]] == [
        ("applied", None), ("rejected", "server_error"), ("applied", None)]
    assert await GpsPoint.count() == 2 and await MutationLog.count() == 3


async def test_args_that_are_not_an_object_are_rejected_not_crashed(client, courier):
    body = (await api_push(client, [{"id": 1, "name": "stop.arrive", "args": [1, 2]}, gps(2)])).json()
    assert [r["result"] for r in body["results"]] == ["rejected", "applied"]


async def test_a_crash_between_the_handlers_and_the_commit_leaves_nothing(courier):
    day = await build_day(courier.id, stops=1)

    async def crash(results):
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        await push_module.push(courier.id, "phone", 2, None, [
            mutation(1, "stop.arrive", stop_id=day.stop_ids[0]), mutation(2, "gps.track", points=[{"lat": 1, "lon": 1}])],
            before_commit=crash)
    assert await MutationLog.count() == 0 and await GpsPoint.count() == 0
    assert (await Stop.select(Stop.arrived_at).first())["arrived_at"] is None
    assert (await SyncClient.select(SyncClient.last_mutation_id).first() or {"last_mutation_id": 0})[
        "last_mutation_id"] == 0
    answer = await send(courier.id, "phone", mutation(1, "stop.arrive", stop_id=day.stop_ids[0]))
    assert results(answer) == [(1, "applied", "")]


async def test_a_busy_database_answers_503_with_retry_after_and_nothing_advances(client, courier, monkeypatch):
    async def busy(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(push_module, "write_collected", busy)
    answer = await api_push(client, [gps(1)])
    assert answer.status_code == 503 and answer.headers["retry-after"]
    assert await MutationLog.count() == 0


async def test_a_phone_registered_to_another_courier_is_refused(client, courier, make_user):
    other = await make_user("courier")
    await send(other.id, "their-phone", mutation(1, "gps.track", points=[{"lat": 1, "lon": 1}]))
    answer = await api_push(client, [gps(2)], client_id="their-phone")
    assert answer.status_code == 403
    assert await MutationLog.count() == 1


async def test_an_unknown_schema_version_or_a_bad_body_names_the_field(client, courier):
    answer = await api_push(client, [gps(1)], schema=99)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "schema_version"
    answer = await client.post("/api/v1/sync/push", content=b"{not json",
                               headers={"content-type": "application/json",
                                        "x-csrf-token": client.cookies.get("wb_csrf", "")})
    assert answer.status_code == 422


async def test_a_logged_out_phone_gets_401_and_keeps_its_outbox(client):
    answer = await api_push(client, [gps(1)])
    assert answer.status_code == 401


async def test_two_tabs_pushing_the_same_outbox_at_once_apply_it_once(courier):
    day = await build_day(courier.id, stops=3, cod_every=1)
    batch = [mutation(1, "cash.collect", order_id=day.order_ids[0], amount=100, currency="EUR"),
             mutation(2, "stop.deliver", stop_id=day.stop_ids[0], recipient_name="A", signature_sha256="b" * 64),
             mutation(3, "gps.track", points=[{"lat": 1, "lon": 1}])]
    answers = await asyncio.gather(*[send(courier.id, "phone", *batch) for _ in range(6)], return_exceptions=True)
    ok = [a for a in answers if not isinstance(a, Exception)]
    assert ok and all(a.last_mutation_id == 3 for a in ok)
    assert await MutationLog.count() == 3 and await GpsPoint.count() == 1


# ---- pull ---------------------------------------------------------------------------------------------------------

async def test_a_first_pull_is_the_whole_day_and_the_next_only_what_changed(client, courier, make_user):
    day = await build_day(courier.id, stops=3)
    first = (await client.get("/api/v1/sync/pull", params={"cursor": 0, "client_id": "phone-A"})).json()
    kinds = sorted((c["entity"], c["id"]) for c in first["changes"])
    assert kinds == sorted([("route", day.route_id)] + [("stop", s) for s in day.stop_ids]
                           + [("order", o) for o in day.order_ids])
    assert first["has_more"] is False
    await send(courier.id, "phone-A", mutation(1, "stop.arrive", stop_id=day.stop_ids[1]))
    second = (await client.get("/api/v1/sync/pull", params={"cursor": first["cursor"], "client_id": "phone-A"})).json()
    assert second["last_mutation_id"] == 1
    changed = {(c["entity"], c["id"]): c for c in second["changes"]}
    assert set(changed) == {("order", day.order_ids[1]), ("stop", day.stop_ids[1])}
    assert changed[("order", day.order_ids[1])]["fields"]["status"] == "out_for_delivery"
    third = (await client.get("/api/v1/sync/pull", params={"cursor": second["cursor"]})).json()
    assert third["changes"] == [] and third["cursor"] == second["cursor"]


async def test_a_reassigned_or_cancelled_order_leaves_the_phone_as_a_tombstone(client, courier, make_user):
    day = await build_day(courier.id, stops=2)
    other = await make_user("courier")
    theirs = await build_day(other.id, stops=1)
    cursor = (await client.get("/api/v1/sync/pull", params={"cursor": 0})).json()["cursor"]
    async with writing():
        await Stop.update({Stop.route: theirs.route_id}).where(Stop.id == day.stop_ids[0])
        await record_order_change(day.order_ids[0])
        await Order.update({Order.status: "cancelled"}).where(Order.id == day.order_ids[1])
        await record_order_change(day.order_ids[1])
    pulled = (await client.get("/api/v1/sync/pull", params={"cursor": cursor})).json()
    gone = {(c["entity"], c["id"]) for c in pulled["changes"] if c["deleted"]}
    assert gone == {("stop", day.stop_ids[0]), ("order", day.order_ids[0]), ("stop", day.stop_ids[1]),
                    ("order", day.order_ids[1])}


async def test_pull_pages_through_changes_without_skipping(client, courier):
    day = await build_day(courier.id, stops=7)
    seen, cursor, pages = set(), 0, 0
    first = (await client.get("/api/v1/sync/pull", params={"cursor": 0})).json()
    cursor = first["cursor"]
    for n, stop in enumerate(day.stop_ids, start=1):
        await send(courier.id, "p", mutation(n, "stop.arrive", stop_id=stop))
    while True:
        page = (await client.get("/api/v1/sync/pull", params={"cursor": cursor, "limit": 3})).json()
        pages += 1
        seen |= {(c["entity"], c["id"]) for c in page["changes"]}
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert pages > 2 and {("stop", s) for s in day.stop_ids} <= seen


async def test_a_cursor_older_than_the_change_log_resets_the_phone(client, courier):
    await build_day(courier.id, stops=1)
    cursor = (await client.get("/api/v1/sync/pull", params={"cursor": 0})).json()["cursor"]
    await build_day(courier.id, stops=1)
    from datetime import timedelta

    assert await purge_change_log(older_than=timedelta(seconds=-1)) > 0
    answer = await client.get("/api/v1/sync/pull", params={"cursor": 1})
    assert answer.status_code == 409 and answer.json()["reset"] is True
    assert (await client.get("/api/v1/sync/pull", params={"cursor": 10**9})).status_code == 409
    fresh = (await client.get("/api/v1/sync/pull", params={"cursor": 0})).json()
    assert fresh["cursor"] > cursor and len(fresh["changes"]) == 2 + 2 + 2


async def test_a_courier_sees_only_their_own_stops(client, courier, make_user):
    other = await make_user("courier")
    await build_day(other.id, stops=3)
    assert (await client.get("/api/v1/sync/pull", params={"cursor": 0})).json()["changes"] == []


# ---- blobs --------------------------------------------------------------------------------------------------------

async def put_blob(client, data: bytes, sha: str, kind: str = "image/png"):
    return await client.put(f"/api/v1/sync/blobs/{sha}", content=data,
                            headers={"content-type": kind, "x-csrf-token": client.cookies.get("wb_csrf", "")})


async def test_a_photo_upload_is_checked_and_idempotent(client, courier):
    data, sha = png("proof")
    assert (await put_blob(client, data, sha)).status_code == 201
    assert (await put_blob(client, data, sha)).status_code == 200
    assert await Blob.count() == 1
    assert (await put_blob(client, data + b"!", sha)).status_code == 422  # hash mismatch
    assert (await put_blob(client, data, sha, "application/pdf")).status_code == 415
    assert (await put_blob(client, b"GIF89a" + data, sha, "image/jpeg")).status_code == 415
    big = b"\xff\xd8\xff" + b"\x00" * (1024 * 1024)
    import hashlib

    assert (await put_blob(client, big, hashlib.sha256(big).hexdigest(), "image/jpeg")).status_code == 413
    assert await Blob.count() == 1


async def test_a_pull_costs_the_same_number_of_queries_for_a_small_or_a_big_day(courier, queries):
    from app.sync.pull import pull

    small = await build_day(courier.id, stops=2)
    queries.count = 0
    await pull(courier.id, "phone", 0)
    snapshot_small = queries.count
    await build_day(courier.id, stops=30)
    queries.count = 0
    await pull(courier.id, "phone", 0)
    assert queries.count == snapshot_small
    cursor = (await pull(courier.id, "phone", 0)).cursor
    for n, stop in enumerate(small.stop_ids, start=1):
        await send(courier.id, "phone", mutation(n, "stop.arrive", stop_id=stop))
    queries.count = 0
    changed = await pull(courier.id, "phone", cursor)
    assert len(changed.changes) == 4 and queries.count <= snapshot_small + 2


async def test_a_push_costs_a_bounded_number_of_queries_whatever_its_size(courier, queries):
    day = await build_day(courier.id, stops=40, cod_every=1)

    def batch(first: int, size: int):
        out = []
        for n in range(size):
            stop, order = day.stop_ids[n % 40], day.order_ids[n % 40]
            kind = n % 4
            out.append(mutation(first + n, "gps.track", points=[{"lat": 1, "lon": 1}]) if kind == 0 else
                       mutation(first + n, "stop.arrive", stop_id=stop) if kind == 1 else
                       mutation(first + n, "cash.collect", order_id=order, amount=5, currency="EUR") if kind == 2 else
                       mutation(first + n, "note.add", order_id=order, text="x"))
        return out

    queries.count = 0
    await send(courier.id, "p", *batch(1, 8))
    few = queries.count
    queries.count = 0
    await send(courier.id, "p", *batch(9, 160))
    # (executemany inserts are one statement per table and are not seen by this counter)
    assert queries.count <= few + 6  # never one query per mutation
