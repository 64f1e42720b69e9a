"""Background jobs on Dramatiq: the broker choice, the job rows, and the registry of actors.

`REDIS_URL` set: RedisBroker, with actors run by separate `dramatiq app.jobs` worker processes.
Unset: Dramatiq's StubBroker with a worker thread inside the web process (`start_embedded_worker`).

A job's state lives in a `Job` row, never only in the broker. `enqueue` writes the row, then sends the message;
a worker claims the row atomically before running, so a message delivered twice runs once; jobs left queued or
running by a crash are sent again by `resend_unfinished` (at start-up and from the clock).
Actors are async functions taking keyword arguments; they live next to their domain and are listed in
ACTOR_MODULES so every process registers the same set.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable

import dramatiq
from dramatiq.brokers.stub import StubBroker

from app import db
from app.config import get_settings
from tables.jobs import Job

log = logging.getLogger("waybill.jobs")

ACTOR_MODULES = ["app.maintenance", "app.crm.jobs", "app.notifications.actors", "app.sync.jobs", "app.planning.jobs"]
DEFAULT_LEASE = timedelta(minutes=30)

_registry: dict[str, Callable[..., Awaitable[Any]]] = {}
_job_id_args: dict[str, str] = {}  # actor name -> the keyword that receives the job id
_app_loop: asyncio.AbstractEventLoop | None = None
_thread_loops = threading.local()


def make_broker() -> dramatiq.Broker:
    settings = get_settings()
    if settings.redis_url:
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=settings.redis_url)
    return StubBroker()


broker = make_broker()
dramatiq.set_broker(broker)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def attach_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    """In the embedded mode the worker thread runs jobs on the web process's event loop (one DB pool)."""
    global _app_loop
    _app_loop = loop


_process_loop: asyncio.AbstractEventLoop | None = None
_process_loop_lock = threading.Lock()


def process_loop() -> asyncio.AbstractEventLoop:
    """A worker process's one event loop (in its own thread) with one PostgreSQL pool, shared by all worker
    threads: without it every query of every job would open a new database connection."""
    global _process_loop
    with _process_loop_lock:
        if _process_loop is None or _process_loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="jobs-event-loop", daemon=True).start()
            asyncio.run_coroutine_threadsafe(db.start_pool(), loop).result()
            _process_loop = loop
    return _process_loop


def run_async(coroutine: Awaitable[Any]) -> Any:
    if _app_loop is not None and _app_loop.is_running():
        return asyncio.run_coroutine_threadsafe(coroutine, _app_loop).result()
    if get_settings().uses_postgres:
        return asyncio.run_coroutine_threadsafe(coroutine, process_loop()).result()
    loop = getattr(_thread_loops, "loop", None)
    if loop is None:
        loop = _thread_loops.loop = asyncio.new_event_loop()
    return loop.run_until_complete(coroutine)


def job_actor(queue_name: str = "default", max_retries: int = 3, time_limit_ms: int = 30 * 60 * 1000,
              job_id_arg: str | None = None):
    """Declare an async function as a background job: `await enqueue("name", **args)` runs it in a worker.

    `job_id_arg` names a keyword argument that receives the job's own id (to report progress, notice a cancel)."""

    def declare(function: Callable[..., Awaitable[Any]]):
        name = function.__name__
        _registry[name] = function
        if job_id_arg:
            _job_id_args[name] = job_id_arg

        def perform(job_id: int) -> None:
            run_async(run_job(job_id))

        perform.__name__ = name
        dramatiq.actor(perform, actor_name=name, queue_name=queue_name, max_retries=max_retries,
                       time_limit=time_limit_ms, min_backoff=500, max_backoff=60_000)
        return function

    return declare


async def enqueue(actor: str, queue: str = "default", **args: Any) -> int:
    """Record the job, then hand it to the broker."""
    if actor not in _registry:
        raise KeyError(f"unknown job {actor}")
    rows = await Job.insert(Job(actor=actor, queue=queue, args=args)).returning(Job.id)
    job_id = rows[0]["id"]
    send(actor, job_id)
    return job_id


