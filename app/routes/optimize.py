"""Optimizing a depot's day from the board: choose the day, depot and time limit, watch the progress, read the
proposal (before/after figures, late stops, orders left out and why, routes on the map), then accept, discard
or cancel. `/api/v1/optimizations` does the same for integrations. The work is in app/planning/."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.response import Redirect, Template

from app.accounts.roles import ADMIN, DISPATCHER
from app.config import get_settings
from app.dispatch.day import company_today
from app.errors import DomainError, InvalidInput
from app.i18n import gettext as _
from app.planning.jobs import (
    TIME_LIMITS,
    accept_optimization,
    cancel_optimization,
    discard_optimization,
    optimization,
    start_optimization,
)
from app.planning.proposal import with_reasons
from app.planning.settings import PlanningSettings, change_settings, planning_settings
from app.routes.forms import form_of, optional_int, text
from app.security import actor_of, allow
from app.templating import fragment, page
from tables.fleet import Depot

DEFAULT_SECONDS = 10


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value) if value else company_today()
    except ValueError:
        raise InvalidInput({"day": _("Enter a date.")}) from None


async def depots() -> list[dict]:
    return await Depot.select(Depot.id, Depot.name).order_by(Depot.name)


def job_context(job: dict) -> dict:
    """What the pages show: the job, its proposal with ETAs as times, and the routes for the map (as JSON)."""
    proposal = job["proposal"] = with_reasons(job["proposal"])
    map_routes = []
    if proposal:
        for route in proposal["routes"]:
            for stop in route["stops"]:
                stop["eta_at"] = datetime.fromisoformat(stop["eta"])
            map_routes.append({"courier": route["courier"], "polyline": route["polyline"],
                               "stops": [{"lat": s["lat"], "lon": s["lon"], "ref": s["reference"], "late": s["late"]}
                                         for s in route["stops"]]})
    return {"job": job, "proposal": proposal, "tile_url": get_settings().tile_url, "map_routes": map_routes,
            "currency": (proposal or {}).get("currency", get_settings().default_currency)}


def _settings_form(chosen: PlanningSettings) -> dict:
    """The form's values as typed: the delay cost in major units."""
    return {"delay_cost_per_hour": f"{chosen.delay_cost_per_hour / 100:.2f}",
            "default_priority": str(chosen.default_priority)}


def settings_page(values: dict, errors: dict, saved: bool = False, status_code: int = 200) -> Template:
    return page("optimize/settings.html", status_code=status_code, values=values, errors=errors, saved=saved,
                currency=get_settings().default_currency)


class OptimizeController(Controller):
    path = "/optimize"
    opt = allow(DISPATCHER, ADMIN)
    include_in_schema = False

    @get("/")
    async def show_form(self, day: str = "", depot: str = "") -> Template:
        all_depots = await depots()
        chosen = optional_int(depot) or (all_depots[0]["id"] if all_depots else None)
        try:
            the_day = parse_day(day)
        except InvalidInput:
            the_day = company_today()
        return page("optimize/start.html", day=the_day, depots=all_depots, depot=chosen, limits=TIME_LIMITS,
                    seconds=DEFAULT_SECONDS, errors={})

    @post("/")
    async def start(self, request: Request) -> Template | Redirect:
        form = await form_of(request)
        try:
            job_id = await start_optimization(actor_of(request), parse_day(text(form, "day")),
                                              optional_int(text(form, "depot")) or 0, text(form, "seconds"))
        except InvalidInput as exc:
            return page("optimize/start.html", status_code=422, day=company_today(), depots=await depots(),
                        depot=optional_int(text(form, "depot")), limits=TIME_LIMITS,
                        seconds=optional_int(text(form, "seconds")) or DEFAULT_SECONDS, errors=exc.errors)
        return Redirect(path=f"/optimize/{job_id}", status_code=303)

    @get("/settings")
    async def show_settings(self, saved: str = "") -> Template:
        chosen = await planning_settings()
        return settings_page(_settings_form(chosen), {}, saved=saved == "1")

    @post("/settings")
    async def save_settings(self, request: Request) -> Template | Redirect:
        form = await form_of(request)
        values = {name: text(form, name) for name in ("delay_cost_per_hour", "default_priority")}
        try:
            await change_settings(actor_of(request), values)
        except InvalidInput as exc:
            return settings_page(values, exc.errors, status_code=422)
        return Redirect(path="/optimize/settings?saved=1", status_code=303)

    @get("/{job_id:int}")
    async def show(self, job_id: int) -> Template:
        return page("optimize/show.html", **job_context(await optimization(job_id)))

    @get("/{job_id:int}/progress")
    async def show_progress(self, job_id: int) -> Template:
        """The poll: the progress bar while the job runs, the proposal once it is done."""
        job = await optimization(job_id)
        name = "optimize/_proposal.html" if job["status"] == "done" else "optimize/_progress.html"
        return fragment(name, **job_context(job))

    @post("/{job_id:int}/accept")
    async def accept(self, request: Request, job_id: int) -> Template | Redirect:
        return await self._decide(request, job_id, accept_optimization, "accepted")

    @post("/{job_id:int}/discard")
    async def discard(self, request: Request, job_id: int) -> Template | Redirect:
        return await self._decide(request, job_id, discard_optimization, "discarded")

    @post("/{job_id:int}/cancel")
    async def cancel(self, request: Request, job_id: int) -> Template | Redirect:
        return await self._decide(request, job_id, cancel_optimization, "cancelled")

    async def _decide(self, request: Request, job_id: int, action, done: str) -> Template | Redirect:
        try:
            await action(actor_of(request), job_id)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            job = await optimization(job_id)
            return page("optimize/show.html", status_code=exc.status_code, error=exc.message, **job_context(job))
        job = await optimization(job_id)
        if done == "cancelled":
            return Redirect(path=f"/optimize/{job_id}", status_code=303)
        return Redirect(path=f"/board?day={job['day']}&done=1", status_code=303)


