"""Pull: what changed in the courier's scope since the phone's cursor, read in one snapshot.

Scope: the courier's routes for today and tomorrow, their stops, and the orders on them (cancelled orders
leave it). Cursor 0 asks for a full snapshot. A cursor older than the change log's retention (or newer than the
counter: the server was reset) raises `ResetRequired` and the phone starts again from a full snapshot.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, AsyncIterator

from app.db import engine, is_sqlite
from app.errors import Conflict
from app.sync.changes import GONE_STATUSES, ORDER, ROUTE, STOP, current_version, scope_days
from tables.routes import Route, Stop
from tables.sync import ChangeLog, SyncClient

DEFAULT_LIMIT = 500
MAX_LIMIT = 2000


class ResetRequired(Conflict):
    """The cursor is older than the change log: take a full snapshot."""


@dataclass
class PullResult:
    cursor: int
    last_mutation_id: int
    has_more: bool
    changes: list[dict[str, Any]]


@asynccontextmanager
async def snapshot() -> AsyncIterator[None]:
    """A read-only transaction that sees one consistent state of the database."""
    db = engine()
    async with db.transaction():
        if not is_sqlite(db):
            await SyncClient.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def in_scope(user_id: int, column_route=Stop.route):
    first, last = scope_days()
    return ((column_route.courier.user == user_id) & (column_route.day >= first) & (column_route.day <= last))


async def route_rows(user_id: int, ids: list[int] | None = None) -> list[dict]:
    first, last = scope_days()
    query = Route.select(Route.id, Route.day, Route.status, Route.planned_km, Route.planned_minutes).where(
        (Route.courier.user == user_id) & (Route.day >= first) & (Route.day <= last))
    if ids is not None:
        query = query.where(Route.id.is_in(ids or [0]))
    return await query.order_by(Route.day)


def stops_in_scope(user_id: int, *columns):
    return Stop.select(*columns).where(in_scope(user_id) & Stop.order.status.not_in(list(GONE_STATUSES)))


async def stop_rows(user_id: int, ids: list[int] | None = None) -> list[dict]:
    query = stops_in_scope(user_id, Stop.id, Stop.route.as_alias("route_id"), Stop.order.as_alias("order_id"),
                           Stop.sequence, Stop.kind, Stop.planned_eta, Stop.arrived_at, Stop.departed_at)
    if ids is not None:
        query = query.where(Stop.id.is_in(ids or [0]))
    return await query.order_by(Stop.route, Stop.sequence)


async def order_rows(user_id: int, ids: list[int] | None = None) -> list[dict]:
    query = stops_in_scope(
        user_id, Stop.order.id.as_alias("id"), Stop.order.reference.as_alias("reference"),
        Stop.order.status.as_alias("status"), Stop.order.client.name.as_alias("client_name"),
        Stop.order.dropoff.address.as_alias("address"), Stop.order.dropoff.lat.as_alias("lat"),
        Stop.order.dropoff.lon.as_alias("lon"), Stop.order.dropoff.contact_name.as_alias("contact_name"),
        Stop.order.dropoff.contact_phone.as_alias("contact_phone"),
        Stop.order.pickup.address.as_alias("pickup_address"), Stop.order.deliver_from.as_alias("deliver_from"),
        Stop.order.deliver_to.as_alias("deliver_to"), Stop.order.cod_amount.as_alias("cod_amount"),
        Stop.order.currency.as_alias("currency"), Stop.order.pieces.as_alias("pieces"),
        Stop.order.notes.as_alias("notes"))
    if ids is not None:
        query = query.where(Stop.order.is_in(ids or [0]))
    seen: dict[int, dict] = {}
    for row in await query:
        seen.setdefault(row["id"], row)
    return list(seen.values())


def as_change(entity: str, row: dict, version: int) -> dict:
    return {"entity": entity, "id": row["id"], "version": version, "deleted": False,
            "fields": {key: plain(value) for key, value in row.items() if key != "id"}}


async def full_snapshot(user_id: int, version: int) -> list[dict]:
    changes = [as_change(ROUTE, row, version) for row in await route_rows(user_id)]
    changes += [as_change(STOP, row, version) for row in await stop_rows(user_id)]
    changes += [as_change(ORDER, row, version) for row in await order_rows(user_id)]
    return changes


async def changes_since(user_id: int, cursor: int, limit: int) -> tuple[list[dict], bool, int | None]:
    rows = await ChangeLog.select(ChangeLog.version, ChangeLog.entity, ChangeLog.entity_id, ChangeLog.deleted).where(
        (ChangeLog.audience == user_id) & (ChangeLog.version > cursor)).order_by(ChangeLog.version).limit(limit + 1)
    has_more = len(rows) > limit
    rows = rows[:limit]
    latest: dict[tuple[str, int], dict] = {}
    for row in rows:
        latest[(row["entity"], row["entity_id"])] = row
    loaders = {ROUTE: route_rows, STOP: stop_rows, ORDER: order_rows}
    changes = []
    for entity, loader in loaders.items():
        wanted = [key[1] for key, row in latest.items() if key[0] == entity and not row["deleted"]]
        current = {row["id"]: row for row in await loader(user_id, wanted)} if wanted else {}
        for (kind, entity_id), row in latest.items():
            if kind != entity:
                continue
            if entity_id in current:
                changes.append(as_change(entity, current[entity_id], row["version"]))
            else:
                changes.append({"entity": entity, "id": entity_id, "version": row["version"], "deleted": True,
                                "fields": {}})
    changes.sort(key=lambda change: change["version"])
    return changes, has_more, rows[-1]["version"] if rows else None


async def pull(user_id: int, client_id: str, cursor: int, limit: int = DEFAULT_LIMIT) -> PullResult:
    limit = max(1, min(limit, MAX_LIMIT))
    async with snapshot():
        version, floor = await current_version()
        client = await SyncClient.select(SyncClient.last_mutation_id).where(
            (SyncClient.client_id == client_id) & (SyncClient.courier == user_id)).first() if client_id else None
        last_mutation_id = client["last_mutation_id"] if client else 0
        if cursor <= 0:
            return PullResult(version, last_mutation_id, False, await full_snapshot(user_id, version))
        if cursor < floor or cursor > version:
            raise ResetRequired("reset")
        changes, has_more, last_seen = await changes_since(user_id, cursor, limit)
        new_cursor = last_seen if has_more else version
        return PullResult(new_cursor, last_mutation_id, has_more, changes)
