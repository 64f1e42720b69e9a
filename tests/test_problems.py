"""When something breaks, people see a friendly page or a problem document with a reference, never a trace."""

from __future__ import annotations

import httpx
from litestar import Litestar, get

from app.problems import handle_exception
from app.security import PUBLIC, allow
from app.templating import template_config


@get("/boom", opt=allow(PUBLIC))
async def boom() -> str:
    raise RuntimeError("secret internal detail")


@get("/api/v1/boom", opt=allow(PUBLIC))
async def api_boom() -> str:
    raise RuntimeError("secret internal detail")


def broken_app() -> Litestar:
    return Litestar([boom, api_boom], exception_handlers={Exception: handle_exception},
                    template_config=template_config(), debug=False)


async def _get(path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=broken_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        return await client.get(path)


async def test_an_unexpected_error_shows_a_friendly_page_with_a_reference_and_no_trace():
    response = await _get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "quote reference" in response.text
    assert "secret internal detail" not in response.text and "Traceback" not in response.text


async def test_an_unexpected_api_error_is_a_problem_document_without_details():
    response = await _get("/api/v1/boom")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 500 and "secret" not in str(body)