# --- the API ----------------------------------------------------------------------------------------------


class OptimizationIn(msgspec.Struct):
    day: date
    depot: int
    seconds: int = DEFAULT_SECONDS


class OptimizationStarted(msgspec.Struct):
    id: int
    status: str


class OptimizationOut(msgspec.Struct):
    id: int
    status: str  # queued | running | done | failed | cancelled
    progress: float
    day: str | None
    depot: int | None
    seconds: int | None
    error: str = ""
    proposal: dict | None = None  # before/after, routes with stops and ETAs, unplanned orders with reasons


class Decided(msgspec.Struct):
    id: int
    status: str
    decision: str


class OptimizerSettings(msgspec.Struct):
    delay_cost_per_hour: int  # minor units: an hour of waiting for a time-first client
    default_priority: int  # 0 = cheapest .. 100 = fastest, for clients who chose none


class ApiOptimizationsController(Controller):
    path = "/api/v1/optimizations"
    tags = ["optimizations"]
    opt = allow(DISPATCHER, ADMIN)

    @post("/", status_code=202, summary="Optimize a depot's day within `seconds`; poll the job for the proposal")
    async def start(self, request: Request, data: OptimizationIn) -> OptimizationStarted:
        job_id = await start_optimization(actor_of(request), data.day, data.depot, data.seconds)
        return OptimizationStarted(id=job_id, status="queued")

    @get("/settings", summary="The company's optimizer settings")
    async def read_settings(self) -> OptimizerSettings:
        return OptimizerSettings(**asdict(await planning_settings()))

    @put("/settings", summary="Change the optimizer settings (the delay cost in minor units per hour)")
    async def write_settings(self, request: Request, data: OptimizerSettings) -> OptimizerSettings:
        return OptimizerSettings(**asdict(await change_settings(actor_of(request), msgspec.structs.asdict(data))))

    @get("/{job_id:int}", summary="The optimization's status, progress (0..1) and, once done, its proposal")
    async def read(self, job_id: int) -> OptimizationOut:
        job = await optimization(job_id)
        return OptimizationOut(**{**job, "proposal": with_reasons(job["proposal"])})

    @post("/{job_id:int}/accept", status_code=200, summary="Write the proposed routes (all or none)")
    async def accept(self, request: Request, job_id: int) -> Decided:
        await accept_optimization(actor_of(request), job_id)
        return Decided(id=job_id, status="done", decision="accepted")

    @post("/{job_id:int}/discard", status_code=200, summary="Drop the proposal; nothing is written")
    async def discard(self, request: Request, job_id: int) -> Decided:
        await discard_optimization(actor_of(request), job_id)
        return Decided(id=job_id, status="done", decision="discarded")

    @post("/{job_id:int}/cancel", status_code=200, summary="Stop a queued or running optimization")
    async def cancel(self, request: Request, job_id: int) -> Decided:
        await cancel_optimization(actor_of(request), job_id)
        return Decided(id=job_id, status="cancelled", decision="")


HANDLERS = [OptimizeController, ApiOptimizationsController]
