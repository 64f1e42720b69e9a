"""`/api/v1/sync`: the courier phone's outbox push, its pull of the day, and proof-photo uploads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.params import Parameter

from app.accounts.roles import COURIER
from app.errors import InvalidInput
from app.i18n import gettext as _
from app.problems import problem
from app.security import allow
from app.sync import blobs
from app.sync.handlers import Mutation
from app.sync.pull import DEFAULT_LIMIT, ResetRequired, pull
from app.sync.push import MAX_BYTES, RETRY_AFTER_S, TemporaryFailure, push


class MutationIn(msgspec.Struct):
    id: int
    name: str
    args: Any = None
    device_ts: str | None = None


class PushIn(msgspec.Struct):
    client_id: str
    schema_version: int
    mutations: list[MutationIn]
    device_now: str | None = None


class MutationResult(msgspec.Struct, omit_defaults=True):
    id: int
    result: str
    reason: str = ""


class PushOut(msgspec.Struct):
    last_mutation_id: int
    results: list[MutationResult]
    server_time: datetime


class Change(msgspec.Struct):
    entity: str
    id: int
    version: int
    deleted: bool
    fields: dict[str, Any]


class PullOut(msgspec.Struct):
    cursor: int
    last_mutation_id: int
    has_more: bool
    changes: list[Change]


def read_push(body: bytes) -> PushIn:
    if len(body) > MAX_BYTES:
        raise InvalidInput({"mutations": _("A push may be at most 256 KB; send fewer changes at once.")})
    try:
        return msgspec.json.decode(body, type=PushIn)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise InvalidInput({"body": str(error)[:200]}) from None


class SyncController(Controller):
    path = "/api/v1/sync"
    tags = ["sync"]
    opt = allow(COURIER)

    @post("/push", status_code=200, summary="Apply the phone's outbox, exactly once and in order")
    async def push_outbox(self, request: Request) -> Response:
        data = read_push(await request.body())
        mutations = [Mutation(m.id, m.name, m.args if m.args is not None else {}, m.device_ts)
                     for m in data.mutations]
        try:
            result = await push(request.user.id, data.client_id, data.schema_version, data.device_now, mutations)
        except TemporaryFailure as failure:
            return problem(request, 503, failure.message, headers={"Retry-After": str(RETRY_AFTER_S)})
        out = PushOut(last_mutation_id=result.last_mutation_id, server_time=result.server_time,
                      results=[MutationResult(**item) for item in result.results])
        return Response(content=out)

    @get("/pull", summary="What changed in my routes, stops and orders since the cursor")
    async def pull_changes(self, request: Request, cursor: int = 0, client_id: str = "",
                           limit: int = Parameter(default=DEFAULT_LIMIT, ge=1, le=2000)) -> Response:
        try:
            result = await pull(request.user.id, client_id, cursor, limit)
        except ResetRequired:
            return Response(content={"reset": True, "status": 409, "title": _("Conflict"),
                                     "detail": _("Your phone's copy is too old; it will reload the day.")},
                            status_code=409, media_type="application/problem+json")
        return Response(content=PullOut(cursor=result.cursor, last_mutation_id=result.last_mutation_id,
                                        has_more=result.has_more,
                                        changes=[Change(**change) for change in result.changes]),
                        headers={"Cache-Control": "no-store"})

    @put("/blobs/{sha256:str}", status_code=200, summary="Upload a proof photo or signature by its SHA-256")
    async def put_blob(self, request: Request, sha256: str) -> Response:
        body = await request.body()
        created = await blobs.store_blob(sha256, request.headers.get("content-type", ""), body, request.user.id)
        return Response(content={"sha256": sha256, "stored": True}, status_code=201 if created else 200)


HANDLERS = [SyncController]
