"""The committed migrations build the whole schema forwards on a fresh SQLite file and a fresh PostgreSQL database,
and the schema they build matches the tables in code (no forgotten migration)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from app.db import postgres_config
from tests.conftest import all_tables

ROOT = Path(__file__).resolve().parent.parent


def migrate(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", "migrate"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)


def expected_tables() -> set[str]:
    return {table._meta.tablename for table in all_tables()}


def test_migrations_build_a_fresh_sqlite_file(tmp_path):
    env = {**os.environ, "WAYBILL_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = migrate(env)
    assert result.returncode == 0, result.stdout + result.stderr
    with sqlite3.connect(tmp_path / "waybill.sqlite") as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    assert expected_tables() <= names
    assert mode == "wal"
    again = migrate(env)  # running twice is harmless
    assert again.returncode == 0


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="PostgreSQL runs in CI's second pass (DATABASE_URL)")
def test_migrations_build_a_fresh_postgresql_database(tmp_path):
    import asyncpg
    import asyncio

    config = postgres_config(os.environ["DATABASE_URL"])
    name = f"waybill_migrate_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str):
        connection = await asyncpg.connect(**{**config, "database": "postgres"})
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def table_names() -> set[str]:
        connection = await asyncpg.connect(**{**config, "database": name})
        try:
            rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            return {row["tablename"] for row in rows}
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        url = f"postgres://{config['user']}@{config['host']}:{config['port']}/{name}"
        result = migrate({**os.environ, "DATABASE_URL": url, "WAYBILL_DATA_DIR": str(tmp_path)})
        assert result.returncode == 0, result.stdout + result.stderr
        assert expected_tables() <= asyncio.run(table_names())
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}"'))


async def test_no_table_change_is_missing_a_migration():
    """The tables in code equal the schema the committed migrations build (else: `piccolo migrations new waybill
    --auto`)."""
    from piccolo.apps.migrations.commands.new import AutoMigrationManager

    from tables.piccolo_app import APP_CONFIG

    statements = await AutoMigrationManager(auto_input="y").get_alter_statements(app_config=APP_CONFIG)
    pending = [line for alter in statements for line in alter.statements]
    assert pending == []
