"""A courier phone that comes back after a long time offline: 10,000 queued mutations (70 % GPS, the rest
arrivals, deliveries, failed attempts, cash and notes on a 200-stop day) drained in batches of 200, then the
same pushes again as duplicates, a full pull of the 200-stop day, and the weight of the route page.

    .venv/bin/python bench/sync_backlog.py                 # SQLite, a fresh file in a temp dir
    DATABASE_URL=postgres://... BENCH_ALLOW_TRUNCATE=1 .venv/bin/python bench/sync_backlog.py   # PostgreSQL

Budgets: drain ≤ 2 s (SQLite) / ≤ 4 s (PostgreSQL), in-process (the push domain function, no HTTP); duplicates
≤ 0.5 s with 0 new rows; pull of the day ≤ 200 ms (median, through the API); the route page ≤ 150 KB gzip on
first load (page, scripts, styles, manifest, first pull) and ≤ 20 KB on a repeat visit (the service worker
serves the static files; the page and an incremental pull go over the network). Exits 1 when one is missed.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone

from benchkit import engine_name, fresh_database, on_postgres, setup, signed_in

MUTATIONS, BATCH, STOPS = 10_000, 200, 200
setup("sync")

DRAIN_BUDGET_S = 4.0 if on_postgres() else 2.0
DUPLICATE_BUDGET_S = 0.5
PULL_BUDGET_MS = 200.0
FIRST_LOAD_BUDGET_KB = 150.0
REPEAT_BUDGET_KB = 20.0


def backlog(stop_ids: list[int], order_ids: list[int], rng: random.Random):
    from app.sync.handlers import Mutation

    start = datetime.now(timezone.utc) - timedelta(hours=8)
    mutations = []
    for mid in range(1, MUTATIONS + 1):
        ts = start + timedelta(seconds=3 * mid)
        roll = rng.random()
        n = rng.randrange(len(stop_ids))
        if roll < 0.70:
            name, args = "gps.track", {"points": [{"lat": 48.8 + rng.random() / 10, "lon": 2.3 + rng.random() / 10,
                                                   "ts": ts.isoformat()}]}
        elif roll < 0.85:
            name = rng.choice(["stop.arrive", "stop.pick_up", "stop.deliver", "stop.fail"])
            args = {"stop_id": stop_ids[n], "order_id": order_ids[n]}
            if name == "stop.deliver":
                args |= {"recipient_name": "R", "photo_sha256": f"{mid:064x}"}
            elif name == "stop.fail":
                args |= {"reason_code": "not_home"}
        elif roll < 0.93:
            name, args = "cash.collect", {"order_id": order_ids[n], "amount": rng.randint(100, 5000), "currency": "EUR"}
        else:
            name, args = "note.add", {"order_id": order_ids[n], "text": "gate code 1234"}
        mutations.append(Mutation(mid, name, args, ts))
    return mutations


def copies(batch):
    from app.sync.handlers import Mutation

    return [Mutation(m.id, m.name, dict(m.args), m.device_ts) for m in batch]


async def drain(courier_id: int, client_id: str, mutations) -> tuple[float, int]:
    from app.sync.push import push

    started, cpu = time.perf_counter(), time.process_time()
    last = 0
    for offset in range(0, len(mutations), BATCH):
        answer = await push(courier_id, client_id, 2, datetime.now(timezone.utc),
                            copies(mutations[offset:offset + BATCH]))
        last = answer.last_mutation_id
    return time.perf_counter() - started, time.process_time() - cpu, last


async def page_weight(client, day_cursor: int) -> tuple[float, float, dict]:
    first = {}
    route = await client.get("/courier")
    first["route page"] = len(gzip.compress(route.content, 6))
    for path in ("/static/css/app.css", "/static/js/app.js", "/static/vendor/htmx.min.js",
                 "/static/vendor/leaflet.js", "/static/vendor/leaflet.css", "/static/js/courier/outbox.js",
                 "/static/js/courier/capture.js", "/static/js/courier/pages.js", "/manifest.webmanifest"):
        response = await client.get(path)
        assert response.status_code == 200, path
        first[path] = len(gzip.compress(response.content, 6))
    pulled = await client.get("/api/v1/sync/pull", params={"cursor": 0})
    first["first pull"] = len(gzip.compress(pulled.content, 6))
    again = await client.get("/api/v1/sync/pull", params={"cursor": day_cursor})
    repeat = first["route page"] + len(gzip.compress(again.content, 6))
    return sum(first.values()) / 1024, repeat / 1024, first


async def main() -> int:
    from app import db
    from app.accounts.users import create_user
    from app.audit import Actor
    from app.sync.fixtures import build_day
    from tables.sync import GpsPoint, MutationLog

    await fresh_database()
    courier = await create_user(Actor.system(), login="bench-courier", password="bench-password-123",
                                role="courier", full_name="Bench Courier")
    day = await build_day(courier.id, stops=STOPS, cod_every=3)
    mutations = backlog(day.stop_ids, day.order_ids, random.Random(6))

    await drain(courier.id, "warm-up", copies(mutations[:3]))  # imports and caches, not the backlog
    drain_s, drain_cpu, last = await drain(courier.id, "bench-phone", mutations)
    rows = await MutationLog.count(), await GpsPoint.count()
    duplicate_s, duplicate_cpu, last_again = await drain(courier.id, "bench-phone", mutations)
    new_rows = (await MutationLog.count() - rows[0]) + (await GpsPoint.count() - rows[1])

    async with signed_in("bench-courier", "bench-password-123") as client:
        timings = []
        for _run in range(15):
            started = time.perf_counter()
            response = await client.get("/api/v1/sync/pull", params={"cursor": 0})
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and len(response.json()["changes"]) == 1 + 2 * STOPS
        pull_ms = statistics.median(timings)
        first_kb, repeat_kb, parts = await page_weight(client, response.json()["cursor"])

    print(f"sync backlog on {engine_name()}: {MUTATIONS} mutations (70 % GPS), batches of {BATCH}")
    print(f"  drain            {drain_s:6.2f} s   (budget {DRAIN_BUDGET_S} s; {drain_cpu:.2f} s CPU)   last id {last}, "
          f"{rows[0] - 3} log rows, {rows[1]} GPS points")
    print(f"  duplicates       {duplicate_s:6.2f} s   (budget {DUPLICATE_BUDGET_S} s; {duplicate_cpu:.2f} s CPU)   "
          f"new rows {new_rows}, last id {last_again}")
    print(f"  (load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"  pull, 200 stops  {pull_ms:6.1f} ms  (budget {PULL_BUDGET_MS} ms, median of 15, through the API)")
    print(f"  route page       {first_kb:6.1f} KB first load (budget {FIRST_LOAD_BUDGET_KB}), "
          f"{repeat_kb:5.1f} KB repeat (budget {REPEAT_BUDGET_KB}), gzip")
    for name, size in parts.items():
        print(f"      {name:34s} {size / 1024:6.1f} KB")
    ok = (drain_s <= DRAIN_BUDGET_S and last == MUTATIONS and rows[0] - 3 == MUTATIONS
          and duplicate_s <= DUPLICATE_BUDGET_S and new_rows == 0 and pull_ms <= PULL_BUDGET_MS
          and first_kb <= FIRST_LOAD_BUDGET_KB and repeat_kb <= REPEAT_BUDGET_KB)
    await db.close_pool()
    print("OK" if ok else "BUDGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
