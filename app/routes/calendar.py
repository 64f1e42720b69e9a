"""The managers' calendar: day, week and month views, drag to reschedule, the overdue list, the iCal feed."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from app.accounts.roles import ADMIN, MANAGER
from app.crm import activities as acts
from app.crm.calendar_feed import feed_ics, feed_owner, has_feed, new_feed_token
from app.crm.calendar_view import VIEWS, grid, step
from app.crm.visibility import viewer_of
from app.dispatch.day import company_today
from app.errors import InvalidInput, NotFound
from app.i18n import current_time_zone
from app.i18n import gettext as _
from app.routes.crm import parse_local
from app.routes.forms import current_user, form_of, optional_int, text
from app.security import PUBLIC, actor_of, allow
from app.templating import page, page_or_fragment
from tables.accounts import User


class CalendarController(Controller):
    path = "/calendar"
    opt = allow(MANAGER, ADMIN)
    include_in_schema = False

    @get("/")
    async def show_calendar(self, request: Request, view: str = "week", day: str = "", user: str = "") -> Template:
        who = await viewer_of(current_user(request))
        view = view if view in VIEWS else "week"
        try:
            shown = date.fromisoformat(day) if day else company_today()
        except ValueError:
            shown = company_today()
        performer = acts.whose_calendar(who, optional_int(user))
        days = await grid(performer, view, shown, current_time_zone())
        team = []
        if who.is_supervisor:
            query = User.select(User.id, User.full_name).where(User.role.is_in([MANAGER, ADMIN])).order_by(
                User.full_name)
            team = await (query if who.sees_all else query.where(User.id.is_in(list(who.team))))
        context = dict(view=view, day=shown, days=days, performer=performer, team=team,
                       previous=step(view, shown, False), following=step(view, shown, True),
                       overdue=await acts.overdue(performer), kinds=acts.KINDS, states=acts.STATES)
        return page_or_fragment(request, "calendar/calendar.html", "calendar/_grid.html", **context)

    @post("/activities/{activity_id:int}/move")
    async def move_activity(self, request: Request, activity_id: int) -> Response:
        form = await form_of(request)
        new_start = parse_local(text(form, "starts_at"))
        if new_start is None:
            raise InvalidInput({"starts_at": _("Enter when it takes place.")})
        who = await viewer_of(current_user(request))
        await acts.reschedule(actor_of(request), who, activity_id, new_start, _("moved on the calendar"))
        return Response(content=b"", status_code=204)

    @get("/feed")
    async def show_feed(self, request: Request) -> Template:
        return page("calendar/feed.html", url=None, has_feed=await has_feed(current_user(request).id))

    @post("/feed")
    async def make_feed(self, request: Request) -> Template:
        token = await new_feed_token(current_user(request).id)
        url = str(request.base_url).rstrip("/") + f"/calendar/ical/{token}"
        return page("calendar/feed.html", url=url, has_feed=True)


class CalendarFeedController(Controller):
    """The feed URL is its own credential: phones fetch it without a session."""

    path = "/calendar/ical"
    opt = allow(PUBLIC)
    include_in_schema = False

    @get("/{token:str}")
    async def ical_feed(self, request: Request, token: str) -> Response:
        user_id = await feed_owner(token)
        if user_id is None:
            raise NotFound(_("No such calendar."))
        body = await feed_ics(user_id, request.url.hostname or "waybill")
        return Response(content=body, media_type="text/calendar; charset=utf-8",
                        headers={"Cache-Control": "private, max-age=300", "Referrer-Policy": "no-referrer"})


HANDLERS = [CalendarController, CalendarFeedController]
