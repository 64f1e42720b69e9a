"""Background jobs: recorded in the database, run once by a worker, and sent again after a restart.

The worker here runs on whatever broker the environment chooses: the in-process StubBroker without REDIS_URL,
the real RedisBroker with it (CI runs both).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from app import jobs
from tables.accounts import WebSession
from tables.jobs import Job

RUNS: list[int] = []


@jobs.job_actor(queue_name="default", max_retries=0)
async def record_run(value: int) -> dict:
    RUNS.append(value)
    return {"doubled": value * 2}


@jobs.job_actor(queue_name="default", max_retries=0, job_id_arg="job")
async def report_own_job(value: int, job: int) -> dict:
    await jobs.set_progress(job, 0.5)
    return {"job": job, "value": value}


@jobs.job_actor(queue_name="default", max_retries=0)
async def always_fails() -> None:
    raise ValueError("the outside service said no")


async def wait_for(job_id: int, statuses=("done", "failed"), seconds: float = 20.0) -> dict:
    for _ in range(int(seconds * 20)):
        row = await jobs.job_status(job_id)
        if row and row["status"] in statuses:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} still {row['status'] if row else 'missing'}")


@pytest.fixture(autouse=True)
def forget_runs():
    RUNS.clear()
    yield
    RUNS.clear()


async def test_a_job_is_recorded_run_by_the_worker_and_its_result_kept(worker):
    job_id = await jobs.enqueue("record_run", value=21)
    row = await wait_for(job_id)
    assert row["status"] == "done" and row["result"] == {"doubled": 42} and row["attempts"] == 1
    assert RUNS == [21]


async def test_an_actor_that_asks_for_it_is_given_its_own_job_id(worker):
    job_id = await jobs.enqueue("report_own_job", value=3)
    row = await wait_for(job_id)
    assert row["status"] == "done" and row["result"] == {"job": job_id, "value": 3}
    assert "job" not in row["args"]  # given at run time, not stored with the arguments


async def test_a_message_delivered_twice_runs_the_job_once(worker):
    job_id = await jobs.enqueue("record_run", value=7)
    await wait_for(job_id)
    jobs.send("record_run", job_id)
    await asyncio.sleep(0.5)
    assert RUNS == [7]


async def test_a_failing_job_is_marked_failed_with_the_reason(worker):
    job_id = await jobs.enqueue("always_fails")
    row = await wait_for(job_id)
    assert row["status"] == "failed" and "the outside service said no" in row["error"]


async def test_jobs_left_behind_by_a_crash_are_sent_again_on_start(worker):
    queued = (await Job.insert(Job(actor="record_run", args={"value": 1})).returning(Job.id))[0]["id"]
    running = (await Job.insert(Job(actor="record_run", args={"value": 2}, status="running")).returning(Job.id))[0]["id"]
    resent = await jobs.resend_unfinished()
    assert resent == 2
    await wait_for(queued)
    await wait_for(running)
    assert sorted(RUNS) == [1, 2]


async def test_the_clock_sends_the_housekeeping_job_when_due(worker):
    from app.clock import tick

    sent = await tick({}, now=10_000.0)
    assert "purge_expired" in sent
    job = await Job.objects().where(Job.actor == "purge_expired").first()
    row = await wait_for(job.id)
    assert row["status"] == "done"
    from app.clock import SCHEDULE

    just_ran = {entry.actor: 10_000.0 for entry in SCHEDULE}
    assert await tick({**just_ran, "_resend": 10_000.0}, now=10_001.0) == []


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="a separate worker process needs the Redis broker")
async def test_a_separate_worker_process_runs_jobs_through_redis():
    jobs.broker.flush_all()
    job_id = await jobs.enqueue("purge_expired")
    env = dict(os.environ)
    process = subprocess.Popen([sys.executable, "-m", "dramatiq", "app.jobs", "--processes", "1", "--threads", "1"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        row = await wait_for(job_id, seconds=60)
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert row["status"] == "done" and row["result"] == {"sessions": 0}
    assert await WebSession.count() == 0


async def test_a_job_recorded_in_a_transaction_that_fails_is_never_sent(worker):
    from app.db import writing

    try:
        async with writing():
            await jobs.enqueue("record_run", value=99)
            raise RuntimeError("the request failed after recording the job")
    except RuntimeError:
        pass
    await asyncio.sleep(0.5)
    assert RUNS == [] and await Job.count() == 0


async def test_a_job_recorded_in_a_transaction_is_sent_when_it_commits(worker):
    from app.db import writing

    async with writing():
        job_id = await jobs.enqueue("record_run", value=5)
        async with writing():  # a nested transaction joins the outer one
            await jobs.enqueue("record_run", value=6)
        await asyncio.sleep(0.3)
        assert RUNS == []  # nothing reaches the worker before the commit
    await wait_for(job_id)
    await asyncio.sleep(0.3)
    assert sorted(RUNS) == [5, 6]
