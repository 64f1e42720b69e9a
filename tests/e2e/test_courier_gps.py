"""A courier's phone shares its position only while on shift: one batch every 30 s (the page's clock is sped
up, never waited for), dispatch sees the last position on the board's map, positions taken with no signal are
sent once the network is back, exactly once, and nothing at all is watched or sent off shift."""

from __future__ import annotations

from playwright.async_api import expect

from app.sync.fixtures import build_day
from tables.sync import GpsPoint, MutationLog
from tests.e2e.courier import eventually, log_in, phone

HALF_MINUTE_MS = 30_000
# Where the courier is at each step (Paris, moving east along the Seine).
HOME, QUAY, BRIDGE, TUNNEL, CELLAR, EVENING = ((48.8566 + n / 1000, 2.3522 + n / 1000) for n in range(6))


async def shared_positions() -> list[tuple[float, float]]:
    rows = await GpsPoint.select(GpsPoint.lat, GpsPoint.lon).order_by(GpsPoint.id)
    return [(round(row["lat"], 4), round(row["lon"], 4)) for row in rows]


def rounded(*places) -> list[tuple[float, float]]:
    return [(round(lat, 4), round(lon, 4)) for lat, lon in places]


async def move_to(context, page, place) -> None:
    """The phone's GPS reports a new fix; wait until the page has it in its batch."""
    before = await page.evaluate("window.WaybillGps.buffered()")
    await context.set_geolocation({"latitude": place[0], "longitude": place[1], "accuracy": 8})
    await page.wait_for_function("(before) => window.WaybillGps.buffered() > before", arg=before, polling=100)


async def half_a_minute_passes(page) -> None:
    await page.clock.fast_forward(HALF_MINUTE_MS)


async def test_positions_are_shared_every_half_minute_on_shift_only(live_server, browser, make_user):
    courier = await make_user("courier", full_name="Gina Gps")
    dispatcher = await make_user("dispatcher", full_name="Dora Dispatch")
    await build_day(courier.id, stops=2)
    context, page, errors = await phone(browser, live_server, permissions=["geolocation"],
                          geolocation={"latitude": HOME[0], "longitude": HOME[1], "accuracy": 8})
    await context.clock.install()
    badge = page.locator("#outbox-badge")
    try:
        await log_in(page, courier)
        await expect(badge).to_have_text("Everything is sent")

        # Off shift: time passes, the phone moves, and nothing is watched or queued.
        await context.set_geolocation({"latitude": QUAY[0], "longitude": QUAY[1]})
        for _tick in range(3):
            await half_a_minute_passes(page)
        assert await page.evaluate("window.WaybillGps.watching()") is False
        assert await page.evaluate("window.WaybillOutbox.outbox()") == []

        # On shift: the first fix goes out at the next half minute, in one batch.
        await page.get_by_role("button", name="Start shift (share my position)").click()
        await expect(page.get_by_role("button", name="End shift (stop sharing)")).to_be_visible()
        await page.wait_for_function("() => window.WaybillGps.buffered() > 0", polling=100)
        await move_to(context, page, BRIDGE)
        assert await page.evaluate("window.WaybillOutbox.outbox()") == []  # batched: nothing before the half minute
        await half_a_minute_passes(page)
        await expect(badge).to_have_text("Everything is sent")
        assert await eventually(shared_positions, rounded(QUAY, BRIDGE)) == rounded(QUAY, BRIDGE)

        # No signal in the tunnel and the cellar: two batches wait on the phone.
        await context.set_offline(True)
        await move_to(context, page, TUNNEL)
        await half_a_minute_passes(page)
        await move_to(context, page, CELLAR)
        await half_a_minute_passes(page)
        await expect(badge).to_have_text("2 changes waiting")
        assert await shared_positions() == rounded(QUAY, BRIDGE)

        # Signal again: both batches arrive once, in order, however often the phone syncs.
        await context.set_offline(False)
        await expect(badge).to_have_text("Everything is sent")
        await page.evaluate("window.WaybillOutbox.sync()")
        await page.evaluate("window.WaybillOutbox.sync()")
        assert await shared_positions() == rounded(QUAY, BRIDGE, TUNNEL, CELLAR)
        assert await MutationLog.count().where(MutationLog.name == "gps.track") == 3

        # End of shift: the GPS is let go; moving on shares nothing more.
        await page.get_by_role("button", name="End shift (stop sharing)").click()
        assert await page.evaluate("window.WaybillGps.watching()") is False
        await context.set_geolocation({"latitude": EVENING[0], "longitude": EVENING[1]})
        for _tick in range(3):
            await half_a_minute_passes(page)
        await page.evaluate("window.WaybillOutbox.sync()")
        await expect(badge).to_have_text("Everything is sent")
        assert await shared_positions() == rounded(QUAY, BRIDGE, TUNNEL, CELLAR)
    finally:
        await context.close()
    assert errors == []

    # Dispatch sees where the courier was last, on the board's map.
    board = await browser.new_context(base_url=live_server.url, locale="en-US")
    try:
        page = await board.new_page()
        await log_in(page, dispatcher, lands_on="/board")
        response = await page.request.get("/board/map.json")
        assert response.ok
        couriers = {row["name"]: row for row in (await response.json())["couriers"]}
        assert rounded((couriers["Gina Gps"]["lat"], couriers["Gina Gps"]["lon"])) == rounded(CELLAR)
    finally:
        await board.close()
