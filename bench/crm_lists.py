"""The CRM at scale: 100,000 counterparties (with a contact each) and 1,000,000 activities, then the client list,
search and dossier pages as a manager, a supervisor and an admin. Budget: p95 ≤ 100 ms for each.

    .venv/bin/python bench/crm_lists.py [counterparties] [activities]

SQLite by default (a fresh file in a temporary data dir); with DATABASE_URL, that PostgreSQL database is emptied
first (only with BENCH_ALLOW_TRUNCATE=1). The fill uses bulk inserts (executemany on SQLite, COPY on PostgreSQL).
With BENCH_REUSE=1 the fill is kept (SQLite: in BENCH_DATA_DIR, default /tmp/waybill-bench-crm) and reused by the
next run when it has the same size and FILL_VERSION; new migrations still apply to it.
Prints the figures; exits 1 when a budget is missed.
"""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

BUDGET_MS = 100.0
SAMPLES = 40
FILL_VERSION = 2  # bump when fill() changes
REUSE = os.environ.get("BENCH_REUSE") == "1"

if not os.environ.get("DATABASE_URL"):
    if REUSE:
        os.environ["WAYBILL_DATA_DIR"] = os.environ.get("BENCH_DATA_DIR", "/tmp/waybill-bench-crm")
        os.makedirs(os.environ["WAYBILL_DATA_DIR"], exist_ok=True)
    else:
        os.environ["WAYBILL_DATA_DIR"] = tempfile.mkdtemp(prefix="waybill-bench-crm-")
os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0000000000000")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

WORDS = ["Boulangerie", "Pharmacie", "Librairie", "Atelier", "Cave", "Optique", "Épicerie", "Imprimerie", "Traiteur",
         "Fromagerie", "Galerie", "Clinique", "Studio", "Cabinet", "Maison", "Café", "Hôtel", "Garage", "Agence",
         "Boucherie", "Primeur", "Fleurs", "Jouets", "Vélo", "Mode", "Parfumerie", "Laboratoire", "Transports"]
NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
         "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
         "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez"]
MANAGERS = 20


def columns_of(table) -> list:
    return [column for column in table._meta.columns if column._meta.name != "id"]


def full_row(names: list[str], defaults: list, values: dict) -> tuple:
    """Every column of the table, the given values over each column's own default."""
    return tuple(values.get(name, default) for name, default in zip(names, defaults))


async def bulk_insert(table, rows: list[dict]) -> None:
    from piccolo.engine.sqlite import SQLiteEngine

    from app import db

    columns = columns_of(table)
    names = [f'"{column._meta.db_column_name}"' for column in columns]
    plain = [column._meta.name for column in columns]
    defaults = [column.get_default_value() for column in columns]
    tuples = [full_row(plain, defaults, values) for values in rows]
    engine = db.engine()
    if isinstance(engine, SQLiteEngine):
        with sqlite3.connect(engine.path) as connection:
            connection.executemany(
                f'INSERT INTO "{table._meta.tablename}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})',
                [tuple(str(v) if isinstance(v, (dict, list)) else v for v in row) for row in tuples])
        return
    import json

    pool = engine.pool
    async with pool.acquire() as connection:
        records = [tuple(json.dumps(v) if isinstance(v, (dict, list)) else v for v in row) for row in tuples]
        await connection.copy_records_to_table(table._meta.tablename, records=records, columns=[name.strip('"') for name in names])


