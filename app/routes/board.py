"""The dispatcher's board: the day's orders with filters beside the map, couriers and their routes, bulk
assign/unassign, reordering and moving stops, the exceptions panel, and a live poll that keeps it all current."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from app.accounts.roles import ADMIN, DISPATCHER
from app.config import get_settings
from app.db import writing
from app.dispatch.assign import assign_orders, move_stop, reorder_route, step_stop, unassign_orders
from app.dispatch.board import (
    WINDOWS,
    BoardFilter,
    board_orders,
    couriers_of_day,
    exceptions,
    map_data,
    route_stops,
    shown_orders,
    status_counts,
)
from app.dispatch.day import company_today
from app.errors import DomainError
from app.routes.forms import form_of, optional_int, safe_next, text
from app.security import actor_of, allow
from app.templating import fragment, page, page_or_fragment
from tables.counterparties import Counterparty
from tables.routes import Route

PAGE = 100
LIVE_SECONDS = 5
MAX_SHOWN = 2000  # rows the poll refreshes at most (twenty pages of "Show more")


def board_day(value: str) -> date:
    try:
        return date.fromisoformat(value) if value else company_today()
    except ValueError:
        return company_today()


def board_filter(status: str, courier: str, zone: str, window: str, client: str) -> BoardFilter:
    return BoardFilter(status=status, courier=courier, zone=zone.strip(), window=window if window in WINDOWS else "",
                       client_id=optional_int(client))


def parse_after(value: str) -> tuple | None:
    moment, _sep, order_id = value.partition("_")
    try:
        return datetime.fromisoformat(moment), int(order_id)
    except ValueError:
        return None


def shown_ids(value: str) -> list[int] | None:
    """"12,15,40" -> the ids of the rows on screen (at most MAX_SHOWN); None when the poll did not say."""
    if not value:
        return None
    return [int(part) for part in value.split(",") if part.isdigit()][:MAX_SHOWN]


def after_key(order: dict) -> str:
    return f"{order['deliver_from'].isoformat()}_{order['id']}"


async def board_context(day: date, filters: BoardFilter, selected_courier: int | None) -> dict:
    orders = await board_orders(day, filters, limit=PAGE + 1)
    couriers = await couriers_of_day(day)
    route, stops = await route_stops(day, selected_courier) if selected_courier else (None, [])
    clients = await Counterparty.select(Counterparty.id, Counterparty.name).where(
        Counterparty.is_client == True).order_by(Counterparty.name).limit(1000)  # noqa: E712
    return {"day": day, "filters": filters, "orders": orders[:PAGE],
            "next_after": after_key(orders[PAGE - 1]) if len(orders) > PAGE else None,
            "counts": await status_counts(day, filters), "couriers": couriers, "route": route, "stops": stops,
            "selected_courier": selected_courier, "exceptions": await exceptions(day), "clients": clients,
            "windows": WINDOWS, "tile_url": get_settings().tile_url, "live_seconds": LIVE_SECONDS}


class BoardController(Controller):
    path = "/board"
    opt = allow(DISPATCHER, ADMIN)
    include_in_schema = False

    @get("/")
    async def show_board(self, request: Request, day: str = "", status: str = "", courier: str = "",
                         zone: str = "", window: str = "", client: str = "", route: str = "",
                         done: str = "") -> Template:
        filters = board_filter(status, courier, zone, window, client)
        context = await board_context(board_day(day), filters, optional_int(route) or optional_int(courier))
        return page("board/board.html", done=done, error="", **context)

    @get("/orders")
    async def show_more_orders(self, request: Request, day: str = "", status: str = "", courier: str = "",
                               zone: str = "", window: str = "", client: str = "", after: str = "") -> Template:
        filters = board_filter(status, courier, zone, window, client)
        orders = await board_orders(board_day(day), filters, after=parse_after(after), limit=PAGE + 1)
        return page_or_fragment(request, "board/board_rows.html", "board/_order_rows.html", orders=orders[:PAGE],
                                next_after=after_key(orders[PAGE - 1]) if len(orders) > PAGE else None,
                                filters=filters, day=board_day(day))

    @get("/live")
    async def show_live(self, request: Request, day: str = "", status: str = "", courier: str = "", zone: str = "",
                        window: str = "", client: str = "", route: str = "", shown: str = "") -> Template:
        """The poll: counts, exceptions, couriers, the selected route and the statuses of the rows on screen
        (`shown`: their ids, which board.js sends; without it, the first page), each swapped in out of band."""
        the_day = board_day(day)
        filters = board_filter(status, courier, zone, window, client)
        selected = optional_int(route) or optional_int(courier)
        the_route, stops = await route_stops(the_day, selected) if selected else (None, [])
        on_screen = shown_ids(shown)
        return fragment("board/_live.html", day=the_day, filters=filters,
                        orders=await shown_orders(on_screen) if on_screen is not None else await board_orders(
                            the_day, filters, limit=PAGE),
                        counts=await status_counts(the_day, filters), exceptions=await exceptions(the_day),
                        couriers=await couriers_of_day(the_day), route=the_route, stops=stops,
                        selected_courier=selected)

    @get("/map.json")
    async def show_map(self, day: str = "", status: str = "", courier: str = "", zone: str = "", window: str = "",
                       client: str = "") -> dict:
        return await map_data(board_day(day), board_filter(status, courier, zone, window, client))

    @get("/routes/{courier_id:int}")
    async def show_route(self, request: Request, courier_id: int, day: str = "") -> Template:
        the_day = board_day(day)
        route, stops = await route_stops(the_day, courier_id)
        return fragment("board/_route.html", day=the_day, route=route, stops=stops, selected_courier=courier_id,
                        couriers=await couriers_of_day(the_day))

    @post("/assign")
    async def assign(self, request: Request) -> Template | Redirect:
        form = await form_of(request)
        order_ids = [int(value) for value in form.getall("order", []) if str(value).isdigit()]
        courier_id = optional_int(text(form, "courier"))
        day = board_day(text(form, "day"))
        if text(form, "action") == "unassign":
            return await self._act(request, form, lambda actor: unassign_orders(actor, order_ids))
        return await self._act(request, form, lambda actor: assign_orders(actor, order_ids, courier_id or 0, day))

    @post("/routes/{route_id:int}/order")
    async def reorder(self, request: Request, route_id: int) -> Template | Redirect:
        form = await form_of(request)
        stop_ids = [int(value) for value in form.getall("stop", []) if str(value).isdigit()]
        return await self._act(request, form, lambda actor: reorder_route(actor, route_id, stop_ids),
                               route_id=route_id)

    @post("/stops/{stop_id:int}/step")
    async def step(self, request: Request, stop_id: int) -> Template | Redirect:
        form = await form_of(request)
        delta = -1 if text(form, "direction") == "up" else 1
        return await self._act(request, form, lambda actor: step_stop(actor, stop_id, delta))

    @post("/move")
    async def move(self, request: Request) -> Template | Redirect:
        form = await form_of(request)
        stop_id = optional_int(text(form, "stop")) or 0
        courier_id = optional_int(text(form, "courier")) or 0
        position = optional_int(text(form, "position"))
        return await self._act(request, form, lambda actor: move_stop(actor, stop_id, courier_id, position))

    async def _act(self, request: Request, form, action, route_id: int | None = None) -> Template | Redirect:
        """Run a board action in one transaction; back to the board (or the route panel for HTMX) after."""
        back = safe_next(text(form, "next"), "/board")
        try:
            async with writing():
                result = await action(actor_of(request))
        except DomainError as exc:
            if exc.status_code == 404 and not text(form, "next"):
                raise
            message = exc.message if not getattr(exc, "errors", None) else " ".join(exc.errors.values())
            if request.headers.get("hx-request") == "true":
                return fragment("board/_error.html", status_code=exc.status_code, error=message)
            shown = parse_qs(urlsplit(back).query)  # the board as the dispatcher had it, filters and all
            value = lambda name: shown.get(name, [""])[0]  # noqa: E731
            filters = board_filter(value("status"), value("courier"), value("zone"), value("window"),
                                   value("client"))
            context = await board_context(board_day(text(form, "day")), filters, optional_int(value("route")))
            return page("board/board.html", status_code=exc.status_code, done="", error=message, **context)
        if request.headers.get("hx-request") == "true" and route_id is not None:
            route = await Route.select(Route.courier, Route.day).where(Route.id == route_id).first()
            the_route, stops = await route_stops(route["day"], route["courier"])
            return fragment("board/_route.html", day=route["day"], route=the_route, stops=stops,
                            selected_courier=route["courier"], couriers=await couriers_of_day(route["day"]))
        separator = "&" if "?" in back else "?"
        return Redirect(path=f"{back}{separator}done={result if isinstance(result, int) else 1}")


HANDLERS = [BoardController]
