"""On a tablet, a dispatcher types an order: the price follows the fields, dragging the pin fills the
coordinates, and a bad phone number comes back inline."""

from __future__ import annotations

from playwright.async_api import expect

from app.dispatch.day import company_today
from tables.orders import Order, Place
from tests.conftest import PASSWORD
from tests.e2e.conftest import evidence_on_failure
from tests.factories import make_client, make_company_price_list

TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}


async def test_typing_an_order_with_the_pin_and_the_live_price(live_server, browser, make_user, artifacts):
    dispatcher = await make_user("dispatcher")
    await make_company_price_list(base=690, per_km=0, minimum=0)
    await make_client("Boulangerie Martin")
    context = await browser.new_context(base_url=live_server.url, locale="en-US", **TABLET)
    context.set_default_timeout(15_000)
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    async with evidence_on_failure(context, page, live_server, artifacts, "order-form"):
        await page.goto("/login")
        await page.get_by_label("Login", exact=True).fill(dispatcher.login)
        await page.get_by_label("Password", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Log in", exact=True).click()
        await page.goto("/orders/new")
        await page.get_by_label("Client", exact=True).select_option(label="Boulangerie Martin")
        await page.locator("#dropoff_address").fill("8 Rue Cler, 75007 Paris")
        pin = page.locator(".pin-dropoff")
        await pin.scroll_into_view_if_needed()
        box = await pin.bounding_box()
        await page.mouse.move(box["x"] + 14, box["y"] + 14)
        await page.mouse.down()
        await page.mouse.move(box["x"] + 60, box["y"] + 90, steps=8)
        await page.mouse.up()
        await expect(page.locator("#dropoff_lat")).not_to_have_value("")
        await page.locator("#dropoff_contact_phone").fill("12")
        day = company_today().isoformat()
        await page.locator("#deliver_from").fill(f"{day}T14:00")
        await page.locator("#deliver_to").fill(f"{day}T16:00")
        await page.locator("#cod_amount").fill("45.00")
        await page.locator("#cod_amount").dispatch_event("change")
        await expect(page.locator("#quote [data-total]")).to_have_text("€8.40")  # base 6.90 + cash fee 1.50
        await page.get_by_role("button", name="Create order").click()
        await expect(page.locator("#dropoff_contact_phone-error")).to_be_visible()
        assert await Order.count() == 0
        await page.locator("#dropoff_contact_phone").fill("06 12 34 56 78")
        await page.get_by_role("button", name="Create order").click()
        await expect(page.locator("#price-breakdown")).to_contain_text("€8.40")
        dropoff = await Place.objects().where(Place.address == "8 Rue Cler, 75007 Paris").first()
        assert dropoff.contact_phone == "+33612345678" and dropoff.lat != 48.8566  # moved off the map's centre
        assert not problems, problems