def send(actor: str, job_id: int) -> None:
    """Hand the job to the broker once the transaction that recorded it has committed (a worker must find the
    row; a rolled-back job must never run). A crash between commit and send leaves the row queued, and the
    clock sends it again."""
    db.after_commit(lambda: broker.get_actor(actor).send(job_id))


async def claim(job_id: int, lease: timedelta = DEFAULT_LEASE) -> dict | None:
    """Mark the job running unless it is done, cancelled, or running under a live lease elsewhere; returns its
    actor and arguments (one statement: a worker runs thousands of short jobs)."""
    now = _now()
    claimed = await Job.update(
        {Job.status: "running", Job.started_at: now, Job.attempts: Job.attempts + 1, Job.error: ""}
    ).where(
        (Job.id == job_id)
        & ((Job.status.is_in(["queued", "failed"])) | ((Job.status == "running") & (Job.started_at < now - lease)))
    ).returning(Job.actor, Job.args)
    return claimed[0] if claimed else None


async def run_job(job_id: int) -> None:
    job = await claim(job_id)
    if job is None:
        if not await Job.exists().where(Job.id == job_id):
            raise LookupError(f"job {job_id} is not recorded (yet)")  # the broker retries with back-off
        return
    actor = job["actor"]
    args = job["args"] if isinstance(job["args"], dict) else _loads(job["args"])
    if actor in _job_id_args:
        args = {**args, _job_id_args[actor]: job_id}
    try:
        result = await _registry[actor](**args)
    except Exception as exc:
        await Job.update({Job.status: "failed", Job.error: f"{type(exc).__name__}: {exc}"[:2000],
                          Job.finished_at: _now()}).where(Job.id == job_id)
        raise
    await Job.update({Job.status: "done", Job.result: result, Job.progress: 1.0,
                      Job.finished_at: _now()}).where((Job.id == job_id) & (Job.status == "running"))


def _loads(value: Any) -> dict:
    import json

    return json.loads(value) if value else {}


async def set_progress(job_id: int, fraction: float) -> None:
    await Job.update({Job.progress: max(0.0, min(1.0, fraction))}).where(Job.id == job_id)


async def cancel(job_id: int) -> None:
    await Job.update({Job.status: "cancelled", Job.finished_at: _now()}).where(
        (Job.id == job_id) & Job.status.is_in(["queued", "running"])
    )


async def job_status(job_id: int) -> dict | None:
    return await Job.select().where(Job.id == job_id).first().output(load_json=True)


async def resend_unfinished(stale_after: timedelta = timedelta(0)) -> int:
    """Send again jobs left queued, or running past their lease (their worker died): nothing is lost."""
    cutoff = _now() - stale_after
    rows = await Job.select(Job.id, Job.actor).where(
        ((Job.status == "queued") & (Job.created_at <= cutoff))
        | ((Job.status == "running") & (Job.started_at <= _now() - max(stale_after, DEFAULT_LEASE)))
    )
    if stale_after == timedelta(0):  # a fresh start of the single embedded process: every running job is orphaned
        rows += await Job.select(Job.id, Job.actor).where(Job.status == "running")
        await Job.update({Job.status: "queued"}).where(Job.status == "running")
    for row in {row["id"]: row for row in rows}.values():
        if row["actor"] in _registry:
            send(row["actor"], row["id"])
    return len(rows)


def load_actors() -> None:
    for module in ACTOR_MODULES:
        importlib.import_module(module)


def start_embedded_worker(threads: int = 2) -> dramatiq.Worker | None:
    """With the in-process broker, run a worker thread here; with Redis the worker processes do it."""
    if not isinstance(broker, StubBroker):
        return None
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
    worker.start()
    return worker


load_actors()
