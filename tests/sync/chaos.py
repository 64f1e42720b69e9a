"""The chaos harness: simulated phones pushing their outboxes through a faulty transport while dispatchers edit
the same orders, every committed push and dispatcher step recorded in commit order, and a serial model of the
rules that replays that history and must end where the database ends.

The history is written from inside each write transaction just before it commits (push's `before_commit`, the
dispatchers' own transactions). On SQLite writers are serialised by BEGIN IMMEDIATE; on PostgreSQL two
transactions that touch the same order or stop are serialised by their row locks; so for everything the rules
depend on, history order is commit order.
"""

from __future__ import annotations

import asyncio
import random
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from app.db import writing
from app.orders import status as machine
from app.sync import blobs
from app.sync.changes import record_order_change
from app.sync.fixtures import Day, build_day
from app.sync.handlers import Mutation, locked
from app.sync.push import TemporaryFailure, push
from tables.accounts import User
from tables.orders import Order
from tables.routes import Stop
from tests.sync.helpers import png


class Dropped(Exception):
    """The request never reached the server."""


class AnswerLost(Exception):
    """The server committed, the phone never heard."""


class Crash(Exception):
    """The server process died between the handlers and the commit."""


@dataclass
class Faults:
    duplicate: float = 0.20
    reorder: float = 0.20
    drop: float = 0.05
    lose_answer: float = 0.05
    crash: float = 0.02


@dataclass
class Phone:
    courier_id: int
    client_id: str
    day: Day
    schema: int
    clock_offset: timedelta
    outbox: list[Mutation] = field(default_factory=list)
    acked: int = 0
    blobs: list[tuple[bytes, str]] = field(default_factory=list)


async def make_couriers(count: int) -> list[int]:
    rows = await User.insert(*[User(login=f"chaos-{secrets.token_hex(4)}", password_hash="x", full_name=f"Courier {n}",
                                    role="courier") for n in range(count)]).returning(User.id)
    return [row["id"] for row in rows]


def plan_outbox(phone: Phone, count: int, rng: random.Random, poison_at: int | None) -> None:
    """`count` mutations: half GPS, a quarter status, the rest notes, cash, photos, address fixes."""
    start = datetime.now(timezone.utc) + phone.clock_offset
    stops, orders = phone.day.stop_ids, phone.day.order_ids
    for mid in range(1, count + 1):
        ts = start + timedelta(seconds=mid)
        roll = rng.random()
        if mid == poison_at:
            name, args = "gps.track", {"points": [{"lat": 999, "lon": "east"}]}
        elif roll < 0.50:
            name, args = "gps.track", {"points": [{"lat": 48 + rng.random(), "lon": 2 + rng.random(),
                                                   "ts": (ts - timedelta(seconds=k)).isoformat()}
                                                  for k in range(rng.randint(1, 3))]}
        elif roll < 0.75:
            stop = rng.choice(stops)
            kind = rng.choice(["stop.arrive", "stop.pick_up", "stop.deliver", "stop.fail"])
            args = {"stop_id": stop}
            if kind == "stop.deliver":
                data, sha = png(f"{phone.client_id}-{mid}")
                phone.blobs.append((data, sha))
                args = ({"stop_id": stop, "name": "R", "photo": sha} if phone.schema == 1
                        else {"stop_id": stop, "recipient_name": "R", "photo_sha256": sha})
            elif kind == "stop.fail":
                args = {"stop_id": stop, "reason_code": rng.choice(["not_home", "refused", "closed"]), "note": "n"}
            name = kind
        elif roll < 0.85:
            cents = rng.randint(-500, 5000) or 1
            amount = f"{cents / 100:.2f}" if phone.schema == 1 else cents
            name, args = "cash.collect", {"order_id": rng.choice(orders), "amount": amount, "currency": "EUR",
                                          "method": rng.choice(["cash", "card"])}
        elif roll < 0.95:
            name, args = "note.add", {"order_id": rng.choice(orders), "text": f"note {mid}"}
        else:
            name, args = "address.suggest", {"order_id": rng.choice(orders), "address": f"{mid} Corrected St"}
        phone.outbox.append(Mutation(mid, name, args, ts))


