"""Push: apply a phone's outbox exactly once and in order, in one transaction.

1. lock the phone's `sync_client` row (SQLite: the push's BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE);
2. per mutation in order: `id <= last_mutation_id` -> duplicate; `id > last + 1` -> gap, stop; else its handler;
3. applied / superseded / rejected all advance `last_mutation_id`, written in the same transaction as the
   effects, with one `mutation_log` row each;
4. a temporary failure (database busy, deadlock, connection lost) rolls everything back: `TemporaryFailure`,
   which the API answers with 503 + Retry-After. A handler that crashes (a poison mutation) does not block the
   phone: the push is redone with that mutation rejected, and dispatch is told.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable

from app.db import is_sqlite, writing
from app.errors import DomainError, Forbidden, InvalidInput
from app.i18n import gettext as _
from app.sync import handlers
from app.sync.context import Context, Mutation
from app.sync.handlers import Outcome
from app.sync.reasons import APPLIED, DUPLICATE, FLAG, GAP, REJECTED
from tables.sync import MutationLog, SyncClient, SyncProblem

log = logging.getLogger("waybill.sync")

MAX_MUTATIONS = 200
MAX_BYTES = 256 * 1024
CLOCK_PAST = timedelta(hours=24)
CLOCK_FUTURE = timedelta(minutes=2)
CLOCK_TOLERANCE = timedelta(minutes=5)
RETRY_AFTER_S = 2


class TemporaryFailure(DomainError):
    """Nothing was applied; try the same push again later."""

    status_code = 503


@dataclass
class PushResult:
    last_mutation_id: int
    results: list[dict[str, Any]]
    server_time: datetime


class Poisoned(Exception):
    def __init__(self, mutation_id: int) -> None:
        super().__init__(mutation_id)
        self.mutation_id = mutation_id


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def clamp_device_time(ts: datetime | None, received_at: datetime, last_sync: datetime | None) -> datetime:
    """The phone's time for display, kept within [last sync - 24 h, received + 2 min]."""
    if ts is None:
        return received_at
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=timezone.utc)
    low = (last_sync or received_at) - CLOCK_PAST
    return min(max(ts, low), received_at + CLOCK_FUTURE)


def is_temporary(error: BaseException) -> bool:
    """A failure that says nothing about the push itself: retrying later may succeed."""
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        return "locked" in text or "busy" in text
    if isinstance(error, (ConnectionError, TimeoutError, OSError)):
        return True
    code = getattr(error, "sqlstate", None)
    if code and (code.startswith("08") or code in {"40001", "40P01", "55P03", "57P01", "57P03", "53300"}):
        return True
    return type(error).__name__ in {"InterfaceError", "ConnectionDoesNotExistError", "TooManyConnectionsError"}


def check_push(client_id: str, schema_version: int, mutations: list[Mutation]) -> None:
    if not client_id or len(client_id) > 64:
        raise InvalidInput({"client_id": _("A phone id is required.")})
    if not handlers.OLDEST_SCHEMA <= schema_version <= handlers.CURRENT_SCHEMA:
        raise InvalidInput({"schema_version": _("This version of the app is not supported; please update it.")})
    if len(mutations) > MAX_MUTATIONS:
        raise InvalidInput({"mutations": _("At most %(n)s changes per push.", n=MAX_MUTATIONS)})
    ids = [mutation.id for mutation in mutations]
    if any(b != a + 1 for a, b in zip(ids, ids[1:])) or any(i < 1 for i in ids):
        raise InvalidInput({"mutations": _("Changes must be numbered 1, 2, 3 ... in order.")})


async def lock_client(client_id: str, courier_id: int, now: datetime) -> dict:
    """The phone's row, locked until the push commits; made on the phone's first push."""
    for _attempt in range(2):
        query = SyncClient.select().where(SyncClient.client_id == client_id)
        if not is_sqlite():
            query = query.lock_rows()
        row = await query.first()
        if row is not None:
            return row
        await SyncClient.insert(SyncClient(client_id=client_id, courier=courier_id, last_mutation_id=0,
                                           created_at=now)).on_conflict(target=SyncClient.client_id,
                                                                        action="DO NOTHING")
    raise TemporaryFailure(_("The phone could not be registered; try again."))


