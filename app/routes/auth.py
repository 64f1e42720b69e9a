"""Logging in and out, and choosing the interface language (also before login)."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Redirect, Response, Template

from app.accounts.login import authenticate
from app.accounts.roles import home_for
from app.accounts.sessions import close_session, open_session
from app.accounts.users import update_user
from app.audit import Actor
from app.config import get_settings
from app.errors import InvalidInput, Throttled
from app.i18n import LANGUAGES, set_locale
from app.routes.forms import form_of, safe_next, text
from app.security import LANGUAGE_COOKIE, PUBLIC, SESSION_COOKIE, SIGNED_IN, actor_of, allow, client_ip
from app.templating import page


@get("/", opt=allow(PUBLIC), include_in_schema=False)
async def show_home(request: Request) -> Redirect:
    user = request.scope.get("user")
    return Redirect(path=home_for(user.role) if user else "/login")


@get("/login", opt=allow(PUBLIC), include_in_schema=False)
async def show_login(request: Request, next: str = "") -> Template | Redirect:
    if request.scope.get("user"):
        return Redirect(path=home_for(request.scope["user"].role))
    return page("auth/login.html", next=safe_next(next, ""), errors={}, login="")


@post("/login", opt=allow(PUBLIC), include_in_schema=False)
async def log_in(request: Request) -> Response:
    form = await form_of(request)
    login, password, next_path = text(form, "login"), form.get("password", ""), text(form, "next")
    try:
        user = await authenticate(login, password, client_ip(request))
    except InvalidInput as exc:
        return page("auth/login.html", status_code=422, errors=exc.errors, login=login, next=next_path)
    except Throttled as exc:
        return page("auth/login.html", status_code=429, errors={"login": exc.message}, login=login,
                    next=next_path)
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES and chosen != user.locale:  # the language picked on the login page carries over
        await update_user(Actor(user_id=user.id, ip=client_ip(request), role=user.role), user, {"locale": chosen})
    settings = get_settings()
    opened = await open_session(user, settings.session_days, request.headers.get("user-agent", ""),
                                client_ip(request))
    response = Redirect(path=safe_next(next_path, home_for(user.role)))
    response.set_cookie(SESSION_COOKIE, opened.cookie_value, httponly=True, samesite="lax",
                        secure=settings.secure_cookies, max_age=settings.session_days * 86400, path="/")
    return response


@post("/logout", opt=allow(SIGNED_IN), include_in_schema=False)
async def log_out(request: Request) -> Redirect:
    if cookie := request.cookies.get(SESSION_COOKIE):
        await close_session(cookie)
    response = Redirect(path="/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@post("/language", opt=allow(PUBLIC), include_in_schema=False)
async def choose_language(request: Request) -> Redirect:
    form = await form_of(request)
    locale = text(form, "locale")
    if locale not in LANGUAGES:
        locale = "en"
    if user := request.scope.get("user"):
        await update_user(actor_of(request), user, {"locale": locale})
    set_locale(locale)
    response = Redirect(path=safe_next(text(form, "next"), "/"))
    response.set_cookie(LANGUAGE_COOKIE, locale, httponly=True, samesite="lax", max_age=365 * 86400, path="/")
    return response


HANDLERS = [show_home, show_login, log_in, log_out, choose_language]
