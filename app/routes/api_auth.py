"""`/api/v1/auth`: personal bearer tokens for scripts and integrations, and who am I."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, Request, delete, get, post

from app.accounts.login import authenticate
from app.accounts.sessions import issue_api_token, revoke_api_token
from app.audit import Actor
from app.security import PUBLIC, SIGNED_IN, actor_of, allow, client_ip


class TokenRequest(msgspec.Struct):
    login: str
    password: str
    name: str = "API"


class TokenIssued(msgspec.Struct):
    token: str
    token_type: str = "Bearer"


class Me(msgspec.Struct):
    id: int
    login: str
    full_name: str
    role: str
    locale: str
    time_zone: str
    last_login_at: datetime | None


class ApiAuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]
    opt = allow(SIGNED_IN)

    @post("/tokens", opt=allow(PUBLIC), status_code=201, summary="Exchange a login and password for a token")
    async def create_token(self, request: Request, data: TokenRequest) -> TokenIssued:
        user = await authenticate(data.login, data.password, client_ip(request))
        actor = Actor(user_id=user.id, ip=client_ip(request), role=user.role)
        return TokenIssued(token=await issue_api_token(actor, user, data.name))

    @delete("/tokens/{token_id:int}", status_code=204, summary="Revoke one of my tokens")
    async def revoke_token(self, request: Request, token_id: int) -> None:
        await revoke_api_token(actor_of(request), request.scope["user"], token_id)

    @get("/me", summary="The account behind this token or session")
    async def show_me(self, request: Request) -> Me:
        user = request.scope["user"]
        return Me(id=user.id, login=user.login, full_name=user.full_name, role=user.role, locale=user.locale,
                  time_zone=user.time_zone, last_login_at=user.last_login_at)


HANDLERS = [ApiAuthController]
