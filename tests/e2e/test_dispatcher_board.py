"""On a tablet, a dispatcher imports a file of orders, sees their prices, assigns them to a courier, reorders the
route by dragging a stop, and watches statuses change on the board without reloading."""

from __future__ import annotations

from playwright.async_api import expect

from app.dispatch.day import company_today
from app.orders.orders import change_status
from app.orders.status import By
from tables.orders import Order
from tables.routes import Stop
from tests.conftest import PASSWORD
from tests.factories import committed, make_client, make_company_price_list, make_courier

TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}


def orders_file() -> bytes:
    day = company_today().isoformat()
    header = "external_ref,client,dropoff_address,dropoff_lat,dropoff_lon,dropoff_contact_phone,deliver_from,deliver_to,weight_kg,cod_amount\n"
    rows = [
        f"SHOP-1,Boulangerie Martin,8 Rue Cler 75007 Paris,48.8560,2.3065,06 12 34 56 78,{day} 10:00,{day} 12:00,2,\n",
        f"SHOP-2,Boulangerie Martin,1 Rue Lepic 75018 Paris,48.8860,2.3340,,{day} 11:00,{day} 13:00,1,45.00\n",
        f"SHOP-3,Boulangerie Martin,5 Rue Oberkampf 75011 Paris,48.8655,2.3780,,{day} 14:00,{day} 16:00,3,\n",
        f"SHOP-4,Boulangerie Martin,9 Rue Mouffetard 75005 Paris,48.8420,2.3497,12,{day} 15:00,{day} 17:00,many,\n",
    ]
    return (header + "".join(rows)).encode()


async def test_import_price_assign_reorder_and_watch(live_server, browser, make_user, artifacts):
    dispatcher = await make_user("dispatcher", full_name="Dina Dispatcher")
    await make_company_price_list(base=690, per_km=80, minimum=900)
    await make_client("Boulangerie Martin")
    courier = await make_courier(make_user, "Karim Haddad")
    base = live_server.url
    context = await browser.new_context(base_url=base, locale="en-US", **TABLET)
    context.set_default_timeout(15_000)
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda message: problems.append(f"console: {message.text}") if message.type == "error" else None)
    try:
        await page.goto("/login")
        await page.get_by_label("Login", exact=True).fill(dispatcher.login)
        await page.get_by_label("Password", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Log in", exact=True).click()
        await expect(page).to_have_url(f"{base}/board")

        # Import: the dry run names the bad line and its fields; confirming keeps the three good rows.
        await page.get_by_role("link", name="Import", exact=True).click()
        await page.get_by_label("File", exact=True).set_input_files(
            {"name": "orders.csv", "mimeType": "text/csv", "buffer": orders_file()})
        await page.get_by_role("button", name="Check the file").click()
        preview = page.locator("#import-preview")
        await expect(preview.locator('[data-count="good"]')).to_have_text("3")
        errors = preview.locator(".import-errors tbody tr")
        await expect(errors).to_have_count(2)
        await expect(errors.first).to_contain_text("5")
        await expect(errors.first).to_contain_text("dropoff_contact_phone")
        assert await Order.count() == 0  # a dry run writes nothing
        await page.get_by_role("button", name="Create 3 orders").click()
        await expect(page.locator("#import-done")).to_contain_text("3 orders created.")

        # The board shows them with their prices.
        await page.get_by_role("link", name="Go to the board").click()
        rows = page.locator("#order-rows tr[data-order]")
        await expect(rows).to_have_count(3)
        prices = await page.locator("#order-rows td.num").all_inner_texts()
        assert all(price.startswith("€") and price != "€0.00" for price in prices), prices

        # Assign all three to Karim in one go.
        await page.get_by_label("Select all shown").check()
        await page.get_by_label("Selected orders").select_option(label="Karim Haddad (0)")
        await page.get_by_role("button", name="Assign", exact=True).click()
        await expect(page.get_by_role("status")).to_have_text("Done.")
        await expect(page.locator("#order-rows")).to_contain_text("Karim Haddad · 3")

        # Open his route and drag the first stop below the last one.
        await page.locator("#couriers").get_by_role("link", name="Karim Haddad").click()
        stops = page.locator("#route-stops .route-stop")
        await expect(stops).to_have_count(3)
        before = await stops.evaluate_all("items => items.map(item => item.dataset.stop)")
        handle = stops.first.locator(".drag-handle")
        target = await stops.last.bounding_box()
        box = await handle.bounding_box()
        await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        await page.mouse.down()
        await page.mouse.move(target["x"] + 20, target["y"] + target["height"] * 0.8, steps=12)
        async with page.expect_response(lambda response: response.url.endswith("/order")) as saving:
            await page.mouse.up()
        assert (await saving.value).ok
        expected = [*before[1:], before[0]]
        await expect(page.locator("#route-stops .route-stop").first).to_have_attribute("data-stop", expected[0])
        saved = await Stop.select(Stop.id).order_by(Stop.sequence).output(as_list=True)
        assert [str(stop_id) for stop_id in saved] == expected

        # The courier delivers the first stop; the board shows it without a reload.
        first = await Stop.objects().get(Stop.id == int(expected[0]))
        order = await Order.objects().get(Order.id == first.order)
        await committed(change_status)(type("Courier", (), {"user_id": courier.user, "ip": "", "role": "courier"})(),
                            order, "delivered", By.COURIER)
        await expect(page.locator(f"#status-{order.id}")).to_have_text("Delivered", timeout=20_000)
        await expect(page.locator('[data-count="delivered"]')).to_have_text("1")

        assert not problems, "the browser saw errors:\n" + "\n".join(problems)

        # A forbidden step is refused (409, so the browser logs it) with a clear message and changes nothing.
        await page.locator(f"#pick-{order.id}").check()
        await page.get_by_role("button", name="Unassign", exact=True).click()
        await expect(page.locator("#board-error")).to_contain_text("already under way")
        assert await Stop.count() == 3
        await page.screenshot(path=artifacts / "dispatcher-board.png", full_page=True)
    except Exception:
        await page.screenshot(path=artifacts / "dispatcher-board-failure.png", full_page=True)
        print(live_server.log_tail())
        raise
    finally:
        await context.close()