class Harness:
    def __init__(self, rng: random.Random, faults: Faults, concurrency: int) -> None:
        self.rng = rng
        self.faults = faults
        self.gate = asyncio.Semaphore(concurrency)
        self.history: list[tuple] = []
        self.ghosts: list[asyncio.Task] = []
        self.stats: Counter = Counter()

    async def server_push(self, phone: Phone, batch: list[Mutation]):
        async def hook(results: list[dict]) -> None:
            if self.rng.random() < self.faults.crash:
                self.stats["crash"] += 1
                raise Crash()
            done = [(r["id"], r["result"], r.get("reason", "")) for r in results
                    if r["result"] not in ("duplicate", "gap")]
            if done:
                self.history.append(("push", phone.client_id, done))

        copies = [Mutation(m.id, m.name, dict(m.args) if isinstance(m.args, dict) else m.args, m.device_ts)
                  for m in batch]
        async with self.gate:
            return await push(phone.courier_id, phone.client_id, phone.schema,
                              datetime.now(timezone.utc) + phone.clock_offset, copies, before_commit=hook)

    async def ghost(self, phone: Phone, batch: list[Mutation]) -> None:
        await asyncio.sleep(self.rng.uniform(0, 0.05))
        try:
            await self.server_push(phone, batch)
        except Exception:  # noqa: BLE001 - a late copy's fate is irrelevant; the phone never reads it
            pass

    async def transport(self, phone: Phone, batch: list[Mutation]):
        if self.rng.random() < self.faults.drop:
            self.stats["dropped"] += 1
            raise Dropped()
        if self.rng.random() < self.faults.reorder:  # a copy that arrives later, after newer pushes
            self.stats["reordered"] += 1
            self.ghosts.append(asyncio.create_task(self.ghost(phone, batch)))
        if self.rng.random() < self.faults.duplicate:
            self.stats["duplicated"] += 1
            answers = await asyncio.gather(self.server_push(phone, batch), self.server_push(phone, batch),
                                           return_exceptions=True)
            good = [a for a in answers if not isinstance(a, BaseException)]
            if not good:
                raise answers[0]
            answer = max(good, key=lambda a: a.last_mutation_id)
        else:
            answer = await self.server_push(phone, batch)
        if self.rng.random() < self.faults.lose_answer:
            self.stats["answer_lost"] += 1
            raise AnswerLost()
        return answer

    async def drain(self, phone: Phone, max_batch: int = 40) -> None:
        """The phone's drainer: send from the first unacknowledged entry until the outbox is empty."""
        while phone.acked < len(phone.outbox):
            batch = phone.outbox[phone.acked:phone.acked + self.rng.randint(1, max_batch)]
            try:
                answer = await self.transport(phone, batch)
            except (Dropped, AnswerLost, Crash, TemporaryFailure) as error:
                self.stats[f"retry_{type(error).__name__}"] += 1
                await asyncio.sleep(0.001)
                continue
            assert answer.last_mutation_id >= phone.acked, "an acknowledged write went backwards"
            phone.acked = answer.last_mutation_id
        for data, sha in phone.blobs:  # the photo queue
            while True:
                try:
                    if self.rng.random() < self.faults.drop:
                        raise Dropped()
                    await blobs.store_blob(sha, "image/png", data, phone.courier_id)
                    break
                except (Dropped, TemporaryFailure):
                    continue

    async def dispatcher(self, days: list[Day], stop: asyncio.Event, rng: random.Random) -> None:
        """A dispatcher cancelling, re-attempting and reassigning orders while the phones sync."""
        while not stop.is_set():
            day = rng.choice(days)
            n = rng.randrange(len(day.order_ids))
            order_id, stop_id = day.order_ids[n], day.stop_ids[n]
            action = rng.choice(["cancel", "reattempt", "reassign", "reassign"])
            try:
                async with writing():
                    if action == "reassign":
                        await locked(Stop.select(Stop.id).where(Stop.id == stop_id), Stop).first()
                        target = rng.choice(days)
                        await Stop.update({Stop.route: target.route_id}).where(Stop.id == stop_id)
                        await record_order_change(order_id)
                        self.history.append(("reassign", stop_id, target.courier_user_id))
                    else:
                        current = (await locked(Order.select(Order.status).where(Order.id == order_id),
                                                Order).first())["status"]
                        target = machine.CANCELLED if action == "cancel" else machine.ASSIGNED
                        try:
                            decision = machine.decide(current, target, machine.By.DISPATCH)
                        except machine.InvalidTransition:
                            decision = None
                        if decision == machine.Outcome.APPLY:
                            await Order.update({Order.status: target}).where(Order.id == order_id)
                            await record_order_change(order_id)
                        self.history.append(("status", order_id, target))
            except Exception as error:  # noqa: BLE001 - a deadlock or busy database: the dispatcher retries
                from app.sync.push import is_temporary

                if not is_temporary(error):
                    raise
                self.stats["dispatcher_retry"] += 1
            await asyncio.sleep(rng.uniform(0.005, 0.03))


