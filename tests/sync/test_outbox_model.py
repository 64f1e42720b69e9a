"""A stateful property test of one phone's outbox against the server: hypothesis plays any sequence of courier
actions, pushes through a lossy link (duplicated requests, lost answers, dropped requests), dispatcher cancels
and pulls, and checks after every step that nothing acknowledged is lost and nothing is applied twice; at the
end, after the outbox drains and one full pull, the phone shows exactly what the server has."""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timezone

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from app.db import writing
from app.orders import status as machine
from app.sync.changes import record_order_change
from app.sync.fixtures import build_day
from app.sync.handlers import Mutation
from app.sync.pull import pull
from app.sync.push import push
from tables.accounts import User
from tables.orders import Order
from tables.sync import MutationLog

ACTIONS = ["stop.arrive", "stop.pick_up", "stop.deliver", "stop.fail", "gps.track", "note.add"]
TARGET = {"stop.pick_up": machine.PICKED_UP, "stop.deliver": machine.DELIVERED, "stop.fail": machine.FAILED}

class PhoneModel:
    """The phone: an outbox numbered from a counter, its last acknowledged id, its cursor and its view."""

    def __init__(self, courier_id: int, day) -> None:
        self.courier_id, self.day = courier_id, day
        self.client_id = f"h-{secrets.token_hex(4)}"
        self.counter, self.acked, self.cursor = 0, 0, 0
        self.outbox: list[Mutation] = []
        self.rows: dict[tuple[str, int], dict] = {}

    def act(self, name: str, index: int) -> None:
        self.counter += 1
        stop, order = self.day.stop_ids[index], self.day.order_ids[index]
        args = {"stop_id": stop}
        if name == "stop.deliver":
            args |= {"recipient_name": "Ann", "signature_sha256": "c" * 64}
        elif name == "stop.fail":
            args |= {"reason_code": "not_home"}
        elif name == "gps.track":
            args = {"points": [{"lat": 48.0, "lon": 2.0}]}
        elif name == "note.add":
            args = {"order_id": order, "text": "hello"}
        self.outbox.append(Mutation(self.counter, name, args, datetime.now(timezone.utc)))

    async def push(self, size: int, fault: str) -> None:
        batch = [m for m in self.outbox if m.id > self.acked][:size]
        if not batch or fault == "drop":
            return
        copies = lambda: [Mutation(m.id, m.name, dict(m.args), m.device_ts) for m in batch]  # noqa: E731
        answer = await push(self.courier_id, self.client_id, 2, None, copies())
        if fault == "duplicate":
            answer = await push(self.courier_id, self.client_id, 2, None, copies())
        if fault != "lost":
            assert answer.last_mutation_id >= self.acked
            self.acked = answer.last_mutation_id
            self.outbox = [m for m in self.outbox if m.id > self.acked]  # deleted only once acknowledged

    async def pull(self) -> None:
        while True:
            result = await pull(self.courier_id, self.client_id, self.cursor)
            if self.cursor == 0:
                self.rows = {}
            for change in result.changes:
                key = (change["entity"], change["id"])
                if change["deleted"]:
                    self.rows.pop(key, None)
                else:
                    self.rows[key] = change["fields"]
            self.cursor = result.cursor
            if not result.has_more:
                return

    def view(self) -> dict[int, str]:
        """Order statuses as shown: the pulled rows with still-pending actions re-applied on top."""
        shown = {key[1]: dict(fields) for key, fields in self.rows.items() if key[0] == "order"}
        stop_order = {key[1]: fields["order_id"] for key, fields in self.rows.items() if key[0] == "stop"}
        for m in self.outbox:
            order = stop_order.get(m.args.get("stop_id"))
            target = TARGET.get(m.name)
            if order in shown and target:
                try:
                    if machine.decide(shown[order]["status"], target, machine.By.COURIER) == machine.Outcome.APPLY:
                        shown[order]["status"] = target
                except machine.InvalidTransition:
                    pass
        return {order: fields["status"] for order, fields in shown.items()}


async def server_statuses(order_ids: list[int]) -> dict[int, str]:
    rows = await Order.select(Order.id, Order.status).where(Order.id.is_in(order_ids))
    return {row["id"]: row["status"] for row in rows}


class OutboxAndServer(RuleBasedStateMachine):
    """One phone and the server; the rules run on the test's event loop (`run`), from hypothesis' thread."""

    loop: asyncio.AbstractEventLoop = None  # set by the test

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def __init__(self) -> None:
        super().__init__()
        self.phone = self.run(self.new_phone())

    async def new_phone(self) -> PhoneModel:
        courier = (await User.insert(User(login=f"h{secrets.token_hex(4)}", password_hash="x", full_name="H",
                                          role="courier")).returning(User.id))[0]["id"]
        phone = PhoneModel(courier, await build_day(courier, stops=3))
        await phone.pull()
        return phone

    @rule(name=st.sampled_from(ACTIONS), index=st.integers(0, 2))
    def courier_acts(self, name, index):
        self.phone.act(name, index)

    @rule(size=st.integers(1, 5), fault=st.sampled_from(["ok", "ok", "duplicate", "lost", "drop"]))
    def phone_pushes(self, size, fault):
        self.run(self.phone.push(size, fault))

    @rule(index=st.integers(0, 2))
    def dispatcher_cancels(self, index):
        self.run(cancel(self.phone.day.order_ids[index]))

    @rule()
    def phone_pulls(self):
        self.run(self.phone.pull())

    @invariant()
    def nothing_acknowledged_is_lost_and_nothing_applied_twice(self):
        applied = self.run(MutationLog.count().where(MutationLog.client_id == self.phone.client_id).run())
        assert self.phone.acked <= applied <= self.phone.counter

    def teardown(self):
        phone = self.phone
        while phone.outbox:
            self.run(phone.push(5, "ok"))
        self.run(phone.pull())
        assert self.run(MutationLog.count().where(MutationLog.client_id == phone.client_id).run()) == phone.counter
        server = self.run(server_statuses(phone.day.order_ids))
        assert phone.view() == {order: status for order, status in server.items() if status != machine.CANCELLED}


async def cancel(order: int) -> None:
    async with writing():
        current = (await Order.select(Order.status).where(Order.id == order).first())["status"]
        try:
            if machine.decide(current, machine.CANCELLED, machine.By.DISPATCH) == machine.Outcome.APPLY:
                await Order.update({Order.status: machine.CANCELLED}).where(Order.id == order)
                await record_order_change(order)
        except machine.InvalidTransition:
            pass


async def test_any_run_of_actions_pushes_cancels_and_pulls_ends_with_the_phone_equal_to_the_server():
    OutboxAndServer.loop = asyncio.get_running_loop()
    await asyncio.to_thread(run_state_machine_as_test, OutboxAndServer, settings=settings(
        max_examples=20, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)))