async def push(courier_id: int, client_id: str, schema_version: int, device_now: datetime | None,
               mutations: list[Mutation], *, before_commit: Callable[[list[dict]], Awaitable[None]] | None = None
               ) -> PushResult:
    """Apply the mutations the server has not seen yet, in order; see the module's docstring."""
    check_push(client_id, schema_version, mutations)
    poisoned: set[int] = set()
    while True:
        raw = [Mutation(m.id, m.name, m.args, m.device_ts) for m in mutations]
        try:
            return await _push_once(courier_id, client_id, schema_version, device_now, raw, poisoned,
                                    before_commit)
        except Poisoned as poison:
            poisoned.add(poison.mutation_id)
        except DomainError:
            raise
        except Exception as error:
            if is_temporary(error):
                log.warning("push from %s rolled back: %s", client_id, error)
                raise TemporaryFailure(_("The server is busy; your changes are kept and will be sent again."))\
                    from error
            raise


async def _push_once(courier_id, client_id, schema_version, device_now, mutations, poisoned,
                     before_commit) -> PushResult:
    received = now_utc()
    async with writing():
        client = await lock_client(client_id, courier_id, received)
        if client["courier"] != courier_id:
            raise Forbidden(_("This phone belongs to another courier. Log out and in again on it."))
        last = client["last_mutation_id"]
        ctx = Context(courier_id=courier_id, client_id=client_id, received_at=received,
                      last_sync=client["last_seen_at"])
        results: list[dict[str, Any]] = []
        await ctx.prefetch([m for m in mutations if m.id > last])
        for mutation in mutations:
            if mutation.id <= last:
                results.append({"id": mutation.id, "result": DUPLICATE})
                continue
            if mutation.id > last + 1:
                results.append({"id": mutation.id, "result": GAP})
                break
            mutation.device_ts = clamp_device_time(parse_time(mutation.device_ts), received, ctx.last_sync)
            outcome = await apply_one(ctx, mutation, schema_version, poisoned)
            results.append({"id": mutation.id, "result": outcome.result,
                            **({"reason": outcome.reason} if outcome.reason else {})})
            ctx.add(MutationLog, source=ctx.source(mutation), client_id=client_id, mutation_id=mutation.id,
                    courier=courier_id, name=mutation.name[:40], result=outcome.result, reason=outcome.reason,
                    received_at=received, device_ts=mutation.device_ts)
            if outcome.result != APPLIED:
                ctx.add(SyncProblem,
                    courier=courier_id, client_id=client_id, mutation_id=mutation.id, name=mutation.name[:40],
                    kind=outcome.result, reason=outcome.reason, params=outcome.params, order=outcome.order_id)
            last = mutation.id
        clock = clock_state(client, device_now, received, ctx)
        await write_collected(ctx)
        if last != client["last_mutation_id"] or clock:
            await SyncClient.update({SyncClient.last_mutation_id: last, SyncClient.last_seen_at: received,
                                     **clock}).where(SyncClient.id == client["id"])
        if before_commit is not None:
            await before_commit(results)
    return PushResult(last_mutation_id=last, results=results, server_time=received)


def parse_time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


async def apply_one(ctx: Context, mutation: Mutation, schema_version: int, poisoned: set[int]) -> Outcome:
    if mutation.id in poisoned:
        ctx.flag(mutation, "server_error", {"name": mutation.name[:40]})
        return Outcome(REJECTED, "server_error", {"name": mutation.name[:40]})
    try:
        return await handlers.run(ctx, mutation, schema_version)
    except DomainError:
        raise
    except Exception as error:
        if is_temporary(error):
            raise
        log.exception("mutation %s:%s (%s) failed; it will be rejected", ctx.client_id, mutation.id,
                      mutation.name)
        raise Poisoned(mutation.id) from error


def clock_state(client: dict, device_now: datetime | None, received: datetime, ctx: Context) -> dict:
    """Device clocks never order anything; a phone off by more than 5 minutes is flagged (once)."""
    device_now = parse_time(device_now)
    if device_now is None:
        return {}
    if device_now.tzinfo is None:
        device_now = device_now.replace(tzinfo=timezone.utc)
    offset = int((device_now - received).total_seconds())
    off = abs(offset) > CLOCK_TOLERANCE.total_seconds()
    if off and not client["clock_off"]:
        ctx.add(SyncProblem, courier=ctx.courier_id, client_id=ctx.client_id, kind=FLAG,
                                        reason="clock_off", params={"minutes": round(offset / 60)})
    if off == client["clock_off"] and abs(offset - client["clock_offset_s"]) < 60:
        return {}
    return {SyncClient.clock_offset_s: offset, SyncClient.clock_off: off}


async def write_collected(ctx: Context) -> None:
    """The rows the handlers decided on, in bulk (see `Context.flush`)."""
    await ctx.flush()