@dataclass
class Model:
    """The rules, played serially over the committed history."""

    status: dict[int, str]
    owner: dict[int, int]  # stop -> courier
    stop_order: dict[int, int]
    arrived: set[int] = field(default_factory=set)
    cash: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    cod: dict[int, int] = field(default_factory=dict)
    events: Counter = field(default_factory=Counter)
    proofs: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)
    suggestions: Counter = field(default_factory=Counter)
    gps: Counter = field(default_factory=Counter)
    flags: Counter = field(default_factory=Counter)
    results: dict[tuple[str, int], tuple[str, str]] = field(default_factory=dict)

    def move(self, order: int, target: str) -> tuple[str, str]:
        current = self.status[order]
        try:
            decision = machine.decide(current, target, machine.By.COURIER)
        except machine.InvalidTransition:
            return "rejected", "order_cancelled" if current == machine.CANCELLED else "invalid_transition"
        if decision == machine.Outcome.SUPERSEDED:
            return "superseded", "stale_status"
        if decision == machine.Outcome.APPLY:
            self.status[order] = target
            self.events[order] += 1
        return "applied", ""

    def apply(self, phone: Phone, m: Mutation) -> tuple[str, str]:
        args = m.args
        if m.name == "gps.track":
            if any(not isinstance(p["lat"], float) or abs(p["lat"]) > 90 for p in args["points"]):
                return "rejected", "invalid_args"
            self.gps[phone.courier_id] += len(args["points"])
            return "applied", ""
        if m.name.startswith("stop."):
            stop = args["stop_id"]
            order = self.stop_order[stop]
            moved_away = self.owner[stop] != phone.courier_id
            if m.name == "stop.arrive":
                if stop in self.arrived:
                    return "superseded", "already_arrived"
                self.arrived.add(stop)
                if self.status[order] in (machine.ASSIGNED, machine.PICKED_UP):
                    self.move(order, machine.OUT_FOR_DELIVERY)
                result = ("applied", "")
            else:
                target = {"stop.pick_up": machine.PICKED_UP, "stop.deliver": machine.DELIVERED,
                          "stop.fail": machine.FAILED}[m.name]
                result = self.move(order, target)
                if result[0] != "applied":
                    return result
                if m.name in ("stop.deliver", "stop.fail"):
                    self.proofs[order] += 1
            if moved_away:
                self.flags["reassigned"] += 1
                self.flags["reassigned_to_you"] += 1
            return result
        order = args["order_id"]
        if m.name == "cash.collect":
            amount = args["amount"]
            cents = round(float(amount) * 100) if isinstance(amount, str) else amount
            self.cash[order] += cents
            if self.cash[order] != self.cod[order]:
                self.flags["cash_mismatch"] += 1
        elif m.name == "note.add":
            self.notes[order] += 1
        elif m.name == "address.suggest":
            self.suggestions[order] += 1
        return "applied", ""

    def replay(self, history: list[tuple], phones: dict[str, Phone]) -> list[str]:
        """Play the history; returns every disagreement between a pushed answer and the model."""
        wrong = []
        for entry in history:
            if entry[0] == "push":
                phone = phones[entry[1]]
                for mid, result, reason in entry[2]:
                    expected = self.apply(phone, phone.outbox[mid - 1])
                    self.results[(phone.client_id, mid)] = expected
                    if expected != (result, reason):
                        wrong.append(f"{phone.client_id}:{mid} {phone.outbox[mid - 1].name} "
                                     f"server={result}/{reason} model={expected}")
            elif entry[0] == "reassign":
                self.owner[entry[1]] = entry[2]
            else:
                _kind, order, target = entry
                try:
                    if machine.decide(self.status[order], target, machine.By.DISPATCH) == machine.Outcome.APPLY:
                        self.status[order] = target
                except machine.InvalidTransition:
                    pass
        return wrong


async def set_up(phones: int, mutations: int, rng: random.Random, stops: int = 6) -> tuple[list[Phone], Model]:
    couriers = await make_couriers(phones)
    result, status, owner, stop_order, cod = [], {}, {}, {}, {}
    offsets = [timedelta(hours=-6), timedelta(0), timedelta(hours=6), timedelta(minutes=3)]
    for n, courier in enumerate(couriers):
        day = await build_day(courier, stops=stops, cod_every=2)
        phone = Phone(courier, f"phone-{n}-{secrets.token_hex(3)}", day, schema=1 if n % 10 == 9 else 2,
                      clock_offset=offsets[n % len(offsets)])
        plan_outbox(phone, mutations, rng, poison_at=mutations // 2 if n % 5 == 0 else None)
        result.append(phone)
        for stop, order in zip(day.stop_ids, day.order_ids):
            owner[stop], stop_order[stop], status[order] = courier, order, machine.ASSIGNED
    for row in await Order.select(Order.id, Order.cod_amount):
        cod[row["id"]] = row["cod_amount"]
    return result, Model(status=status, owner=owner, stop_order=stop_order, cod=cod)
