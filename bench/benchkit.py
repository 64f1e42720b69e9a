"""What the benchmarks share: their environment, a fresh database (a temporary SQLite file, or a PostgreSQL one
emptied only with BENCH_ALLOW_TRUNCATE=1), and an in-process client of the app signed in as one user.

A bench script calls `setup("name")` before it imports anything of the app (the settings are read at import).
"""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import asynccontextmanager

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def setup(name: str) -> None:
    """Its own SQLite file unless DATABASE_URL is set, a secret key, the company's time zone, the app importable."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["WAYBILL_DATA_DIR"] = tempfile.mkdtemp(prefix=f"waybill-bench-{name}-")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0000000000000")
    os.environ.setdefault("WAYBILL_TIME_ZONE", "Europe/Paris")
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)


def on_postgres() -> bool:
    return bool(os.environ.get("DATABASE_URL"))


def engine_name() -> str:
    return "PostgreSQL" if on_postgres() else "SQLite"


async def fresh_database() -> None:
    """Open the pool and migrate; on PostgreSQL empty every table first (refused without BENCH_ALLOW_TRUNCATE=1,
    so a bench never wipes a database by mistake)."""
    from app import db
    from app.__main__ import migrate

    await db.start_pool()
    await migrate()
    if on_postgres():
        if os.environ.get("BENCH_ALLOW_TRUNCATE") != "1":
            raise SystemExit("set BENCH_ALLOW_TRUNCATE=1 to let the bench empty this PostgreSQL database")
        from tests.conftest import all_tables

        names = ", ".join(f'"{table._meta.tablename}"' for table in all_tables())
        await db.engine().run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@asynccontextmanager
async def signed_in(login: str, password: str):
    """An httpx client of the whole app in this process (no network, no worker), logged in as `login`."""
    import logging

    import httpx

    from app.main import create_app

    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = create_app(start_worker=False, manage_pool=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
        await client.get("/login")
        answer = await client.post("/login", data={"login": login, "password": password,
                                                   "_csrf_token": client.cookies["wb_csrf"]})
        assert answer.status_code in (302, 303), answer.text
        yield client
