"""Small helpers the HTML controllers share: reading forms, safe redirects, the current user."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import FormMultiDict

from tables.accounts import User


async def form_of(request: Request) -> FormMultiDict:
    return await request.form()


def text(form: FormMultiDict, name: str, default: str = "") -> str:
    value = form.get(name, default)
    return value.strip() if isinstance(value, str) else default


def optional_int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def safe_next(path: str | None, default: str) -> str:
    """Only a local path: never redirect a user off-site after login."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return default


def current_user(request: Request) -> User:
    return request.scope["user"]
