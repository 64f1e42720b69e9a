"""Notifications: the admin's message templates (with a live preview) and trigger switches, staff devices for
Web Push, a dispatcher's revocation of a tracking link, and the SMS gateway's delivery reports."""

from __future__ import annotations

import hmac

from litestar import Controller, Request, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.response import Redirect, Response, Template

from app.accounts.roles import ADMIN, DISPATCHER
from app.errors import InvalidInput, NotFound
from app.i18n import LANGUAGES, current_locale
from app.notifications import sms as sms_channel
from app.notifications.outbox import record_delivery_report
from app.notifications.subscriptions import staff_devices, subscribe_staff, unsubscribe_staff
from app.notifications.switches import set_switch, switches_for
from app.notifications.triggers import CHANNEL_NAMES, CHANNELS, CLIENT_TRIGGERS, STAFF_TRIGGERS, TRIGGER_NAMES
from app.notifications.vapid import public_key
from app.notifications.wording import (
    PLACEHOLDERS, check_template, customised, preview, reset_template, save_template, wording_for,
)
from app.routes.forms import current_user, form_of, optional_int, text
from app.security import PUBLIC, SIGNED_IN, actor_of, allow
from app.config import get_settings
from app.templating import fragment, page
from app.tracking.links import revoke
from tables.counterparties import Counterparty

ALL_TRIGGERS = CLIENT_TRIGGERS + STAFF_TRIGGERS


def _check_key(trigger: str, channel: str, locale: str) -> None:
    if trigger not in ALL_TRIGGERS or channel not in CHANNELS or locale not in LANGUAGES:
        raise NotFound()


async def _editor(trigger: str, channel: str, locale: str, subject: str, body: str, errors: dict | None = None,
                  status_code: int = 200, saved: bool = False) -> Template:
    return page("notifications/template_form.html", status_code=status_code, trigger=trigger, channel=channel,
                locale=locale, subject=subject, body=body, errors=errors or {}, saved=saved,
                shown=preview(subject, body, channel), placeholders=PLACEHOLDERS, trigger_names=TRIGGER_NAMES,
                channel_names=CHANNEL_NAMES)


class NotificationSettingsController(Controller):
    """Only an administrator words the messages and decides when they go."""

    path = "/notifications"
    opt = allow(ADMIN)
    include_in_schema = False

    @get("/templates")
    async def show_templates(self) -> Template:
        return page("notifications/templates.html", triggers=ALL_TRIGGERS, channels=CHANNELS, languages=LANGUAGES,
                    customised=await customised(), trigger_names=TRIGGER_NAMES, channel_names=CHANNEL_NAMES)

    @get("/templates/{trigger:str}/{channel:str}/{locale:str}")
    async def edit_template(self, trigger: str, channel: str, locale: str) -> Template:
        _check_key(trigger, channel, locale)
        wording = await wording_for(trigger, channel, locale)
        return await _editor(trigger, channel, locale, wording.subject, wording.body)

    @post("/templates/{trigger:str}/{channel:str}/{locale:str}")
    async def save_template(self, request: Request, trigger: str, channel: str, locale: str) -> Template:
        _check_key(trigger, channel, locale)
        form = await form_of(request)
        subject, body = text(form, "subject"), text(form, "body")
        try:
            await save_template(actor_of(request), trigger, channel, locale, subject, body)
        except InvalidInput as exc:
            return await _editor(trigger, channel, locale, subject, body, exc.errors, status_code=422)
        return await _editor(trigger, channel, locale, subject, body, saved=True)

    @post("/templates/{trigger:str}/{channel:str}/{locale:str}/reset")
    async def reset_template(self, request: Request, trigger: str, channel: str, locale: str) -> Redirect:
        _check_key(trigger, channel, locale)
        await reset_template(actor_of(request), trigger, channel, locale)
        return Redirect(path=f"/notifications/templates/{trigger}/{channel}/{locale}")

    @post("/templates/preview")
    async def preview_template(self, request: Request) -> Template:
        """The HTMX live preview beside the editor: sample values in, no saving."""
        form = await form_of(request)
        channel = text(form, "channel")
        subject, body = text(form, "subject"), text(form, "body")
        return fragment("notifications/_preview.html", shown=preview(subject, body, channel), channel=channel,
                        errors=check_template(subject, body, channel))

    @get("/triggers")
    async def show_triggers(self, client: str = "") -> Template:
        client_id = optional_int(client)
        counterparty = None
        if client_id is not None:
            counterparty = await Counterparty.select(Counterparty.id, Counterparty.name).where(
                Counterparty.id == client_id).first()
            if counterparty is None:
                raise NotFound()
        return page("notifications/triggers.html", counterparty=counterparty, company=await switches_for(None),
                    own=await switches_for(client_id) if client_id else {}, triggers=CLIENT_TRIGGERS,
                    channels=CHANNELS, trigger_names=TRIGGER_NAMES, channel_names=CHANNEL_NAMES)

    @post("/triggers")
    async def change_trigger(self, request: Request) -> Redirect:
        form = await form_of(request)
        client_id = optional_int(form.get("client"))
        state = text(form, "enabled")
        enabled = {"on": True, "off": False}.get(state)
        await set_switch(actor_of(request), client_id, text(form, "trigger"), text(form, "channel"), enabled)
        return Redirect(path="/notifications/triggers" + (f"?client={client_id}" if client_id else ""))


