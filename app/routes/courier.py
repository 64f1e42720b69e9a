"""The courier's phone app (an installable PWA that works offline): the day's route with its map, each stop,
the end-of-shift summary and the sync problems. Every action is written to the phone's outbox first
(web/static/js/courier/) and reaches the server through /api/v1/sync; these pages only show the day."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from app.accounts.roles import COURIER
from app.dispatch.day import company_today, courier_route
from app.errors import NotFound
from app.i18n import gettext as _
from app.orders.status import STATUS_NAMES
from app.routes.forms import current_user
from app.security import allow
from app.sync.board import sync_problems
from app.sync.reasons import FAIL_REASONS, MUTATION_NAMES
from app.sync.shift import cash_summary, courier_stop
from app.templating import page


def courier_page(name: str, **context) -> Template:
    """A page of the phone app; the status names go to its script (it shows the phone's own view)."""
    return page(name, status_names={code: str(label) for code, label in STATUS_NAMES.items()}, **context)


def fail_reasons() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in FAIL_REASONS.items()]


class CourierController(Controller):
    path = "/courier"
    opt = allow(COURIER)
    include_in_schema = False

    @get("/")
    async def show_today(self, request: Request) -> Template:
        today = company_today()
        route, stops = await courier_route(current_user(request).id, today)
        return courier_page("courier/route.html", day=today, route=route, stops=stops)

    @get("/stops/{stop_id:int}")
    async def show_stop(self, request: Request, stop_id: int) -> Template:
        stop = await courier_stop(current_user(request).id, stop_id)
        if stop is None:
            raise NotFound(_("This stop is not on your route."))
        return courier_page("courier/stop.html", stop=stop, fail_reasons=fail_reasons())

    @get("/shift")
    async def show_shift(self, request: Request) -> Template:
        today = company_today()
        return courier_page("courier/shift.html", day=today, cash=await cash_summary(current_user(request).id, today),
                            mutation_names={name: str(label) for name, label in MUTATION_NAMES.items()})

    @get("/problems")
    async def list_problems(self, request: Request, before: int | None = None) -> Template:
        problems = await sync_problems(courier_id=current_user(request).id, before_id=before, limit=50,
                                       open_only=False)
        return courier_page("courier/problems.html", problems=problems,
                    next_before=problems[-1]["id"] if len(problems) == 50 else None)


HANDLERS = [CourierController]
