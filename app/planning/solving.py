"""The solve in a child process: an OR-Tools solve holds the GIL for its whole length, so it must not run in
the worker's own process. Spawned (not forked: the parent has threads and a database pool), it imports only
the optimizer. Progress and the plan come back over a queue; the parent polls it and may terminate the child.
"""

from __future__ import annotations

import multiprocessing
import queue as queues
import time
from collections.abc import Awaitable, Callable

from app.optimizer import Plan, Problem, solve

CONTEXT = multiprocessing.get_context("spawn")
PROGRESS_EVERY = 0.25  # seconds between progress messages


def child(problem: Problem, seconds: float, answers) -> None:
    """Runs in the child: solve, sending ("progress", fraction) now and then and ("plan", plan) at the end."""
    last = [0.0]

    def progress(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            answers.put(("progress", fraction))

    try:
        answers.put(("plan", solve(problem, seconds, progress=progress)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the job
        answers.put(("error", f"{type(exc).__name__}: {exc}"))


class Cancelled(Exception):
    """The dispatcher cancelled the run; the child was terminated."""


async def solve_in_child(problem: Problem, seconds: float, progress: Callable[[float], Awaitable[None]],
                         cancelled: Callable[[], Awaitable[bool]], poll: float = 0.2,
                         grace: float = 30.0) -> Plan:
    """Solve `problem` in a spawned child process; report progress, poll for a cancel (then terminate it)."""
    import asyncio

    answers = CONTEXT.Queue()
    process = CONTEXT.Process(target=child, args=(problem, seconds, answers), daemon=True, name="waybill-solve")
    process.start()
    deadline = time.monotonic() + seconds + grace
    try:
        while True:
            try:
                kind, value = answers.get_nowait()
            except queues.Empty:
                kind, value = None, None
            if kind == "plan":
                return value
            if kind == "error":
                raise RuntimeError(value)
            if kind == "progress":
                await progress(value)
                continue
            if await cancelled():
                raise Cancelled()
            if not process.is_alive():
                try:  # its last message may still be in the pipe
                    kind, value = answers.get(timeout=1.0)
                except queues.Empty:
                    raise RuntimeError(f"the solver process stopped (exit code {process.exitcode})") from None
                if kind == "plan":
                    return value
                if kind == "error":
                    raise RuntimeError(value)
                continue
            if time.monotonic() > deadline:
                raise RuntimeError("the solver did not answer in time")
            await asyncio.sleep(poll)
    finally:
        if process.is_alive():
            process.terminate()
            process.join(5)
            if process.is_alive():
                process.kill()
        process.join(1)
        answers.close()
