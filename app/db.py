"""The database engine and the one way to open a write transaction.

SQLite and PostgreSQL differ only here: SQLite runs in WAL mode with a busy timeout and takes its write lock at
BEGIN (IMMEDIATE) so two writers never deadlock half-way; PostgreSQL uses a connection pool. Every other module
calls `writing()` and never asks which database it is on.
"""

from __future__ import annotations

import contextvars
import sqlite3
from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from app.config import get_settings

SQLITE_BUSY_TIMEOUT_S = 30


def postgres_config(url: str) -> dict:
    parts = urlparse(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or ""),
        "database": parts.path.lstrip("/") or "waybill",
    }


def make_engine() -> Engine:
    settings = get_settings()
    if settings.uses_postgres:
        return PostgresEngine(config=postgres_config(settings.database_url))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = str(settings.sqlite_path)
    prepare_sqlite_file(path)
    return SQLiteEngine(path=path, timeout=SQLITE_BUSY_TIMEOUT_S)


def prepare_sqlite_file(path: str) -> None:
    """WAL is a property of the file, so it is set once here rather than on every connection."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")


def engine() -> Engine:
    from piccolo.conf.apps import Finder

    return Finder().get_engine()


def is_sqlite(db: Engine | None = None) -> bool:
    return isinstance(db or engine(), SQLiteEngine)


# Actions to run once the outermost write transaction has committed (None: no transaction open).
_after_commit: contextvars.ContextVar[list[Callable[[], None]] | None] = contextvars.ContextVar(
    "after_commit", default=None)


@asynccontextmanager
async def writing() -> AsyncIterator[None]:
    """A write transaction: all of it commits, or none of it does. Nested calls join the outer one; what was
    registered with `after_commit` runs only after the outermost one commits (never after a rollback)."""
    if _after_commit.get() is not None:
        async with _transaction():
            yield
        return
    token = _after_commit.set([])
    try:
        async with _transaction():
            yield
        pending = _after_commit.get() or []
    finally:
        _after_commit.reset(token)
    for action in pending:
        action()


def _transaction():
    db = engine()
    if isinstance(db, SQLiteEngine):
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()


def for_update(query, *tables):
    """The query with its rows locked until the transaction ends. PostgreSQL needs the lock; SQLite's write
    transaction (BEGIN IMMEDIATE) already holds the whole database."""
    return query if is_sqlite() else query.lock_rows(of=tables)


def after_commit(action: Callable[[], None]) -> None:
    """Run `action` when the current write transaction commits, or now if none is open.

    For side effects outside the database (a broker message, an e-mail): a rolled-back request must not have
    told the world about something that never happened."""
    pending = _after_commit.get()
    if pending is None:
        action()
    else:
        pending.append(action)


async def _keep_session(connection) -> None:
    """asyncpg's default reset on every release to the pool is a round trip (RESET ALL, UNLISTEN, CLOSE ALL,
    unlock advisory locks) after each query; nothing here changes a session's state (SET only per transaction),
    and asyncpg still rolls back a transaction left open."""


async def start_pool() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.start_connection_pool(min_size=2, max_size=20, reset=_keep_session)


async def close_pool() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()
