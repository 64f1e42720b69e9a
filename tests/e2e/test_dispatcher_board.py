"""On a tablet, a dispatcher imports a file of orders, sees their prices, assigns them to a courier, reorders the
route by dragging a stop, and watches statuses change on the board without reloading."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timezone

from playwright.async_api import expect

from app.db import writing
from app.dispatch.address_suggestions import decline_suggestion
from app.dispatch.day import company_today
from app.orders.orders import cancel_order, change_status
from app.orders.status import By
from app.routes.board import PAGE as BOARD_PAGE
from app.sync.fixtures import build_day
from tables.orders import Order
from tables.routes import Stop
from tables.sync import AddressSuggestion
from tests.conftest import PASSWORD
from tests.e2e.conftest import evidence_on_failure
from tests.factories import SYSTEM, committed, make_client, make_company_price_list, make_courier, many_orders

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


@asynccontextmanager
async def dispatcher_tab(browser, live_server, artifacts, login: str, name: str):
    """A tablet-sized tab logged in as the dispatcher, on the board: yields the page and the list of script and
    console errors it saw; on failure, a screenshot `<name>-failure.png` and the server's log."""
    context = await browser.new_context(base_url=live_server.url, locale="en-US", **TABLET)
    context.set_default_timeout(15_000)
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda message: problems.append(f"console: {message.text}") if message.type == "error" else None)
    async with evidence_on_failure(context, page, live_server, artifacts, name):
        await page.goto("/login")
        await page.get_by_label("Login", exact=True).fill(login)
        await page.get_by_label("Password", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Log in", exact=True).click()
        await expect(page).to_have_url(f"{live_server.url}/board")
        yield page, problems


async def test_import_price_assign_reorder_and_watch(live_server, browser, make_user, artifacts):
    dispatcher = await make_user("dispatcher", full_name="Dina Dispatcher")
    await make_company_price_list(base=690, per_km=80, minimum=900)
    await make_client("Boulangerie Martin")
    courier = await make_courier(make_user, "Karim Haddad")
    tab = dispatcher_tab(browser, live_server, artifacts, dispatcher.login, "dispatcher-board")
    async with tab as (page, problems):
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


async def test_a_refused_answer_shows_its_message_without_a_reload(live_server, browser, make_user, artifacts):
    dispatcher, courier = await make_user("dispatcher"), await make_user("courier", full_name="Karim Haddad")
    day = await build_day(courier.id, stops=2)
    await AddressSuggestion.insert(*(AddressSuggestion(
        source=f"phone:{n}", order=order_id, courier=courier.id, address=f"{n} Impasse Exacte, 75011 Paris",
        suggested_at=datetime.now(timezone.utc)) for n, order_id in enumerate(day.order_ids)))
    tab = dispatcher_tab(browser, live_server, artifacts, dispatcher.login, "dispatcher-refusal")
    async with tab as (page, _problems):  # a refused answer is logged by the browser: that is the point here
        await page.route("**/board/live*", lambda route: route.fulfill(status=204, body=""))  # the panel holds still
        await page.goto("/board")
        fixes = page.locator('[data-exception="addresses"] li')
        await expect(fixes).to_have_count(2)
        await page.evaluate("window.notReloaded = true")

        # Another dispatcher answers the first fix meanwhile: this one's Accept is refused with 409.
        first, second = await AddressSuggestion.select(AddressSuggestion.id).order_by(
            AddressSuggestion.id).output(as_list=True)
        async with writing():
            await decline_suggestion(SYSTEM, first)
        async with page.expect_response(lambda response: response.url.endswith(f"/{first}/accept")) as answer:
            await page.locator(f"#address-suggestion-{first}").get_by_role("button", name="Accept").click()
        assert (await answer.value).status == 409
        await expect(page.locator(f"#address-suggestion-{first}")).to_have_text(
            "This address suggestion was already answered.")

        # An expired form gets the whole error page from the server: its message goes to the error area.
        await page.evaluate("""() => {
            document.body.setAttribute("hx-headers", '{"X-CSRF-Token": "stale"}');
            document.querySelectorAll("input[name=_csrf_token]").forEach(input => { input.value = "stale"; });
        }""")
        await page.locator(f"#address-suggestion-{second}").get_by_role("button", name="Decline").click()
        await expect(page.locator("#board-error-slot")).to_contain_text("Your form has expired")
        await expect(page.locator(f"#address-suggestion-{second}")).to_contain_text("Impasse Exacte")
        assert await page.evaluate("window.notReloaded === true")
        assert await AddressSuggestion.count().where(AddressSuggestion.status == "pending") == 1
        await page.screenshot(path=artifacts / "dispatcher-board-refusal.png", full_page=True)


async def test_the_live_poll_follows_rows_shown_by_show_more(live_server, browser, make_user, artifacts):
    dispatcher = await make_user("dispatcher")
    ids = await many_orders((await make_client()).id, BOARD_PAGE + 5)
    tab = dispatcher_tab(browser, live_server, artifacts, dispatcher.login, "dispatcher-live")
    async with tab as (page, problems):
        await page.get_by_role("link", name="Show more").click()
        late_row = page.locator(f"#status-{ids[-1]}")
        await expect(late_row).to_have_attribute("data-status", "new")
        await committed(cancel_order)(SYSTEM, await Order.objects().get(Order.id == ids[-1]), "client called")
        await expect(late_row).to_have_attribute("data-status", "cancelled", timeout=20_000)
        assert not problems, "the browser saw errors:\n" + "\n".join(problems)
