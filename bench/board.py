"""The dispatcher's board for a day of 2,000 orders and 100 couriers: server time of the page, the live poll and
the map data, median of repeated requests through the ASGI app (no network). Budget: the board page ≤ 300 ms.

    .venv/bin/python bench/board.py                 # SQLite, a fresh file in a temp dir
    DATABASE_URL=postgres://... BENCH_ALLOW_TRUNCATE=1 .venv/bin/python bench/board.py   # PostgreSQL (emptied)

Exits 1 when the budget is missed.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import statistics
import sys
import time as clock
from datetime import datetime, time, timedelta, timezone

from benchkit import engine_name, fresh_database, setup, signed_in

BUDGET_MS = 300.0
ORDERS, COURIERS, RUNS = 2000, 100, 15
setup("board")


async def seed() -> None:
    from app.dispatch.day import company_today, company_zone
    from app.orders.importing import insert_rows
    from tables.accounts import User
    from tables.counterparties import Counterparty
    from tables.fleet import Courier, Depot, Vehicle
    from tables.orders import Order, OrderEvent, Place
    from tables.routes import Route, Stop
    from tables.sync import GpsPoint

    rng = random.Random(7)
    today, zone = company_today(), company_zone()
    now = datetime.now(timezone.utc)
    depot = (await insert_rows(Depot, [{"name": "Paris-Nord", "address": "Saint-Denis", "lat": 48.9186,
                                         "lon": 2.3536}]))[0]
    users = await insert_rows(User, [{"login": f"c{n}", "password_hash": "-", "full_name": f"Courier {n:03d}",
                                      "role": "courier", "email": "", "phone": "", "locale": "en",
                                      "time_zone": "Europe/Paris", "theme": "light", "is_active": True,
                                      "created_at": now} for n in range(COURIERS)])
    vehicles = await insert_rows(Vehicle, [{"name": f"Van {n}", "plate": "", "vehicle_type": "van",
                                            "capacity_kg": 900.0, "capacity_m3": 6.0, "cost_per_km": 30,
                                            "cost_per_hour": 2300, "fixed_cost": 4000, "currency": "EUR",
                                            "depot": depot, "is_active": True} for n in range(COURIERS)])
    couriers = await insert_rows(Courier, [{"user": user, "vehicle": vehicle, "depot": depot,
                                            "shift_start": time(8), "shift_end": time(18), "is_active": True}
                                           for user, vehicle in zip(users, vehicles)])
    clients = await insert_rows(Counterparty, [{"name": f"Client {n:02d}", "address": "Paris", "lat": "48.86",
                                                "lon": "2.35"} for n in range(60)])
    routes = await insert_rows(Route, [{"courier": courier, "vehicle": vehicle, "depot": depot, "day": today,
                                        "planned_km": 40.0, "planned_minutes": 400, "planned_cost": 0,
                                        "status": "in_progress"} for courier, vehicle in zip(couriers, vehicles)])
    statuses = ["new"] * 4 + ["assigned"] * 8 + ["out_for_delivery"] * 3 + ["delivered"] * 4 + ["failed"]
    for start in range(0, ORDERS, 400):
        count = min(400, ORDERS - start)
        places = await insert_rows(Place, [{"address": f"{n} Rue de Rivoli, 75001 Paris", "lat": 48.86 +
                                            rng.uniform(-0.04, 0.04), "lon": 2.35 + rng.uniform(-0.06, 0.06),
                                            "contact_name": "", "contact_phone": "", "zone": f"750{rng.randint(10, 20)}"}
                                           for n in range(count * 2)])
        rows = []
        for n in range(count):
            begin = datetime.combine(today, time(rng.randint(8, 18)), tzinfo=zone).astimezone(timezone.utc)
            rows.append({"reference": f"WB-BENCH-{start + n:05d}", "external_ref": "", "client": rng.choice(clients),
                         "pickup": places[2 * n], "dropoff": places[2 * n + 1], "deliver_from": begin,
                         "deliver_to": begin + timedelta(hours=2), "price": 900, "currency": "EUR",
                         "status": rng.choice(statuses), "tracking_token": secrets.token_urlsafe(16),
                         "weight_kg": 2.0, "cod_amount": 0, "created_at": now, "updated_at": now})
        ids = await insert_rows(Order, rows)
        await insert_rows(OrderEvent, [{"order": order_id, "status": "new", "at": now} for order_id in ids],
                          returning=False)
        stops = [{"route": routes[(start + n) % COURIERS], "order": order_id, "kind": "dropoff",
                  "sequence": (start + n) // COURIERS + 1} for n, (order_id, row) in enumerate(zip(ids, rows))
                 if row["status"] != "new"]
        await insert_rows(Stop, stops, returning=False)
    await insert_rows(GpsPoint, [{"source": f"bench:{user}:{k}", "courier": user, "lat": 48.86, "lon": 2.35,
                                  "recorded_at": now - timedelta(minutes=k)} for user in users for k in range(5)],
                      returning=False)


async def main() -> int:
    from app import db
    from app.accounts.users import create_user
    from app.audit import Actor

    await fresh_database()
    async with db.writing():
        await seed()
    await create_user(Actor.system(), login="bench", password="bench-password-123", role="dispatcher",
                      full_name="Bench Dispatcher")
    results = {}
    async with signed_in("bench", "bench-password-123") as client:
        for name, path, headers in (("board page", "/board?route=1", {}),
                                    ("live poll", "/board/live?route=1", {"HX-Request": "true"}),
                                    ("map data", "/board/map.json", {}),
                                    ("courier filter", "/board?courier=5", {})):
            timings = []
            for _ in range(RUNS):
                started = clock.perf_counter()
                response = await client.get(path, headers=headers)
                timings.append((clock.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            results[name] = (statistics.median(timings), max(timings), len(response.content))
    await db.close_pool()
    print(f"board with {ORDERS} orders and {COURIERS} couriers on {engine_name()} (median / max of {RUNS} requests):")
    for name, (median, worst, size) in results.items():
        print(f"  {name:15s} {median:7.1f} ms / {worst:7.1f} ms  ({size / 1024:.0f} KiB)")
    ok = results["board page"][0] <= BUDGET_MS
    print(f"budget: board page ≤ {BUDGET_MS:.0f} ms — {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
