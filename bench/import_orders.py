"""Import 10,000 orders from a CSV file on a fresh SQLite database (or DATABASE_URL's PostgreSQL, emptied first
if BENCH_ALLOW_TRUNCATE=1): read + dry run + confirm must take ≤ 10 s.

    .venv/bin/python bench/import_orders.py [rows]

Prints the time of each phase; exits 1 when the budget is missed.
"""

from __future__ import annotations

import asyncio
import io
import csv
import os
import random
import sys
import tempfile
import time

BUDGET_S = 10.0

if not os.environ.get("DATABASE_URL"):
    os.environ["WAYBILL_DATA_DIR"] = tempfile.mkdtemp(prefix="waybill-bench-import-")
os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0000000000000")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make_file(rows: int, clients: list[str]) -> bytes:
    from app.orders.importing import COLUMNS

    rng = random.Random(4)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for number in range(rows):
        hour = rng.randint(8, 17)
        row = {"external_ref": f"BENCH-{number:06d}", "client": rng.choice(clients),
               "dropoff_address": f"{rng.randint(1, 120)} Rue de Rivoli, 7500{rng.randint(1, 9)} Paris",
               "dropoff_lat": f"{48.85 + rng.uniform(-0.03, 0.03):.6f}",
               "dropoff_lon": f"{2.35 + rng.uniform(-0.05, 0.05):.6f}", "dropoff_contact_name": "Léa Dubois",
               "dropoff_contact_phone": f"06 12 34 {rng.randint(10, 99)} {rng.randint(10, 99)}",
               "deliver_from": f"2026-12-01 {hour:02d}:00", "deliver_to": f"2026-12-01 {hour + 2:02d}:00",
               "weight_kg": f"{rng.uniform(0.5, 30):.1f}", "pieces": str(rng.randint(1, 3)),
               "cod_amount": rng.choice(["", "", "45.00", "120.50"]), "notes": "bench"}
        writer.writerow([row.get(name, "") for name in COLUMNS])
    return out.getvalue().encode()


async def main(rows: int) -> int:
    from app import db
    from app.__main__ import migrate
    from app.audit import Actor
    from app.orders.importing import commit_import, plan_import, read_rows
    from tables.counterparties import Counterparty
    from tables.orders import Order
    from tests.factories import make_company_price_list

    await db.start_pool()
    await migrate()
    if os.environ.get("DATABASE_URL"):
        if os.environ.get("BENCH_ALLOW_TRUNCATE") != "1":
            raise SystemExit("set BENCH_ALLOW_TRUNCATE=1 to let the bench empty this PostgreSQL database")
        from tests.conftest import all_tables

        names = ", ".join(f'"{table._meta.tablename}"' for table in all_tables())
        await db.engine().run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    await make_company_price_list()
    names = [f"Client {n}" for n in range(50)]
    await Counterparty.insert(*[Counterparty(name=name, address="12 Rue Montorgueil, 75002 Paris", lat="48.8652",
                                             lon="2.3470") for name in names])
    content = make_file(rows, names)
    started, cpu_started = time.perf_counter(), time.process_time()
    parsed = read_rows("bench.csv", content)
    read_s = time.perf_counter() - started
    plan = await plan_import(parsed, "Europe/Paris")
    plan_s = time.perf_counter() - started - read_s
    async with db.writing():
        created = await commit_import(Actor.system(), plan)
    total = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    assert len(created) == rows == await Order.count(), (len(created), plan.errors[:3])
    again = await plan_import(parsed, "Europe/Paris")
    assert not again.good and len(again.already) == rows
    await db.close_pool()
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"import of {rows} orders on {engine}: read {read_s:.2f} s, dry run {plan_s:.2f} s, "
          f"create {total - read_s - plan_s:.2f} s, total {total:.2f} s (budget {BUDGET_S:.0f} s); "
          f"CPU time of this process {cpu:.2f} s")
    return 0 if total <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)))