class TrackingLinkController(Controller):
    path = "/notifications/orders"
    opt = allow(DISPATCHER, ADMIN)
    include_in_schema = False

    @post("/{order_id:int}/revoke-link")
    async def revoke_link(self, request: Request, order_id: int) -> Redirect:
        """The old link stops working at once; the order gets a new one (shown on the order's page)."""
        await revoke(actor_of(request), order_id)
        return Redirect(path=f"/orders/{order_id}")


class StaffDevicesController(Controller):
    """Staff turn on Web Push on their phone or tablet: dispatchers hear of exceptions, couriers of route changes."""

    path = "/notifications/devices"
    opt = allow(SIGNED_IN)
    include_in_schema = False

    @get("/")
    async def show_devices(self, request: Request) -> Template:
        user = current_user(request)
        return page("notifications/devices.html", vapid_public_key=await public_key(),
                    devices=await staff_devices(user.id))

    @post("/")
    async def add_device(self, request: Request) -> Response:
        data = await request.json()
        keys = data.get("keys") or {}
        await subscribe_staff(actor_of(request), current_user(request).id, str(data.get("endpoint", "")),
                              str(keys.get("p256dh", "")), str(keys.get("auth", "")), current_locale())
        return Response(content={"ok": True}, status_code=201)

    @post("/remove")
    async def remove_device(self, request: Request) -> Redirect:
        form = await form_of(request)
        await unsubscribe_staff(actor_of(request), current_user(request).id, text(form, "endpoint"))
        return Redirect(path="/notifications/devices")


@post("/api/v1/notifications/sms-status", opt=allow(PUBLIC), include_in_schema=False, status_code=200)
async def receive_sms_status(request: Request) -> Response:
    """The SMS gateway's delivery report. No session: authenticated by the shared secret in X-Callback-Secret
    (or ?secret=), compared in constant time."""
    settings = get_settings()
    if not settings.sms_callback_secret:  # no secret configured: the callback is switched off
        return Response(content={"ok": False, "detail": "SMS_CALLBACK_SECRET is not set"}, status_code=503)
    given = request.headers.get("x-callback-secret") or request.query_params.get("secret") or ""
    if not hmac.compare_digest(given.encode(), settings.sms_callback_secret.encode()):
        raise NotAuthorizedException("Invalid callback secret")
    content_type = request.headers.get("content-type", "")
    payload = dict(await request.form()) if "form" in content_type else await request.json()
    report = sms_channel.provider(settings).delivery_report(payload if isinstance(payload, dict) else {})
    if report is None:
        return Response(content={"ok": False, "detail": "not understood"}, status_code=202)
    known = await record_delivery_report(*report)
    return Response(content={"ok": True, "known": known}, status_code=200)


HANDLERS = [NotificationSettingsController, TrackingLinkController, StaffDevicesController, receive_sms_status]
