"""A person's own account: language, theme, time zone, password, and personal API tokens."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from app.accounts.sessions import issue_api_token, list_api_tokens, revoke_api_token
from app.accounts.users import THEMES, change_own_password, update_user
from app.errors import InvalidInput
from app.i18n import set_locale
from app.routes.forms import current_user, form_of, text
from app.security import SIGNED_IN, actor_of, allow
from app.templating import fragment, page, wants_fragment

SAVED_MESSAGES = ("preferences", "password")
COMMON_TIME_ZONES = ("UTC", "Europe/Paris", "Europe/London", "Europe/Sofia", "Europe/Moscow", "Asia/Tbilisi",
                     "Africa/Lagos", "America/New_York")


async def _account_page(request: Request, status_code: int = 200, **extra) -> Template:
    user = current_user(request)
    context = {"user": user, "themes": THEMES, "time_zones": COMMON_TIME_ZONES, "errors": {}, "saved": "",
               "new_token": "", "tokens": await list_api_tokens(user)}
    context.update(extra)
    return page("account/account.html", status_code=status_code, **context)


class AccountController(Controller):
    path = "/account"
    opt = allow(SIGNED_IN)
    include_in_schema = False

    @get("/")
    async def show_account(self, request: Request, saved: str = "") -> Template:
        return await _account_page(request, saved=saved if saved in SAVED_MESSAGES else "")

    @post("/preferences")
    async def save_preferences(self, request: Request) -> Template | Redirect:
        form = await form_of(request)
        user = current_user(request)
        values = {"locale": text(form, "locale"), "theme": text(form, "theme"), "time_zone": text(form, "time_zone")}
        try:
            await update_user(actor_of(request), user, values)
        except InvalidInput as exc:
            return await _account_page(request, status_code=422, errors=exc.errors)
        set_locale(user.locale, user.time_zone)
        return Redirect(path="/account?saved=preferences")

    @post("/password")
    async def change_password(self, request: Request) -> Template | Redirect:
        form = await form_of(request)
        user = current_user(request)
        try:
            await change_own_password(actor_of(request), user, form.get("current_password", ""),
                                      form.get("new_password", ""), request.auth["session_hash"])
        except InvalidInput as exc:
            return await _account_page(request, status_code=422, errors=exc.errors)
        return Redirect(path="/account?saved=password")

    @post("/tokens")
    async def create_token(self, request: Request) -> Template:
        """The new token is shown once, in the answer itself (HTMX swaps only the tokens panel)."""
        form = await form_of(request)
        user = current_user(request)
        value = await issue_api_token(actor_of(request), user, text(form, "name") or "API")
        if wants_fragment(request):
            return fragment("account/_tokens.html", new_token=value, tokens=await list_api_tokens(user))
        return await _account_page(request, new_token=value)

    @post("/tokens/{token_id:int}/revoke")
    async def revoke_token(self, request: Request, token_id: int) -> Redirect:
        await revoke_api_token(actor_of(request), current_user(request), token_id)
        return Redirect(path="/account")


HANDLERS = [AccountController]
