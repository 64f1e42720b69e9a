"""Every route of the app against an explicit allow-matrix, for every role and for anonymous visitors.

A new route without a rule in tests/routes/access/ fails the first test, so nobody adds a page without deciding
who may open it. Path parameters are filled with a number that exists nowhere (or a dummy string), so an allowed
call answers anything but 401/403, and a refused one answers exactly that.
"""

from __future__ import annotations

import re

import pytest
from litestar.routes import HTTPRoute

from app.security import declared_access
from tests.conftest import csrf_token, log_in
from tests.routes.access import ANON, EVERYONE, all_rules

MATRIX = all_rules()

SAMPLE_PARAMS = {"{file_path:path}": "css/app.css", "{path:str}": "openapi.yaml"}


def app_routes(app) -> dict[tuple[str, str], object]:
    found = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if method != "OPTIONS":
                    found[(method, route.path)] = handler
    return found


def concrete(path: str) -> str:
    for placeholder, value in SAMPLE_PARAMS.items():
        path = path.replace(placeholder, value)
    return re.sub(r"\{\w+:(int|str)\}", lambda match: "999999" if match.group(1) == "int" else "nothing", path)


def test_every_route_has_a_row_in_the_matrix(app):
    routes = set(app_routes(app))
    assert routes - set(MATRIX) == set(), "routes with no rule in the allow-matrix"
    assert set(MATRIX) - routes == set(), "matrix rows for routes that no longer exist"


def test_every_handler_declares_who_may_call_it(app):
    undeclared = [key for key, handler in app_routes(app).items() if declared_access(handler) is None]
    assert undeclared == []


async def _request(client, method: str, path: str):
    headers = {"x-csrf-token": await csrf_token(client)}
    return await client.request(method, path, headers=headers, follow_redirects=False)


def _refused(role: str, response) -> bool:
    if role == ANON:
        return response.status_code == 401 or (
            response.status_code in (302, 303) and response.headers.get("location", "").startswith("/login?next="))
    return response.status_code == 403


@pytest.mark.parametrize("role", sorted(EVERYONE))
async def test_each_role_reaches_exactly_what_the_matrix_allows(client, make_user, role):
    if role != ANON:
        user = await make_user(role)
        assert (await log_in(client, user.login)).status_code == 302
    wrong = []
    for (method, path), allowed in sorted(MATRIX.items(), key=lambda item: item[0][1] == "/logout"):
        response = await _request(client, method, concrete(path))
        refused = _refused(role, response)
        if (role in allowed) == refused:
            wrong.append(f"{method} {path}: {response.status_code} for {role}")
    assert wrong == []
