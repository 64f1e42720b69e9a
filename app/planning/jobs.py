"""The "optimize" job: build the depot's day, solve it in a child process within the dispatcher's time limit,
report progress into the job row, stop when the row is cancelled, and keep the proposal as the job's result.

`start_optimization` records the job (the worker hands the actor its job id, so it can report on it);
`optimization` reads it back; accept / discard / cancel act on it.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from app import jobs
from app.audit import Actor, log
from app.db import writing
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import gettext as _
from app.i18n import ngettext
from app.planning.accept import accept_proposal
from app.planning.problem import build_problem
from app.planning.proposal import make_proposal
from app.planning.solving import Cancelled, solve_in_child
from tables.fleet import Depot
from tables.jobs import Job

ACTOR = "optimize_day"
QUEUE = "optimize"
TIME_LIMITS = (3, 10, 30, 60, 120)
"""Seconds a dispatcher may give the solver."""
MAX_SECONDS = 300


def checked_seconds(value) -> int:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise InvalidInput({"seconds": _("Choose a time limit.")}) from None
    if not 1 <= seconds <= MAX_SECONDS:
        raise InvalidInput({"seconds": ngettext("The time limit is between 1 and %(num)s second.",
                                                "The time limit is between 1 and %(num)s seconds.", MAX_SECONDS)})
    return seconds


async def start_optimization(actor: Actor, day: date, depot_id: int, seconds: int) -> int:
    """Record an optimize job for the day and depot and send it to the workers; returns the job id."""
    seconds = checked_seconds(seconds)
    if not await Depot.exists().where(Depot.id == depot_id):
        raise InvalidInput({"depot": _("Choose a depot.")})
    async with writing():
        args = {"day": day.isoformat(), "depot": depot_id, "seconds": seconds, "user": actor.user_id}
        job_id = await jobs.enqueue(ACTOR, queue=QUEUE, **args)
        await log(actor, "create", Job, job_id, {"args": [None, args]},
                  summary=f"optimize {day} for depot {depot_id}, {seconds} s")
    return job_id


@jobs.job_actor(queue_name=QUEUE, max_retries=0, job_id_arg="job")
async def optimize_day(day: str, depot: int, seconds: int, job: int, user: int | None = None) -> dict | None:
    the_day = date.fromisoformat(day)
    problem = await build_problem(the_day, depot, now=datetime.now(timezone.utc))
    await jobs.set_progress(job, 0.02)

    async def progress(fraction: float) -> None:
        await jobs.set_progress(job, 0.05 + 0.9 * fraction)

    async def cancelled() -> bool:
        row = await Job.select(Job.status).where(Job.id == job).first()
        return row is None or row["status"] == "cancelled"

    try:
        plan = await solve_in_child(problem.problem, seconds, progress, cancelled)
    except Cancelled:
        return None
    return make_proposal(problem, plan, seconds)


async def optimization(job_id: int) -> dict:
    """The job as the dispatcher sees it: status, progress (0..1), error, proposal (when done)."""
    row = await Job.select().where((Job.id == job_id) & (Job.actor == ACTOR)).first().output(load_json=True)
    if row is None:
        raise NotFound(_("This optimization does not exist."))
    args = row["args"] if isinstance(row["args"], dict) else {}
    return {"id": row["id"], "status": row["status"], "progress": row["progress"], "error": row["error"],
            "day": args.get("day"), "depot": args.get("depot"), "seconds": args.get("seconds"),
            "proposal": row["result"] if row["status"] == "done" else None}


async def _proposal_to_decide(job_id: int) -> tuple[dict, dict]:
    job = await optimization(job_id)
    proposal = job["proposal"]
    if job["status"] != "done" or not proposal:
        raise Conflict(_("This optimization has no proposal (yet)."))
    if proposal.get("decision") == "accepted":
        raise Conflict(_("This proposal was already accepted."))
    if proposal.get("decision"):
        raise Conflict(_("This proposal was already discarded."))
    return job, proposal


async def accept_optimization(actor: Actor, job_id: int) -> list[int]:
    """Write the proposal's routes (one transaction, audited); the job remembers it was accepted."""
    async with writing():
        _job, proposal = await _proposal_to_decide(job_id)
        routes = await accept_proposal(actor, proposal)
        await Job.update({Job.result: {**proposal, "decision": "accepted"}}).where(Job.id == job_id)
    return routes


async def discard_optimization(actor: Actor, job_id: int) -> None:
    async with writing():
        _job, proposal = await _proposal_to_decide(job_id)
        await Job.update({Job.result: {**proposal, "decision": "discarded"}}).where(Job.id == job_id)
        await log(actor, "update", Job, job_id, {"decision": ["", "discarded"]}, summary="proposal discarded")


async def cancel_optimization(actor: Actor, job_id: int) -> None:
    """Stop a queued or running optimization (the worker terminates the solve within a fraction of a second)."""
    job = await optimization(job_id)
    if job["status"] not in ("queued", "running"):
        raise Conflict(_("This optimization has already finished."))
    async with writing():
        await jobs.cancel(job_id)
        await log(actor, "update", Job, job_id, {"status": [job["status"], "cancelled"]},
                  summary="optimization cancelled")
