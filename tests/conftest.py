"""Test harness: the environment is set before the app is imported; every test gets a fresh database.

SQLite: the migrated schema is built once into a template file, and each test works on its own copy.
PostgreSQL (DATABASE_URL set): migrations run once, and every table is truncated before each test.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from itertools import count
from pathlib import Path

DATA_DIR = Path(tempfile.mkdtemp(prefix="waybill-test-"))
os.environ["WAYBILL_DATA_DIR"] = str(DATA_DIR)
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-000000000000")
os.environ.setdefault("WAYBILL_TIME_ZONE", "Europe/Paris")
os.environ["TILE_URL"] = ""  # tests never fetch map tiles from outside; maps must work without them

import pytest  # noqa: E402
import httpx  # noqa: E402
from piccolo.engine.sqlite import SQLiteEngine  # noqa: E402

from app import db as database  # noqa: E402
from app.audit import Actor  # noqa: E402
from app.config import get_settings  # noqa: E402

PASSWORD = "correct horse battery"
_numbers = count(1)


def all_tables():
    from tables.piccolo_app import APP_CONFIG

    return APP_CONFIG.table_classes


@pytest.fixture(scope="session", autouse=True)
async def migrated_schema():
    from app.__main__ import migrate

    engine = database.engine()
    await migrate()
    template = None
    if isinstance(engine, SQLiteEngine):
        with sqlite3.connect(engine.path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        template = DATA_DIR / "template.sqlite"
        shutil.copyfile(engine.path, template)
    else:
        await database.start_pool()
    yield template
    if not isinstance(engine, SQLiteEngine):
        await database.close_pool()
    shutil.rmtree(DATA_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
async def fresh_database(migrated_schema):
    """Each test starts from an empty, fully migrated database."""
    engine = database.engine()
    if isinstance(engine, SQLiteEngine):
        path = DATA_DIR / f"test-{next(_numbers)}.sqlite"
        shutil.copyfile(migrated_schema, path)
        engine.path = str(path)
        yield
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        names = ", ".join(f'"{table._meta.tablename}"' for table in all_tables())
        await engine.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        yield


@pytest.fixture(autouse=True)
def default_locale():
    """Tests that set a locale directly must not leak it into the next test."""
    from app.i18n import DEFAULT_LOCALE, set_locale

    set_locale(DEFAULT_LOCALE, "UTC")
    yield
    set_locale(DEFAULT_LOCALE, "UTC")


@pytest.fixture
def settings():
    return get_settings()


@pytest.fixture
def app():
    from app.main import create_app

    return create_app(start_worker=False, manage_pool=False)


@pytest.fixture
async def client(app):
    """An HTTP client calling the app in the test's own event loop (one database pool for both)."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
def make_user():
    """Create an account: `await make_user("courier")` -> User (password PASSWORD)."""
    from app.accounts.users import create_user

    async def make(role: str, login: str | None = None, **fields):
        login = login or f"{role}{next(_numbers)}"
        return await create_user(Actor.system(), login=login, password=PASSWORD, role=role,
                                 full_name=fields.pop("full_name", login.title()), **fields)

    return make


async def csrf_token(client) -> str:
    """The double-submit token a page's forms carry (the cookie set when a page is shown)."""
    if "wb_csrf" not in client.cookies:
        await client.get("/login")
    return client.cookies["wb_csrf"]


async def log_in(client, login: str, password: str = PASSWORD):
    token = await csrf_token(client)
    return await client.post("/login", data={"login": login, "password": password, "_csrf_token": token},
                             follow_redirects=False)


async def post_form(client, path: str, data: dict | None = None, **kwargs):
    token = await csrf_token(client)
    return await client.post(path, data={**(data or {}), "_csrf_token": token}, follow_redirects=False, **kwargs)


@pytest.fixture
def signed_in(client, make_user):
    """`user = await signed_in("dispatcher")`: a new account of that role, logged in on `client`."""

    async def sign_in(role: str, **fields):
        user = await make_user(role, **fields)
        response = await log_in(client, user.login)
        assert response.status_code == 302, response.text
        return user

    return sign_in


@pytest.fixture
async def worker():
    """A Dramatiq worker on the configured broker (stub, or Redis when REDIS_URL is set), running jobs in this
    test's event loop."""
    import asyncio

    import dramatiq

    from app import jobs

    jobs.broker.flush_all()
    jobs.attach_loop(asyncio.get_running_loop())
    running = dramatiq.Worker(jobs.broker, worker_threads=2, worker_timeout=50)
    running.start()
    yield running
    await asyncio.to_thread(running.stop)
    jobs.attach_loop(None)


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []


@pytest.fixture
def queries(monkeypatch):
    """Counts the SQL statements the code under test sends, to forbid N+1 patterns."""
    engine_class = type(database.engine())
    counter = QueryCounter()
    original = engine_class.run_querystring

    async def counting(self, querystring, in_pool: bool = True):
        counter.count += 1
        counter.statements.append(str(querystring)[:200])
        return await original(self, querystring, in_pool=in_pool)

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    return counter
