"""On a tablet, a dispatcher optimizes the demo day from the board with a short time limit, reads the before and
after figures, accepts, and a courier's route page shows the stops in their new order."""

from __future__ import annotations

import re

from playwright.async_api import expect

from app.demo import DEMO_PASSWORD, seed_demo
from app.dispatch.day import company_today
from tables.fleet import Courier
from tables.jobs import Job
from tables.routes import Stop


TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}


async def routes_now() -> dict[int, list[int]]:
    """courier id -> order ids on their route today, in order."""
    rows = await Stop.select(Stop.order, Stop.route.courier.as_alias("courier")).where(
        Stop.route.day == company_today()).order_by(Stop.sequence)
    found: dict[int, list[int]] = {}
    for row in rows:
        found.setdefault(row["courier"], []).append(row["order"])
    return found


async def log_in(page, login: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Login", exact=True).fill(login)
    await page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Log in", exact=True).click()


async def test_a_dispatcher_optimizes_the_demo_day_and_the_courier_sees_the_new_order(live_server, browser, artifacts,
                                                                                      worker):  # noqa: F811
    await seed_demo()
    before = await routes_now()
    base = live_server.url
    context = await browser.new_context(base_url=base, locale="en-US", **TABLET)
    context.set_default_timeout(30_000)
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    try:
        await log_in(page, "dispatcher1")
        await expect(page).to_have_url(f"{base}/board")

        await page.get_by_role("link", name="Optimize", exact=True).click()
        await page.get_by_label("Time limit").select_option("3")
        await page.get_by_role("button", name="Optimize", exact=True).click()
        await expect(page.locator("progress")).to_be_visible()  # the bar polls itself until the plan is ready

        await expect(page.get_by_role("heading", name="Proposal")).to_be_visible(timeout=60_000)
        figures = page.locator(".optimize-figures")
        await expect(figures.get_by_role("row", name="Distance")).to_contain_text("km")
        await expect(figures.get_by_role("row", name="Late stops")).to_be_visible()
        await expect(figures.get_by_role("row", name="Orders not planned")).to_be_visible()
        await expect(page.locator("#optimize-map")).to_have_attribute("data-drawn", re.compile(r"^[1-9]"))
        await page.screenshot(path=str(artifacts / "dispatcher-optimizes-proposal.png"), full_page=True)
        await page.get_by_role("button", name="Accept", exact=True).click()
        await expect(page).to_have_url(f"{base}/board?day={company_today().isoformat()}&done=1")

        job = await Job.select(Job.result).where(Job.actor == "optimize_day").first().output(load_json=True)
        proposal = job["result"]
        assert proposal["decision"] == "accepted"
        changed = [r for r in proposal["routes"]
                   if [s["order_id"] for s in r["stops"]] != [o for o in before.get(r["courier_id"], [])
                                                             if o in {s["order_id"] for s in r["stops"]}]]
        assert changed, "the optimizer changed no courier's order of stops"
        route = changed[0]
        planned = [s["order_id"] for s in route["stops"]]
        login = (await Courier.select(Courier.user.login.as_alias("login")).where(
            Courier.id == route["courier_id"]).first())["login"]

        courier = await browser.new_context(base_url=base, locale="en-US", viewport={"width": 390, "height": 844})
        phone = await courier.new_page()
        await log_in(phone, login)
        await phone.goto("/courier")
        shown = [int(value) for value in await phone.locator("li.stop").evaluate_all(
            "items => items.map(item => item.dataset.orderId)")]
        assert [order for order in shown if order in planned] == planned
        await courier.close()
        assert not problems, problems
    finally:
        await context.close()
