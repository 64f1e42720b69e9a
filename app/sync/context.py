"""The state one push works on: who pushes, the rows its mutations touch (read once, in bulk, and locked on
PostgreSQL so a dispatcher's concurrent cancel or reassignment waits), and the writes its handlers collect,
flushed in bulk before the push commits.

Handlers read and change the in-memory rows here, in mutation order; `flush()` writes the final state. A push
of 200 mutations costs a few dozen statements, whatever its mix.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.audit import record_type
from app.db import for_update, is_sqlite
from app.sync.bulk import insert_rows, marks, select_raw, update_by_id
from app.sync.changes import record_order_change
from app.sync.reasons import FLAG
from tables.audit import AuditEntry
from tables.orders import Order, OrderEvent
from tables.routes import Stop
from tables.sync import (
    AddressSuggestion,
    CashEntry,
    ChangeLog,
    CourierNote,
    DeliveryProof,
    GpsPoint,
    MutationLog,
    SyncProblem,
)



@dataclass
class Mutation:
    id: int
    name: str
    args: Any
    device_ts: Any  # the phone's time; clamped by the push before a handler sees it


def locked(query, *tables):
    """The query with its rows locked until the push commits (PostgreSQL; SQLite's push holds the whole
    database), so a dispatcher's concurrent cancel or reassignment is seen, never overwritten."""
    return for_update(query, *tables)


