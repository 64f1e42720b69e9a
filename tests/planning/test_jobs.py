"""The optimize job: a worker builds the day, solves it in a child process, reports progress, can be cancelled."""

from __future__ import annotations

import asyncio
import multiprocessing

import pytest

from app.audit import Actor
from app.optimizer import Load, Problem, Stop, Vehicle, estimated_matrices
from app.planning.jobs import accept_optimization, cancel_optimization, optimization, start_optimization
from app.planning.solving import Cancelled, solve_in_child
from tables.routes import Stop as StopRow


async def wait_for(job_id: int, statuses: tuple[str, ...], seconds: float = 30.0) -> dict:
    for _ in range(int(seconds * 10)):
        job = await optimization(job_id)
        if job["status"] in statuses:
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"optimization {job_id} still {job['status']}")


async def test_a_worker_plans_the_day_and_the_dispatcher_accepts_it(small_day, make_user, worker):
    dispatcher = await make_user("dispatcher")
    job_id = await start_optimization(Actor(dispatcher.id), small_day["day"], small_day["depot"], 2)
    job = await wait_for(job_id, ("done", "failed"))
    assert job["status"] == "done", job["error"]
    assert job["progress"] == 1.0
    proposal = job["proposal"]
    assert proposal["after"]["unplanned_count"] == 0 and proposal["before"]["unplanned_count"] == 5

    await accept_optimization(Actor(dispatcher.id), job_id)
    assert await StopRow.count() == 10  # each order's pick-up at the shop and its drop-off
    assert (await optimization(job_id))["proposal"]["decision"] == "accepted"


def one_stop_problem() -> Problem:
    points = [(48.90, 2.35), (48.86, 2.30)]
    return Problem(vehicles=(Vehicle(id="v", start=0, end=0, capacity=Load(10, 10)),),
                   stops=(Stop(id="s", location=1, load=Load(1, 1)),), travel=estimated_matrices(points, ["car"]))


async def test_a_cancel_terminates_the_solver_process():
    calls = []

    async def progress(fraction: float) -> None:
        pass

    async def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 10  # the dispatcher cancels after about two seconds

    with pytest.raises(Cancelled):
        await solve_in_child(one_stop_problem(), 60, progress, cancelled)
    assert not [p for p in multiprocessing.active_children() if p.name == "waybill-solve"]


async def test_a_cancelled_job_is_stopped_and_keeps_no_result(small_day, make_user, worker):
    dispatcher = await make_user("dispatcher")
    job_id = await start_optimization(Actor(dispatcher.id), small_day["day"], small_day["depot"], 60)
    await wait_for(job_id, ("running",))
    await cancel_optimization(Actor(dispatcher.id), job_id)
    await asyncio.sleep(1.5)  # the worker notices within its poll and terminates the child
    job = await optimization(job_id)
    assert job["status"] == "cancelled" and job["proposal"] is None
    assert not [p for p in multiprocessing.active_children() if p.name == "waybill-solve"]