async def fill(counterparties: int, activities: int) -> dict:
    from app.accounts.passwords import hash_password
    from app.crm.counterparties import name_key
    from tables.accounts import User
    from tables.activities import Activity
    from app.crm.counterparties import name_words
    from tables.counterparties import Contact, Counterparty, ManagerAssignment, NameWord

    rng = random.Random(8)
    password = hash_password("bench-password")
    boss = User(login="boss", full_name="Boss Manager", role="manager", password_hash=password)
    await boss.save()
    managers = [boss.id]
    for n in range(1, MANAGERS):
        user = User(login=f"manager{n}", full_name=f"Manager {n}", role="manager", password_hash=password,
                    supervisor=boss.id if n <= 4 else None)
        await user.save()
        managers.append(user.id)
    admin = User(login="admin", full_name="Admin", role="admin", password_hash=password)
    await admin.save()
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    rows, contacts, words, holders = [], [], [], []
    for n in range(counterparties):
        name = f"{rng.choice(WORDS)} {rng.choice(NAMES)} {n}"
        rows.append({"name": name, "name_key": name_key(name), "kind": "company", "phone": f"+331{n:08d}",
                     "email": f"client{n}@example.fr", "tax_id": f"FR{n:011d}", "manager": managers[n % MANAGERS],
                     "marketing_source": "Search engine", "state": "active", "created_at": now, "updated_at": now,
                     "address": f"{n % 120} Rue de Rivoli, Paris", "completeness": 80})
        words += [{"counterparty": n + 1, "word": word} for word in name_words(name_key(name))]
        holders.append({"counterparty": n + 1, "manager": managers[n % MANAGERS], "started_at": now, "lead": True})
        if n % 100 == 3:  # one client in a hundred has a co-manager too (manager7, measured below)
            holders.append({"counterparty": n + 1, "manager": managers[(n + 4) % MANAGERS], "started_at": now,
                            "lead": False})
        contacts.append({"counterparty": n + 1, "name": f"Contact {n}", "phone": f"+336{n:08d}",
                         "email": f"contact{n}@example.fr", "extra": {}})
    await bulk_insert(Counterparty, rows)
    await bulk_insert(Contact, contacts)
    await bulk_insert(NameWord, words)
    await bulk_insert(ManagerAssignment, holders)
    chunk = 200_000
    for offset in range(0, activities, chunk):
        batch = []
        for n in range(offset, min(offset + chunk, activities)):
            client = rng.randint(1, counterparties)
            start = now + timedelta(minutes=rng.randint(-525_600, 525_600))
            batch.append({"kind": "call", "counterparty": client, "subject": f"Call {n}", "starts_at": start,
                          "ends_at": start + timedelta(minutes=30), "performer": managers[(client - 1) % MANAGERS],
                          "author": managers[(client - 1) % MANAGERS], "priority": "normal",
                          "state": "done" if start < now else "planned", "created_at": now})
        await bulk_insert(Activity, batch)
    return {"fill_s": time.perf_counter() - started}


def fill_signature(counterparties: int, activities: int) -> dict:
    return {"counterparties": counterparties, "activities": activities, "version": FILL_VERSION}


async def reusable_fill(counterparties: int, activities: int) -> bool:
    from tables.crm import CrmSetting

    if not REUSE:
        return False
    row = await CrmSetting.select(CrmSetting.value).where(CrmSetting.name == "bench_fill").output(
        load_json=True).first()
    return row is not None and row["value"] == fill_signature(counterparties, activities)


async def remember_fill(counterparties: int, activities: int) -> None:
    from tables.crm import CrmSetting

    await CrmSetting.delete().where(CrmSetting.name == "bench_fill")
    await CrmSetting.insert(CrmSetting(name="bench_fill", value=fill_signature(counterparties, activities)))


async def measure(client, paths: list[str]) -> list[float]:
    timings = []
    for path in paths:
        started = time.perf_counter()
        response = await client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return timings


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


async def empty_database(counterparties: int, activities: int) -> None:
    from app import db
    from tests.conftest import all_tables

    if os.environ.get("DATABASE_URL"):
        if os.environ.get("BENCH_ALLOW_TRUNCATE") != "1":
            raise SystemExit("set BENCH_ALLOW_TRUNCATE=1 to let the bench empty this PostgreSQL database")
        names = ", ".join(f'"{table._meta.tablename}"' for table in all_tables())
        await db.engine().run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    elif REUSE:  # a kept SQLite file from another size or fill version
        with sqlite3.connect(db.engine().path) as connection:
            connection.execute("PRAGMA foreign_keys = OFF")
            for table in all_tables():
                connection.execute(f'DELETE FROM "{table._meta.tablename}"')


