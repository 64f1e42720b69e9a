"""Reports: the courier report and the carrier report for a chosen period, as pages and as CSV files."""

from __future__ import annotations

from typing import Awaitable, Callable

from litestar import Controller, Response, get
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Template

from app.accounts.roles import ACCOUNTANT, ADMIN, DISPATCHER, MANAGER
from app.errors import InvalidInput
from app.i18n import current_time_zone
from app.i18n import gettext as _
from app.reports.couriers import Line, Period, carrier_report, courier_report, period_of
from app.reports.export import report_csv
from app.security import allow
from app.templating import page

CSV = "text/csv; charset=utf-8"
REPORTS: dict[str, Callable[[Period], Awaitable[list[Line]]]] = {"couriers": courier_report,
                                                                  "carriers": carrier_report}


def _name_header(kind: str) -> str:
    return _("Courier") if kind == "couriers" else _("Carrier")


async def _page(kind: str, first: str, last: str) -> Template:
    try:
        period = period_of(first, last, current_time_zone())
    except InvalidInput as exc:
        return page(f"reports/{kind}.html", status_code=422, lines=[], period=None, errors=exc.errors,
                    values={"first": first, "last": last}, kind=kind)
    return page(f"reports/{kind}.html", lines=await REPORTS[kind](period), period=period, errors={},
                values={"first": period.first.isoformat(), "last": period.last.isoformat()}, kind=kind)


async def _csv(kind: str, first: str, last: str) -> Response | Template:
    try:
        period = period_of(first, last, current_time_zone())
    except InvalidInput:
        return await _page(kind, first, last)
    content = report_csv(await REPORTS[kind](period), period, _name_header(kind))
    name = f"{kind}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return Response(content=content, media_type=CSV, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def supervisors_only(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    """Of the managers, only those who lead a team read how the couriers did."""
    user = connection.scope.get("user")
    if user is not None and user.role == MANAGER and not user.supervises:
        raise PermissionDeniedException()


class ReportsController(Controller):
    path = "/reports"
    opt = allow(DISPATCHER, ADMIN, ACCOUNTANT, MANAGER)
    guards = [supervisors_only]
    include_in_schema = False

    @get("/")
    async def show_courier_report(self, first: str = "", last: str = "") -> Template:
        return await _page("couriers", first, last)

    @get("/carriers")
    async def show_carrier_report(self, first: str = "", last: str = "") -> Template:
        return await _page("carriers", first, last)

    @get("/couriers.csv")
    async def export_courier_report(self, first: str = "", last: str = "") -> Response | Template:
        return await _csv("couriers", first, last)

    @get("/carriers.csv")
    async def export_carrier_report(self, first: str = "", last: str = "") -> Response | Template:
        return await _csv("carriers", first, last)


HANDLERS = [ReportsController]
