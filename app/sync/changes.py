"""The version counter and the change log phones pull.

Every write transaction that changes a route, a stop or an order calls `record_change()` (or
`record_order_change()`) before it commits. The counter row is bumped inside that same transaction and stays
locked until it commits, so commit order is version order and a pull of `version > cursor` never skips a row.
Call it as the *last* write of the transaction (the counter is the last lock taken: no deadlock cycle).

Each change is written once per courier whose phone must hear of it (`audience`): the couriers who hold the row
now (today's and tomorrow's routes) get the row, the ones who held it before and no longer do get a tombstone.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.dispatch.day import company_today
from app.sync.bulk import insert_rows, marks
from tables.orders import Order
from tables.routes import Route, Stop
from tables.sync import ChangeLog, SyncVersion

ROUTE, STOP, ORDER = "route", "stop", "order"
ENTITIES = (ROUTE, STOP, ORDER)
RETENTION = timedelta(days=7)
GONE_STATUSES = ("cancelled",)  # an order in these leaves every courier's scope


def scope_days():
    today = company_today()
    return today, today + timedelta(days=1)


async def next_versions(count: int) -> int:
    """Take `count` versions from the counter; returns the last one (the first is last - count + 1)."""
    for _attempt in range(2):
        rows = await SyncVersion.update({SyncVersion.value: SyncVersion.value + count}).where(
            SyncVersion.id == 1).returning(SyncVersion.value)
        if rows:
            return rows[0]["value"]
        await SyncVersion.insert(SyncVersion(id=1, value=0, floor=0)).on_conflict(action="DO NOTHING")
    raise RuntimeError("the sync version counter is missing")


async def current_version() -> tuple[int, int]:
    """(latest version, oldest version the change log still holds)."""
    row = await SyncVersion.select(SyncVersion.value, SyncVersion.floor).where(SyncVersion.id == 1).first()
    return (row["value"], row["floor"]) if row else (0, 0)


async def owners(entity: str, ids: list[int]) -> dict[int, set[int]]:
    """entity id -> user ids of the couriers whose phones hold it now."""
    if not ids:
        return {}
    first, last = scope_days()
    if entity == ROUTE:
        sql = ('SELECT r.id AS "key", c."user" AS "user" FROM route r JOIN courier c ON c.id = r.courier '
               f"WHERE r.id IN ({marks(ids)}) AND r.day >= {{}} AND r.day <= {{}}")
    else:
        key = "s.id" if entity == STOP else 's."order"'
        sql = (f'SELECT {key} AS "key", c."user" AS "user" FROM stop s JOIN route r ON r.id = s.route '
               "JOIN courier c ON c.id = r.courier JOIN delivery_order o ON o.id = s.\"order\" "
               f"WHERE {key} IN ({marks(ids)}) AND r.day >= {{}} AND r.day <= {{}} "
               f"AND o.status NOT IN ({marks(list(GONE_STATUSES))})")
    rows = await Route.raw(sql, *ids, first, last, *([] if entity == ROUTE else GONE_STATUSES))
    found: dict[int, set[int]] = {}
    for row in rows:
        found.setdefault(row["key"], set()).add(row["user"])
    return found


async def previous_audiences(wanted: dict[str, list[int]]) -> dict[tuple[str, int], set[int]]:
    """(entity, id) -> the couriers whose phones were told of it before (one query)."""
    condition = None
    for entity, ids in wanted.items():
        if ids:
            part = (ChangeLog.entity == entity) & ChangeLog.entity_id.is_in(ids)
            condition = part if condition is None else condition | part
    if condition is None:
        return {}
    rows = await ChangeLog.select(ChangeLog.entity, ChangeLog.entity_id, ChangeLog.audience).where(
        condition).distinct()
    found: dict[tuple[str, int], set[int]] = {}
    for row in rows:
        found.setdefault((row["entity"], row["entity_id"]), set()).add(row["audience"])
    return found


async def record_many(changes: dict[str, list[int] | set[int]], deleted: bool = False) -> int:
    """Log that these rows changed (or were deleted); one version per change row, one insert for all.

    Call inside the write transaction that made the change, after the change."""
    wanted = {entity: sorted(set(ids)) for entity, ids in changes.items() if ids}
    assert set(wanted) <= set(ENTITIES), wanted
    if not wanted:
        return 0
    before = await previous_audiences(wanted)
    pending = []
    for entity, ids in wanted.items():
        now_held = {} if deleted else await owners(entity, ids)
        for entity_id in ids:
            holders = now_held.get(entity_id, set())
            for user in sorted(holders):
                pending.append((entity, entity_id, user, False))
            for user in sorted(before.get((entity, entity_id), set()) - holders):
                pending.append((entity, entity_id, user, True))
    if not pending:
        return 0
    last = await next_versions(len(pending))
    first = last - len(pending) + 1
    now = datetime.now(timezone.utc)
    await insert_rows(ChangeLog, [
        {"version": first + n, "entity": entity, "entity_id": entity_id, "audience": user, "deleted": gone,
         "changed_at": now} for n, (entity, entity_id, user, gone) in enumerate(pending)])
    return len(pending)


async def record_changes(entity: str, ids: list[int] | set[int], deleted: bool = False) -> int:
    """Log that these rows of `entity` changed (or were deleted, `deleted=True`); returns how many change rows
    were written. Call inside the write transaction that made the change, after the change."""
    return await record_many({entity: ids}, deleted=deleted)


async def record_change(entity: str, entity_id: int, deleted: bool = False) -> int:
    """One row of `entity` ("route", "stop", "order") changed, or was deleted; see `record_changes`."""
    return await record_changes(entity, [entity_id], deleted=deleted)


async def record_order_change(order_id: int | list[int]) -> int:
    """An order changed (status, place, time window, amount, cancel) or one of its stops did (moved to another
    route, re-sequenced, re-timed): log the order and all its stops. The call other domains make."""
    order_ids = [order_id] if isinstance(order_id, int) else list(order_id)
    stop_ids = [row["id"] for row in await Stop.select(Stop.id).where(Stop.order.is_in(order_ids))] \
        if order_ids else []
    return await record_many({ORDER: order_ids, STOP: stop_ids})


async def purge_change_log(older_than: timedelta = RETENTION) -> int:
    """Drop change rows older than the retention; phones with an older cursor get `409 reset`."""
    cutoff = datetime.now(timezone.utc) - older_than
    from app.db import writing

    async with writing():
        newest_old = await ChangeLog.select(ChangeLog.version).where(ChangeLog.changed_at < cutoff).order_by(
            ChangeLog.version, ascending=False).first()
        if newest_old is None:
            return 0
        floor = newest_old["version"]
        removed = await ChangeLog.count().where(ChangeLog.version <= floor)
        await ChangeLog.delete().where(ChangeLog.version <= floor)
        await SyncVersion.update({SyncVersion.floor: floor}).where(SyncVersion.id == 1)
    return removed


async def orders_exist(order_ids: list[int]) -> set[int]:
    return {row["id"] for row in await Order.select(Order.id).where(Order.id.is_in(order_ids))} if order_ids else set()