@dataclass
class Context:
    courier_id: int
    client_id: str
    received_at: datetime
    last_sync: datetime | None = None
    stops: dict[int, dict | None] = field(default_factory=dict)
    orders: dict[int, dict | None] = field(default_factory=dict)
    owners: dict[int, set[int]] = field(default_factory=dict)  # order -> couriers holding it now
    held: set[tuple[str, int]] = field(default_factory=set)  # rows this courier's phone was ever told of
    cash_totals: dict[tuple[int, str], int] = field(default_factory=dict)
    # writes, flushed in bulk
    status_changes: dict[int, str] = field(default_factory=dict)
    arrivals: dict[int, datetime] = field(default_factory=dict)
    notify: list[tuple[int, str]] = field(default_factory=list)
    rows: dict[type, list[dict]] = field(default_factory=lambda: defaultdict(list))
    touched_orders: set[int] = field(default_factory=set)

    def source(self, mutation: Mutation) -> str:
        return f"{self.client_id}:{mutation.id}"

    def add(self, table: type, **values) -> None:
        """A row to insert at flush (plain values: building Table objects costs more than the insert)."""
        self.rows[table].append(values)

    def flag(self, mutation: Mutation | None, reason: str, params: dict, order_id: int | None = None,
             courier_id: int | None = None) -> None:
        """A problem for dispatch and the courier (`courier_id`: tell another courier instead)."""
        mine = courier_id is None
        self.add(SyncProblem, courier=courier_id or self.courier_id, client_id=self.client_id if mine else "",
                             mutation_id=mutation.id if mutation and mine else 0,
                             name=mutation.name[:40] if mutation else "", kind=FLAG, reason=reason, params=params,
                             order=order_id)

    def audit(self, table, record_id: int, changes: dict, summary: str) -> None:
        self.add(AuditEntry, user=self.courier_id, action="update", record_type=record_type(table),
                            record_id=str(record_id), summary=summary[:500], changes=changes, ip="")

    # ---- reading, in bulk ------------------------------------------------------------------------------------

    async def prefetch(self, mutations: list[Mutation]) -> None:
        """Load (and lock) every stop and order the mutations name, their holders, what this phone held, and
        the cash already collected: a handful of statements for the whole push."""
        stop_ids, order_ids = set(), set()
        for mutation in mutations:
            args = mutation.args if isinstance(mutation.args, dict) else {}
            if isinstance(args.get("stop_id"), int):
                stop_ids.add(args["stop_id"])
            if isinstance(args.get("order_id"), int):
                order_ids.add(args["order_id"])
        await self.load(stop_ids, order_ids)

    async def load(self, stop_ids: set[int], order_ids: set[int]) -> None:
        new_stops = sorted(i for i in stop_ids if i not in self.stops)
        if new_stops:
            if not is_sqlite():  # lock first, then read: a locked row re-read after a concurrent move keeps its
                # old join partners in a single SELECT ... FOR UPDATE with joins (PostgreSQL's EvalPlanQual)
                await select_raw(Stop, f"SELECT s.id FROM stop s WHERE s.id IN ({marks(new_stops)}) ORDER BY s.id",
                                 *new_stops, lock="s")
            rows = await select_raw(
                Stop, 'SELECT s.id, s.kind, s.arrived_at, s."order" AS order_id, c."user" AS owner FROM stop s '
                'JOIN route r ON r.id = s.route JOIN courier c ON c.id = r.courier '
                f"WHERE s.id IN ({marks(new_stops)}) ORDER BY s.id", *new_stops)
            found = {row["id"]: row for row in rows}
            for stop_id in new_stops:
                self.stops[stop_id] = found.get(stop_id)
            order_ids = order_ids | {row["order_id"] for row in rows}
        new_orders = sorted(i for i in order_ids if i not in self.orders)
        if new_orders:
            rows = await select_raw(
                Order, "SELECT o.id, o.status, o.reference, o.cod_amount, o.currency FROM delivery_order o "
                f"WHERE o.id IN ({marks(new_orders)}) ORDER BY o.id", *new_orders, lock="o")
            found = {row["id"]: row for row in rows}
            for order_id in new_orders:
                self.orders[order_id] = found.get(order_id)
                self.owners[order_id] = set()
            holders = await select_raw(
                Stop, 'SELECT s."order" AS order_id, c."user" AS owner FROM stop s JOIN route r ON r.id = s.route '
                f'JOIN courier c ON c.id = r.courier WHERE s."order" IN ({marks(new_orders)})', *new_orders)
            for row in holders:
                self.owners[row["order_id"]].add(row["owner"])
            sums = await select_raw(
                CashEntry, 'SELECT "order" AS order_id, currency, SUM(amount) AS total FROM cash_entry '
                f'WHERE "order" IN ({marks(new_orders)}) GROUP BY "order", currency', *new_orders)
            for row in sums:
                self.cash_totals[(row["order_id"], row["currency"])] = int(row["total"] or 0)
        if new_stops or new_orders:
            held = await select_raw(
                ChangeLog, "SELECT DISTINCT entity, entity_id FROM change_log WHERE audience = {} AND "
                f"((entity = 'order' AND entity_id IN ({marks(new_orders)})) OR "
                f"(entity = 'stop' AND entity_id IN ({marks(new_stops)})))",
                self.courier_id, *new_orders, *new_stops)
            self.held |= {(row["entity"], row["entity_id"]) for row in held}

    async def stop(self, stop_id: int) -> dict | None:
        if stop_id not in self.stops:
            await self.load({stop_id}, set())
        return self.stops[stop_id]

    async def order(self, order_id: int) -> dict | None:
        if order_id not in self.orders:
            await self.load(set(), {order_id})
        return self.orders[order_id]

    async def cash_total(self, order_id: int, currency: str) -> int:
        if order_id not in self.orders:
            await self.load(set(), {order_id})
        return self.cash_totals.get((order_id, currency), 0)

    # ---- writing, in bulk ------------------------------------------------------------------------------------

    async def flush(self) -> None:
        """Everything the handlers decided; the change log last (its counter is the last lock taken)."""
        await update_by_id(Order, "status", self.status_changes, also={"updated_at": self.received_at})
        await update_by_id(Stop, "arrived_at", self.arrivals)
        for table in (OrderEvent, DeliveryProof, CashEntry, CourierNote, AddressSuggestion, GpsPoint, SyncProblem,
                      AuditEntry, MutationLog):
            await insert_rows(table, self.rows.get(table, []))
        if self.notify:
            await notify_clients(self.notify)
        if self.touched_orders:
            await record_order_change(sorted(self.touched_orders))


async def notify_clients(changes: list[tuple[int, str]]) -> None:
    """The client's message for each order's latest moment (issue 7's `notify_order` job), recorded in this
    transaction. A phone back from a long offline stretch does not send "out for delivery" after "delivered".

    This is `app.notifications.triggers.on_order_status` for many orders at once: one insert for all the jobs
    (the push would otherwise spend a third of its statements here)."""
    from app import jobs
    from app.notifications.triggers import STATUS_TRIGGERS
    from tables.jobs import Job

    latest = {order_id: status for order_id, status in changes}
    wanted = [(order_id, STATUS_TRIGGERS[status]) for order_id, status in latest.items() if status in STATUS_TRIGGERS]
    if not wanted:
        return
    rows = await Job.insert(*[Job(actor="notify_order", queue="notify", args={"order_id": order_id, "trigger": trigger})
                              for order_id, trigger in wanted]).returning(Job.id)
    for row in rows:
        jobs.send("notify_order", row["id"])
