"""Browser sessions and API tokens.

Both are random values of 256 bits handed to the client once; the database keeps only their SHA-256, so a
copy of the database opens nothing. Sessions live in the database (not in one process's memory) so any web
process can serve any request, and an admin can end them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from app import audit
from app.audit import Actor
from app.db import writing
from app.errors import NotFound
from app.i18n import gettext as _
from tables.accounts import ApiToken, User, WebSession

TOKEN_BYTES = 32
API_TOKEN_PREFIX = "wb_"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass
class OpenSession:
    cookie_value: str
    csrf_token: str


async def open_session(user: User, days: int, user_agent: str = "", ip: str = "") -> OpenSession:
    cookie_value = secrets.token_urlsafe(TOKEN_BYTES)
    csrf_token = secrets.token_urlsafe(TOKEN_BYTES)
    async with writing():
        await WebSession.insert(
            WebSession(token_hash=digest(cookie_value), user=user.id, csrf_token=csrf_token,
                       expires_at=_now() + timedelta(days=days), user_agent=user_agent[:300], ip=ip[:64])
        )
        await User.update({User.last_login_at: _now()}).where(User.id == user.id)
    return OpenSession(cookie_value, csrf_token)


async def session_user(cookie_value: str) -> tuple[User, WebSession] | None:
    """The active user behind a session cookie, or None when it is unknown, expired or the user deactivated."""
    session = await WebSession.objects(WebSession.user).where(
        (WebSession.token_hash == digest(cookie_value)) & (WebSession.expires_at > _now())
    ).first()
    if session is None or not session.user.is_active:
        return None
    return session.user, session


async def close_session(cookie_value: str) -> None:
    await WebSession.delete().where(WebSession.token_hash == digest(cookie_value))


async def purge_expired_sessions() -> int:
    expired = await WebSession.select(WebSession.id).where(WebSession.expires_at <= _now())
    if expired:
        await WebSession.delete().where(WebSession.expires_at <= _now())
    return len(expired)


async def issue_api_token(actor: Actor, user: User, name: str) -> str:
    """A new bearer token; the plain value is returned once and never stored."""
    value = API_TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    async with writing():
        token = ApiToken(user=user.id, name=(name or "API")[:100], token_hash=digest(value), prefix=value[:10])
        await audit.insert(actor, token, summary=f"API token for {user.login}")
    return value


async def token_user(value: str) -> User | None:
    token = await ApiToken.objects(ApiToken.user).where(
        (ApiToken.token_hash == digest(value)) & ApiToken.revoked_at.is_null()
    ).first()
    if token is None or not token.user.is_active:
        return None
    await ApiToken.update({ApiToken.last_used_at: _now()}).where(ApiToken.id == token.id)
    return token.user


async def revoke_api_token(actor: Actor, user: User, token_id: int) -> None:
    token = await ApiToken.objects().where((ApiToken.id == token_id) & (ApiToken.user == user.id)).first()
    if token is None:
        raise NotFound(_("No such token."))
    async with writing():
        await audit.update(actor, token, {"revoked_at": _now()}, summary=f"API token revoked for {user.login}")


async def list_api_tokens(user: User) -> list[dict]:
    return await ApiToken.select(ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.created_at,
                                 ApiToken.last_used_at, ApiToken.revoked_at).where(
        ApiToken.user == user.id).order_by(ApiToken.id, ascending=False)
