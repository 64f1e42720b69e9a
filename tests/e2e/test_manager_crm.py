"""A manager, in a real browser, registers a client with its source and consent, finds it again by phone number,
plans and completes a call from the daily list, sees it on the calendar and in the dossier; the supervisor
verifies the call and reads the plan-vs-fact page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from playwright.async_api import expect

from app.crm.daily_list import build_daily_list
from tables.activities import Activity
from tables.counterparties import Counterparty
from tables.notifications import ChannelConsent
from tests.conftest import PASSWORD

LAPTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB", "timezone_id": "Europe/Paris"}


async def log_in(page, url: str, login: str) -> None:
    await page.goto(f"{url}/login")
    await page.get_by_label("Login").fill(login)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(re.compile(r"/crm$"))


async def test_a_manager_registers_finds_calls_and_the_supervisor_verifies_and_reads_the_plan(
        live_server, browser, make_user, artifacts):
    boss = await make_user("manager", login="elodie", full_name="Élodie Perrin", time_zone="Europe/Paris")
    await make_user("manager", login="thomas", full_name="Thomas Caron", supervisor_id=boss.id,
                    time_zone="Europe/Paris")
    context = await browser.new_context(**LAPTOP)
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    url = live_server.url

    # Thomas registers a client: where it came from, and its consent to e-mails.
    await log_in(page, url, "thomas")
    await page.get_by_role("link", name="Register a client").click()
    await page.get_by_label("Name", exact=True).fill("Fromagerie Roux")
    await page.get_by_role("textbox", name="Phone").fill("+33 1 42 00 00 77")
    await page.get_by_role("textbox", name="E-mail").fill("bonjour@roux.fr")
    await page.get_by_label("How did they hear of us?").select_option("Trade fair")
    await page.get_by_role("checkbox", name="E-mail").check()
    await page.locator("#consent_how_email").fill("signed at the cheese fair")
    await page.get_by_role("button", name="Register").click()
    await expect(page.get_by_role("heading", name="Fromagerie Roux")).to_be_visible()
    await expect(page.get_by_text("signed at the cheese fair")).to_be_visible()
    client = await Counterparty.objects().where(Counterparty.name == "Fromagerie Roux").first()
    assert (client.marketing_source, client.phone) == ("Trade fair", "+33142000077")
    assert await ChannelConsent.exists().where((ChannelConsent.counterparty == client.id)
                                               & (ChannelConsent.channel == "email"))

    # ... and finds it again by its phone number, typed the local way.
    await page.get_by_role("link", name="Clients", exact=True).first.click()
    await page.get_by_label("Search").fill("01 42 00 00 77")
    await expect(page.locator("#client-rows").get_by_role("link", name="Fromagerie Roux")).to_be_visible()

    # Next morning the client is due a call (silent for 45 days): the daily list has it.
    await Counterparty.update({Counterparty.last_contact_at: datetime.now(timezone.utc) - timedelta(days=45),
                               Counterparty.created_at: datetime.now(timezone.utc) - timedelta(days=90)}).where(
        Counterparty.id == client.id)
    await build_daily_list()
    await page.goto(f"{url}/crm/today")
    item = page.locator(".contact-item", has_text="Fromagerie Roux")
    await item.get_by_role("button", name="Plan the call").click()
    await expect(item.get_by_text("Call planned for")).to_be_visible()
    await item.get_by_label("Result of the call").fill("Wants two pick-ups a week from December")
    await item.get_by_role("button", name="Record the result").click()
    await expect(item.get_by_text("Done: Wants two pick-ups a week from December")).to_be_visible()
    call = await Activity.objects().where((Activity.counterparty == client.id) & (Activity.origin == "daily_list")).first()
    assert call.state == "done"

    # The call is on the calendar and in the dossier's activities tab (one click, swapped in place).
    await page.goto(f"{url}/calendar?view=day")
    await expect(page.locator(".calendar-day .entry", has_text="Call Fromagerie Roux")).to_be_visible()
    await page.goto(f"{url}/crm/{client.id}")
    await page.get_by_role("tab", name="Activities").click()
    await expect(page.get_by_role("tab", name="Activities")).to_have_attribute("aria-selected", "true")
    await expect(page.locator("#tab-panel")).to_contain_text("Wants two pick-ups a week from December")
    await page.screenshot(path=str(artifacts / "crm-dossier-activities.png"), full_page=True)
    await context.close()

    # Élodie, the supervisor, verifies the call and reads the plan against facts.
    context = await browser.new_context(**LAPTOP)
    page = await context.new_page()
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    await log_in(page, url, "elodie")
    await page.goto(f"{url}/crm/verify")
    await page.get_by_role("link", name=re.compile("Call Fromagerie Roux")).click()
    await page.get_by_label("Supervisor's note").fill("Well handled")
    await page.get_by_role("button", name="Verify").click()
    await expect(page.get_by_text("Verified by Élodie Perrin")).to_be_visible()
    await page.goto(f"{url}/crm/plans")
    await page.get_by_label("Manager", exact=True).last.select_option(label="Thomas Caron")
    await page.get_by_label("Metric").select_option("activities:call")
    await page.get_by_label("Target (revenue in cents)").fill("5")
    await page.get_by_role("button", name="Save target").click()
    thomas = page.locator(".team-plan", has_text="Thomas Caron")
    row = thomas.locator("tr", has_text="Calls")
    await expect(row).to_have_class(re.compile("behind"))
    await expect(row.locator("td").nth(0)).to_have_text("5")
    await expect(row.locator("td").nth(1)).to_have_text("1")
    await expect(row.locator("td").nth(2)).to_have_text("-4")
    await page.screenshot(path=str(artifacts / "crm-plan-vs-fact.png"), full_page=True)
    verified = await Activity.objects().where(Activity.id == call.id).first()
    assert verified.verified_by == boss.id
    await context.close()
    assert problems == []


async def test_a_manager_drags_a_call_to_another_day_on_the_calendar(live_server, browser, make_user):
    from app.audit import Actor
    from app.crm.activities import ActivityInput, plan_activity
    from app.crm.counterparties import Registration, register_client
    from app.crm.visibility import viewer_of
    from app.dispatch.day import company_today, company_zone
    from tables.activities import ActivityReschedule

    thomas = await make_user("manager", login="thomas", full_name="Thomas Caron", time_zone="Europe/Paris")
    me = await viewer_of(thomas)
    client = await register_client(Actor(thomas.id, role="manager"), me, Registration(
        card={"name": "Café des Arts", "marketing_source": "Cold call"}))
    monday = company_today() - timedelta(days=company_today().weekday())
    start = datetime.combine(monday + timedelta(days=1), datetime.min.time().replace(hour=15),
                             tzinfo=company_zone()).astimezone(timezone.utc)
    call = await plan_activity(Actor(thomas.id, role="manager"), me, ActivityInput(
        kind="call", counterparty_id=client.id, subject="Terrace season", starts_at=start))
    context = await browser.new_context(**LAPTOP)
    page = await context.new_page()
    await log_in(page, live_server.url, "thomas")
    await page.goto(f"{live_server.url}/calendar?view=week&day={monday.isoformat()}")
    target = monday + timedelta(days=3)
    await page.locator(".calendar-day .entry", has_text="Terrace season").drag_to(page.locator(f'[data-day="{target.isoformat()}"]'))
    await expect(page.locator(f'[data-day="{target.isoformat()}"] .entry', has_text="Terrace season")).to_be_visible()
    moved = await Activity.objects().where(Activity.id == call.id).first()
    assert moved.starts_at == start + timedelta(days=2) and moved.state == "rescheduled"
    assert await ActivityReschedule.exists().where(ActivityReschedule.activity == call.id)
    await context.close()


async def test_a_manager_links_a_call_to_an_order_found_by_a_piece_of_its_reference(live_server, browser, make_user):
    from app.audit import Actor
    from app.crm.custom_fields import define_field
    from tests.factories import make_client, make_order

    thomas = await make_user("manager", login="thomas", full_name="Thomas Caron", time_zone="Europe/Paris")
    boxes = await define_field(Actor.system(), "activity", "Boxes discussed", "number", [])
    client = await make_client("Traiteur Moreau", manager=thomas.id)
    wanted = await make_order(client.id, external_ref="MOREAU-XMAS")
    other = await make_order(client.id, external_ref="MOREAU-JAN")
    context = await browser.new_context(**LAPTOP)
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    await log_in(page, live_server.url, "thomas")
    await page.goto(f"{live_server.url}/crm/{client.id}?tab=activities")
    await page.get_by_label("Subject").fill("Christmas buffet volumes")
    await page.get_by_label("Starts").fill("2030-12-01T10:00")
    await page.get_by_label("Boxes discussed").fill("lots")
    await page.get_by_role("searchbox", name="Order").fill("xmas")
    options = page.locator("#a-order option")
    await expect(options).to_have_count(2)  # "No order" and the one that matches
    await page.get_by_label("Linked order").select_option(str(wanted.id))
    await page.get_by_role("button", name="Plan").click()
    await expect(page.locator("#custom_%d-error" % boxes.id)).to_have_text("Enter a number.")
    await page.get_by_label("Boxes discussed").fill("40")
    await page.get_by_role("searchbox", name="Order").fill(wanted.reference[-6:])
    await expect(options).to_have_count(2)
    await page.get_by_label("Linked order").select_option(str(wanted.id))
    await page.get_by_role("button", name="Plan").click()
    await page.locator("#tab-panel").get_by_role("link", name=re.compile("Christmas buffet volumes")).click()
    await expect(page.get_by_role("link", name=wanted.reference)).to_be_visible()
    await expect(page.locator("dl.facts")).to_contain_text("Boxes discussed")
    call = await Activity.objects().where(Activity.counterparty == client.id).first()
    assert (call.order, call.subject) == (wanted.id, "Christmas buffet volumes") and other.id != wanted.id
    await context.close()
    assert [text for text in problems if "422" not in text] == []  # the refused form answers 422, on purpose
