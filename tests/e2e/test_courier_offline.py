"""A courier works offline on a phone-sized browser: the day is cached, three deliveries with photo and
signature and a cash payment are recorded with no network, the app reopens from the service worker, a service
worker update lands while the outbox is full, and back online the server has each delivery exactly once with
its photo, and the badge returns to zero."""

from __future__ import annotations

from playwright.async_api import expect

from app.sync.fixtures import build_day
from tables.orders import Order
from tables.sync import Blob, CashEntry, DeliveryProof, MutationLog
from tests.e2e.courier import log_in, phone, png_photo, sign


async def cached_pages(page) -> list[str]:
    return await page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys()) {
            if (!name.endsWith('-pages')) continue;
            for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
        }
        return urls;
    }""")


async def test_a_courier_delivers_three_stops_offline_and_everything_arrives_once(live_server, browser, make_user):
    courier = await make_user("courier", full_name="Carl Courier")
    day = await build_day(courier.id, stops=4, cod_every=1)
    context, page, errors = await phone(browser, live_server)
    try:
        await log_in(page, courier)
        await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        await page.reload()  # now under the service worker's control: the day gets cached
        await expect(page.locator("#outbox-badge")).to_have_text("Everything is sent")
        wanted = {"/courier", *(f"/courier/stops/{stop}" for stop in day.stop_ids[:3])}
        for _attempt in range(150):
            if wanted <= set(await cached_pages(page)):
                break
            await page.wait_for_timeout(100)
        assert wanted <= set(await cached_pages(page))

        # No signal from here on.
        await context.set_offline(True)
        for n, stop in enumerate(day.stop_ids[:3]):
            await page.goto(f"/courier/stops/{stop}")
            await expect(page.locator("h1")).to_contain_text(f"{n + 1}.")
            await page.get_by_role("button", name="Arrived", exact=True).click()
            await expect(page.locator("#stop-feedback")).to_have_text("Saved on the phone")
            await page.get_by_label("Recipient’s name").fill(f"Recipient {n}")
            await page.locator("#deliver-form input[type=file]").set_input_files(
                files=[{"name": f"door-{n}.png", "mimeType": "image/png", "buffer": png_photo(40 * n)}])
            await sign(page, n)
            await page.locator("#deliver-form").get_by_role("button", name="Delivered", exact=True).click()
            await expect(page.locator(".js-status")).to_have_text("Delivered")
        await page.locator("summary", has_text="Collect cash").click()
        await page.get_by_label("Amount (EUR)").fill("12.53")
        await page.get_by_role("button", name="Record payment").click()
        await expect(page.locator("#outbox-badge")).to_contain_text("7 changes waiting")
        await expect(page.locator("#outbox-badge")).to_contain_text("6 photos uploading")
        await expect(page.locator("#sync-message")).to_contain_text("Offline")

        # The app still opens with no network, from the service worker, with nothing lost.
        await page.goto("/courier")
        await expect(page.locator("h1")).to_contain_text("My route")
        await expect(page.locator("#outbox-badge")).to_contain_text("7 changes waiting")
        await expect(page.locator(f'.js-status[data-order-id="{day.order_ids[0]}"]')).to_have_text("Delivered")
        assert await MutationLog.count() == 0

        # A new service worker arrives while the outbox is full (sync held back meanwhile): nothing is lost.
        await context.route("**/api/v1/sync/**", lambda route: route.abort())
        await context.set_offline(False)
        await page.evaluate("""async () => {
            const registration = await navigator.serviceWorker.register('/sw.js?build=update-test');
            await new Promise((resolve) => {
                if (navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL.includes('build=update-test')) return resolve();
                navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true });
            });
            return registration.active && registration.active.scriptURL;
        }""")
        await context.set_offline(True)
        await page.reload()
        await expect(page.locator("h1")).to_contain_text("My route")
        await expect(page.locator("#outbox-badge")).to_contain_text("7 changes waiting")

        # Back online: the outbox drains, the photos follow, the badge returns to zero.
        await context.unroute("**/api/v1/sync/**")
        await context.set_offline(False)
        await page.evaluate("window.WaybillOutbox.sync()")
        await expect(page.locator("#outbox-badge")).to_have_text("Everything is sent", timeout=20_000)
        await expect(page.locator("#outbox-badge")).to_have_attribute("data-count", "0")
        await expect(page.locator("#outbox-badge")).to_have_attribute("data-blobs", "0")
    finally:
        await context.close()

    assert errors == []
    assert await MutationLog.count() == 7
    proofs = await DeliveryProof.select(DeliveryProof.order, DeliveryProof.photo_sha256, DeliveryProof.signature_sha256,
                                        DeliveryProof.recipient_name)
    assert sorted(p["order"] for p in proofs) == sorted(day.order_ids[:3])  # each delivery exactly once
    stored = {row["sha256"]: row for row in await Blob.select(Blob.sha256, Blob.size, Blob.content_type)}
    for proof in proofs:
        assert stored[proof["photo_sha256"]]["content_type"] == "image/jpeg"
        assert 0 < stored[proof["photo_sha256"]]["size"] <= 1024 * 1024
        assert stored[proof["signature_sha256"]]["content_type"] == "image/png"
    statuses = await Order.select(Order.id, Order.status).where(Order.id.is_in(day.order_ids))
    assert {row["id"]: row["status"] for row in statuses} == {
        **{order: "delivered" for order in day.order_ids[:3]}, day.order_ids[3]: "assigned"}
    cash = await CashEntry.select(CashEntry.order, CashEntry.amount)
    assert cash == [{"order": day.order_ids[2], "amount": 1253}]
