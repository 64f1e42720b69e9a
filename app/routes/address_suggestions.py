"""The dispatcher's answer to a courier's address fix: accept (the drop-off changes, the phones are told) or
decline. Shown on the board's exceptions panel and on the order page."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.response import Redirect, Template

from app.accounts.roles import ADMIN, DISPATCHER
from app.db import writing
from app.dispatch.address_suggestions import accept_suggestion, decline_suggestion
from app.errors import DomainError
from app.i18n import gettext as _
from app.routes.forms import form_of, safe_next, text
from app.security import actor_of, allow
from app.templating import fragment


class AddressSuggestionController(Controller):
    path = "/address-suggestions"
    opt = allow(DISPATCHER, ADMIN)
    include_in_schema = False

    @post("/{suggestion_id:int}/accept")
    async def accept(self, request: Request, suggestion_id: int) -> Template | Redirect:
        return await self._answer(request, suggestion_id, accept_suggestion, _("Accepted: the drop-off address changed."))

    @post("/{suggestion_id:int}/decline")
    async def decline(self, request: Request, suggestion_id: int) -> Template | Redirect:
        return await self._answer(request, suggestion_id, decline_suggestion, _("Declined: the address stays."))

    async def _answer(self, request: Request, suggestion_id: int, action, done: str) -> Template | Redirect:
        form = await form_of(request)
        htmx = request.headers.get("hx-request") == "true"
        try:
            async with writing():
                order_id = await action(actor_of(request), suggestion_id)
        except DomainError as exc:
            if not htmx:
                raise
            return fragment("board/_address_answer.html", status_code=exc.status_code, suggestion_id=suggestion_id,
                            message=exc.message)
        if htmx:
            return fragment("board/_address_answer.html", suggestion_id=suggestion_id, message=done)
        return Redirect(path=safe_next(text(form, "next"), f"/orders/{order_id}"))


HANDLERS = [AddressSuggestionController]
