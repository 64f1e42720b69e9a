"""`/health`: is the database answering, and the broker? For load balancers and monitoring."""

from __future__ import annotations

import asyncio

from litestar import get
from litestar.response import Response

from app import jobs
from app.db import engine
from app.security import PUBLIC, allow


async def _database_ok() -> bool:
    try:
        await asyncio.wait_for(engine().run_querystring(_select_one()), timeout=5)
        return True
    except Exception:  # noqa: BLE001 - any failure means "not healthy", reported, never raised
        return False


def _select_one():
    from piccolo.querystring import QueryString

    return QueryString("SELECT 1")


def _broker_ok() -> bool:
    broker = jobs.broker
    client = getattr(broker, "client", None)
    if client is None:  # the in-process broker is up whenever this process is
        return True
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001
        return False


@get("/health", opt=allow(PUBLIC), tags=["health"], summary="State of the database and the broker")
async def check_health() -> Response:
    database, broker = await _database_ok(), await asyncio.to_thread(_broker_ok)
    body = {"status": "ok" if database and broker else "degraded",
            "database": "ok" if database else "unavailable",
            "broker": ("redis" if jobs.broker.__class__.__name__ == "RedisBroker" else "in-process")
            + (" ok" if broker else " unavailable")}
    return Response(content=body, status_code=200 if database and broker else 503)


HANDLERS = [check_health]
