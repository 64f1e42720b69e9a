"""Who is calling, and may they: sessions and bearer tokens, CSRF, security headers, and the access guard.

Every route declares who may call it with `allow(...)` in its `opt`; the one app-wide guard `requires_access`
enforces it and refuses any route that declares nothing, so a forgotten rule fails closed (and the route-matrix
test names it).
"""

from __future__ import annotations

from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts.roles import MANAGER
from app.accounts.sessions import session_user, token_user
from app.accounts.users import supervises_anyone
from app.audit import Actor
from app.i18n import LANGUAGES, negotiate, set_locale
from tables.accounts import User

SESSION_COOKIE = "wb_session"
LANGUAGE_COOKIE = "wb_lang"
CSRF_COOKIE = "wb_csrf"
CSRF_HEADER = "x-csrf-token"

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed_in"  # any active account


def allow(*roles: str) -> dict[str, Any]:
    """`opt` for a controller or handler: who may call it (roles, or PUBLIC / SIGNED_IN)."""
    return {"access": frozenset(roles)}


def declared_access(handler: BaseRouteHandler) -> frozenset[str] | None:
    return handler.opt.get("access")


def may_call(access: frozenset[str] | None, user: User | None) -> bool:
    if access is None:
        return False
    if PUBLIC in access:
        return True
    if user is None:
        return False
    return SIGNED_IN in access or user.role in access


def requires_access(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    access = declared_access(handler)
    user = connection.scope.get("user")
    if may_call(access, user):
        return
    if user is None and access is not None:
        raise NotAuthorizedException()
    raise PermissionDeniedException()


def bearer_token(connection: ASGIConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def client_ip(connection: ASGIConnection) -> str:
    return connection.client.host if connection.client else ""


class SessionOrTokenAuth(AbstractAuthenticationMiddleware):
    """Finds the user from the session cookie or a bearer token; anonymous requests carry user None.

    It also fixes the request's language and time zone: the user's own, else the language cookie chosen on the
    login page, else the browser's Accept-Language.
    """

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        user, auth = None, None
        if token := bearer_token(connection):
            user = await token_user(token)
            if user is None:
                raise NotAuthorizedException("Invalid or revoked token")
            auth = {"kind": "token"}
        elif cookie := connection.cookies.get(SESSION_COOKIE):
            found = await session_user(cookie)
            if found:
                user, session = found
                auth = {"kind": "session", "session_hash": session.token_hash}
        if user is not None:
            set_locale(user.locale, user.time_zone)
            user.supervises = user.role == MANAGER and await supervises_anyone(user.id)
        else:
            chosen = connection.cookies.get(LANGUAGE_COOKIE)
            set_locale(chosen if chosen in LANGUAGES else negotiate(connection.headers.get("accept-language")))
        return AuthenticationResult(user=user, auth=auth)


class CsrfUnlessBearer(CSRFMiddleware):
    """Double-submit CSRF check on every unsafe request that a browser could be tricked into sending with the
    user's cookies. API calls without a session cookie (bearer tokens, the token exchange) carry no ambient
    credentials, so they cannot be forged cross-site and are let through; the HTML login form is still checked."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        connection = ASGIConnection(scope) if scope["type"] == "http" else None
        if connection is not None and not _has_cookie(scope, SESSION_COOKIE) and (
            bearer_token(connection) or scope["path"].startswith("/api/")
        ):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _has_cookie(scope: Scope, name: str) -> bool:
    return name in ASGIConnection(scope).cookies


def csrf_config(secret: str, secure: bool) -> CSRFConfig:
    return CSRFConfig(secret=secret, cookie_name=CSRF_COOKIE, header_name=CSRF_HEADER, cookie_httponly=True,
                      cookie_samesite="lax", cookie_secure=secure)


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; worker-src 'self'; manifest-src 'self'"
)

SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"geolocation=(self), camera=(self), microphone=()"),
]


class SecurityHeaders:
    """Adds the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name for name, _value in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


def actor_of(connection: ASGIConnection) -> Actor:
    user = connection.scope.get("user")
    return Actor(user_id=user.id if user else None, ip=client_ip(connection), role=user.role if user else "")
