"""Small helpers for the sync tests: build mutations and push them the way a phone does."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from app.sync.handlers import Mutation
from app.sync.push import push

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(seed: str) -> tuple[bytes, str]:
    data = PNG + seed.encode()
    return data, hashlib.sha256(data).hexdigest()


def mutation(mid: int, name: str, /, ts: datetime | None = None, **args) -> Mutation:
    return Mutation(mid, name, args, ts or datetime.now(timezone.utc))


async def send(user_id: int, client_id: str, *mutations: Mutation, schema: int = 2, device_now=None):
    return await push(user_id, client_id, schema, device_now, list(mutations))


def results(answer) -> list[tuple[int, str, str]]:
    return [(item["id"], item["result"], item.get("reason", "")) for item in answer.results]