async def main(counterparties: int, activities: int) -> int:
    import logging

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)

    from app import db
    from app.__main__ import migrate
    from app.main import create_app
    from tests.conftest import csrf_token

    await db.start_pool()
    await migrate()
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    if await reusable_fill(counterparties, activities):
        print(f"{engine}: reusing the fill of {counterparties:,} counterparties and {activities:,} activities")
    else:
        await empty_database(counterparties, activities)
        filled = await fill(counterparties, activities)
        await remember_fill(counterparties, activities)
        print(f"{engine}: filled {counterparties:,} counterparties + contacts and {activities:,} activities "
              f"in {filled['fill_s']:.1f} s")
    if not os.environ.get("DATABASE_URL"):
        with sqlite3.connect(db.engine().path) as connection:
            connection.execute("ANALYZE")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # reads should not wade through a huge WAL
    else:
        await db.engine().run_ddl("VACUUM ANALYZE")  # a steady database: visibility maps set, as autovacuum keeps them
    app = create_app(start_worker=False, manage_pool=False)
    rng = random.Random(9)
    failed = False
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    for login in ("manager7", "boss", "admin"):
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
            token = await csrf_token(client)
            await client.post("/login", data={"login": login, "password": "bench-password", "_csrf_token": token})
            own = [n for n in range(counterparties) if login == "admin" or (n % MANAGERS) == 7 or n % 100 == 3] \
                if login != "boss" \
                else [n for n in range(counterparties) if n % MANAGERS in (0, 1, 2, 3, 4)]
            picks = [rng.choice(own) for _ in range(SAMPLES)]
            cases = {
                "list": ["/crm", "/crm?state=active"] * (SAMPLES // 2),
                "list page 2+": [f"/crm?after_name={rng.choice(WORDS)}&after_id={rng.randint(1, 1000)}"
                                 for _ in range(SAMPLES)],
                "search name": [f"/crm?q={rng.choice(NAMES).lower()}+{rng.choice(own)}" for _ in range(SAMPLES)],
                "search word": [f"/crm?q={rng.choice(NAMES)}" for _ in range(SAMPLES)],
                "search phone": [f"/crm?q=01+{n // 10**6:02d}+{n // 10**4 % 100:02d}+{n // 100 % 100:02d}+{n % 100:02d}"
                                 for n in picks],
                "search e-mail": [f"/crm?q=contact{n}%40example.fr" for n in picks],
                "search tax id": [f"/crm?q=FR{n:011d}" for n in picks],
                "dossier": [f"/crm/{n + 1}" for n in picks],
                "dossier activities": [f"/crm/{n + 1}?tab=activities" for n in picks],
                "dossier history": [f"/crm/{n + 1}?tab=history" for n in picks],
            }
            informative = {"calendar week": ["/calendar?view=week"] * 10}
            await measure(client, cases["list"][:3])  # warm-up
            for name, paths in cases.items():
                timings = await measure(client, paths)
                value = p95(timings)
                ok = value <= BUDGET_MS
                failed |= not ok
                print(f"  {login:9s} {name:20s} p50 {statistics.median(timings):6.1f} ms  p95 {value:6.1f} ms"
                      f"{'' if ok else '  OVER BUDGET'}")
            for name, paths in informative.items():  # not budgeted: ~70 activities a day per manager here
                timings = await measure(client, paths)
                print(f"  {login:9s} {name:20s} p50 {statistics.median(timings):6.1f} ms  p95 {p95(timings):6.1f} ms"
                      "  (not budgeted)")
    await db.close_pool()
    return 1 if failed else 0


if __name__ == "__main__":
    args = [int(value) for value in sys.argv[1:3]]
    sys.exit(asyncio.run(main(*(args or [100_000, 1_000_000]))))
