"""The public tracking page a client opens from the link in a message: /t/{token}.

No login: the token is the key. Every request counts against a per-address limit kept in the database; a wrong,
revoked or expired token gets the same friendly page, which says nothing about why.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template

from app.audit import Actor
from app.config import get_settings
from app.errors import Conflict, InvalidInput, NotFound, Throttled
from app.i18n import LANGUAGES, current_locale, set_locale
from app.i18n import gettext as _
from app.notifications.subscriptions import subscribe_for_order
from app.notifications.vapid import public_key
from app.routes.forms import form_of, optional_int, text
from app.security import LANGUAGE_COOKIE, PUBLIC, allow, client_ip
from app.templating import page_or_fragment
from app.tracking.links import order_for_token
from app.tracking.page import leave_instructions, proof_photo, rate_delivery, tracking_view
from app.tracking.throttle import allow_request


class TrackingUnavailable(Exception):
    """Raised inside a handler to answer with the friendly "no such link" or "slow down" page."""

    def __init__(self, status: int) -> None:
        self.status = status


def client_actor(request: Request) -> Actor:
    return Actor(user_id=None, ip=client_ip(request), role="client")


async def _order_for(request: Request, token: str) -> dict:
    if not await allow_request(f"track:{client_ip(request)}", get_settings().tracking_requests_per_minute):
        raise TrackingUnavailable(429)
    order = await order_for_token(token)
    if order is None:
        raise TrackingUnavailable(404)
    return order


def _speak_to_client(request: Request, view) -> None:
    """The client's language unless this browser chose one; always the client's time zone."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    locale = chosen if chosen in LANGUAGES else (view.client_locale if view.client_locale in LANGUAGES
                                                 else current_locale())
    set_locale(locale, view.client_time_zone)


def _unavailable(request: Request, exc: TrackingUnavailable) -> Response:
    headers = {"Retry-After": "60"} if exc.status == 429 else {}
    return Template(template_name="tracking/unavailable.html", status_code=exc.status,
                    context={"status": exc.status}, headers={**headers, "Cache-Control": "no-store"})


async def _page(request: Request, token: str, status_code: int = 200, errors: dict | None = None,
                values: dict | None = None, notice: str = "") -> Template:
    order = await _order_for(request, token)
    view = await tracking_view(order["id"])
    _speak_to_client(request, view)
    context = {"view": view, "token": token, "errors": errors or {}, "values": values or {}, "notice": notice,
               "tile_url": get_settings().tile_url, "vapid_public_key": await public_key()}
    response = page_or_fragment(request, "tracking/track.html", "tracking/_progress.html", **context)
    response.status_code = status_code
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


class TrackingController(Controller):
    path = "/t"
    opt = allow(PUBLIC)
    include_in_schema = False
    exception_handlers = {TrackingUnavailable: _unavailable}

    @get("/{token:str}")
    async def show_tracking(self, request: Request, token: str, saved: str = "") -> Template:
        return await _page(request, token, notice=saved)

    @post("/{token:str}/instructions")
    async def save_instructions(self, request: Request, token: str) -> Template | Redirect:
        order = await _order_for(request, token)
        form = await form_of(request)
        try:
            await leave_instructions(client_actor(request), order["id"], text(form, "instructions"))
        except InvalidInput as exc:
            return await _page(request, token, 422, exc.errors, {"instructions": text(form, "instructions")})
        except Conflict as exc:
            return await _page(request, token, 409, {"instructions": exc.message})
        return Redirect(path=f"/t/{token}?saved=instructions")

    @post("/{token:str}/rating")
    async def save_rating(self, request: Request, token: str) -> Template | Redirect:
        order = await _order_for(request, token)
        form = await form_of(request)
        try:
            await rate_delivery(client_actor(request), order["id"], optional_int(form.get("stars")),
                                text(form, "comment"))
        except InvalidInput as exc:
            return await _page(request, token, 422, exc.errors, {"comment": text(form, "comment")})
        except Conflict as exc:
            return await _page(request, token, 409, {"stars": exc.message})
        return Redirect(path=f"/t/{token}?saved=rating")

    @get("/{token:str}/proof-photo")
    async def show_proof_photo(self, request: Request, token: str) -> Response:
        order = await _order_for(request, token)
        photo = await proof_photo(order["id"]) if order["status"] == "delivered" else None
        if photo is None:
            raise TrackingUnavailable(404)
        data, content_type = photo
        return Response(content=data, media_type=content_type, headers={"Cache-Control": "private, max-age=3600"})

    @post("/{token:str}/push", status_code=201)
    async def subscribe_push(self, request: Request, token: str) -> Response:
        """The tracking page's "Notify me": this browser's push subscription, for this order only."""
        order = await _order_for(request, token)
        try:
            data = await request.json()
        except Exception:  # noqa: BLE001 - not JSON: the same answer as a wrong subscription
            data = {}
        keys = data.get("keys") if isinstance(data, dict) and isinstance(data.get("keys"), dict) else {}
        await subscribe_for_order(client_actor(request), order["id"], str(data.get("endpoint", "")) if keys else "",
                                  str(keys.get("p256dh", "")), str(keys.get("auth", "")), current_locale())
        return Response(content={"ok": True}, status_code=201)


class TrackedEvent(msgspec.Struct):
    status: str
    at: datetime


class TrackedDelivery(msgspec.Struct):
    """What the tracking page shows, for apps: this order only, no notes, the courier only while on the way."""

    reference: str
    status: str
    deliver_from: datetime | None
    deliver_to: datetime | None
    eta: datetime | None
    stops_before: int | None
    courier_lat: float | None
    courier_lon: float | None
    delivered_at: datetime | None
    received_by: str
    timeline: list[TrackedEvent]


@get("/api/v1/track/{token:str}", opt=allow(PUBLIC), tags=["tracking"])
async def track_delivery(request: Request, token: str) -> TrackedDelivery:
    """The delivery a tracking token opens (rate-limited like the page; 404 for any wrong or expired token)."""
    try:
        order = await _order_for(request, token)
    except TrackingUnavailable as exc:
        raise (Throttled(_("Too many requests.")) if exc.status == 429 else NotFound()) from exc
    view = await tracking_view(order["id"])
    progress = view.progress
    return TrackedDelivery(
        reference=view.reference, status=view.status, deliver_from=view.deliver_from, deliver_to=view.deliver_to,
        eta=progress.eta, stops_before=progress.stops_before, courier_lat=progress.courier_lat,
        courier_lon=progress.courier_lon, delivered_at=view.proof["at"] if view.proof else None,
        received_by=view.proof["recipient_name"] if view.proof else "",
        timeline=[TrackedEvent(status=event["status"], at=event["at"]) for event in view.timeline])


HANDLERS = [TrackingController, track_delivery]
