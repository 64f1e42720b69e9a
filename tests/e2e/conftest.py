"""Browser tests: the real app served by uvicorn in a subprocess, on the test's own fresh database, and Chromium.

The test process and the server share one database. SQLite: the test's fresh copy is moved to
`<tmp>/waybill.sqlite` and the server gets `WAYBILL_DATA_DIR=<tmp>`, so `settings.sqlite_path` is that same file.
PostgreSQL: the server gets the same `DATABASE_URL`. Chromium is Debian's `/usr/bin/chromium`, never a browser
downloaded by `playwright install`.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from piccolo.engine.sqlite import SQLiteEngine
from playwright.async_api import expect

from app import db as database
from app.config import ROOT, get_settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "tests" / "artifacts"
START_TIMEOUT_S = 30
# Assertions wait as long as the contexts' actions do (15 s): a loaded 2-core CI machine is slow, not wrong.
expect.set_options(timeout=15_000)


@dataclass(frozen=True)
class LiveServer:
    url: str
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def shared_data_dir(fresh_database):
    """A data dir whose `waybill.sqlite` is this test's database, for the test process and the server alike."""
    data_dir = Path(tempfile.mkdtemp(prefix="waybill-e2e-"))
    engine = database.engine()
    original_path = engine.path if isinstance(engine, SQLiteEngine) else None
    if original_path is not None:
        with sqlite3.connect(original_path) as connection:  # everything in the main file before copying it
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(original_path, data_dir / "waybill.sqlite")
        engine.path = str(data_dir / "waybill.sqlite")
    yield data_dir
    if original_path is not None:
        engine.path = original_path
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def live_server(shared_data_dir):
    """`live_server.url`: the real app under uvicorn on a free 127.0.0.1 port; stopped when the test ends.

    Create the accounts a test needs with `make_user` (they land in the shared database, before or after start).
    """
    port = _free_port()
    env = {**os.environ, "WAYBILL_DATA_DIR": str(shared_data_dir), "SECRET_KEY": get_settings().secret_key,
           "PYTHONDONTWRITEBYTECODE": "1",
           "TILE_URL": ""}  # offline: maps draw without tiles (a tile server would only add console errors)
    log = shared_data_dir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = LiveServer(url=f"http://127.0.0.1:{port}", log=log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{server.log_tail()}")
            try:
                if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"/health did not answer 200 within {START_TIMEOUT_S} s:\n{server.log_tail()}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
async def browser():
    """Headless Debian Chromium, one for the session (each test opens its own context)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-core (never `playwright install`)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        await chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@asynccontextmanager
async def evidence_on_failure(context, page, live_server, artifacts: Path, name: str):
    """Around a browser story: on failure, a full-page screenshot `<name>-failure.png` and the server's last log
    lines, so a red CI run can be read without rerunning it; the browser context closes either way."""
    try:
        yield
    except Exception:
        await page.screenshot(path=artifacts / f"{name}-failure.png", full_page=True)
        print(live_server.log_tail())
        raise
    finally:
        await context.close()
