"""Dispatch sees the courier's proof live on the board and on the order page: "Delivered, photo uploading"
until the photo's bytes arrive."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timezone

import httpx

from app.sync.fixtures import build_day
from tests.conftest import PASSWORD, log_in
from tests.sync.helpers import png


@asynccontextmanager
async def phone_of(app, login: str):
    """The courier's phone: its own HTTP client, signed in."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.2", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as phone:
        assert (await log_in(phone, login, PASSWORD)).status_code == 302
        yield phone


def csrf(phone) -> dict:
    return {"x-csrf-token": phone.cookies.get("wb_csrf", "")}


async def test_a_delivery_shows_photo_uploading_until_the_photo_arrives(app, client, signed_in, make_user):
    courier = await make_user("courier")
    day = await build_day(courier.id, stops=2)
    await signed_in("dispatcher")
    photo, photo_sha = png("door")
    async with phone_of(app, courier.login) as phone:
        pushed = await phone.post("/api/v1/sync/push", headers=csrf(phone), json={
            "client_id": "phone-A", "schema_version": 2, "device_now": datetime.now(timezone.utc).isoformat(),
            "mutations": [{"id": 1, "name": "stop.deliver", "device_ts": datetime.now(timezone.utc).isoformat(),
                           "args": {"stop_id": day.stop_ids[0], "recipient_name": "Ana", "photo_sha256": photo_sha}}]})
        assert pushed.json()["results"][0]["result"] == "applied", pushed.text

        board = (await client.get("/board")).text
        live = (await client.get("/board/live")).text
        order_page = (await client.get(f"/orders/{day.order_ids[0]}")).text
        for text in (board, live):
            row = text[text.index(f'id="proof-{day.order_ids[0]}"'):]
            assert row[:row.index("</span>")].endswith("Delivered, photo uploading")
            untouched = text[text.index(f'id="proof-{day.order_ids[1]}"'):]
            assert untouched[:untouched.index("</span>")].endswith(">")  # nothing recorded for the other stop
        assert 'hx-swap-oob="true"' in live[live.index(f'id="proof-{day.order_ids[0]}"') - 80:][:200]
        assert "Delivered, photo uploading" in order_page and "Received by Ana" in order_page

        uploaded = await phone.put(f"/api/v1/sync/blobs/{photo_sha}", content=photo,
                                   headers={"content-type": "image/png", **csrf(phone)})
        assert uploaded.status_code in (200, 201), uploaded.text

    live = (await client.get("/board/live")).text
    row = live[live.index(f'id="proof-{day.order_ids[0]}"'):]
    assert row[:row.index("</span>")].endswith(">Delivered")
    assert "uploading" not in live
    assert "photo uploading" not in (await client.get(f"/orders/{day.order_ids[0]}")).text
