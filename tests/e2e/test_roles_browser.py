"""In a real browser, each role logs in, lands on its home page, sees only its navigation, and switches to Georgian.

The Georgian expected on screen is read from the ka catalogue at test time, so the test follows the translators.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
from babel.messages.pofile import read_po
from playwright.async_api import expect

from app.accounts.roles import COURIER, DISPATCHER, HOME, ROLES, navigation_for
from app.i18n import LOCALES_DIR
from tests.conftest import PASSWORD
from tests.e2e.conftest import evidence_on_failure

GEORGIAN_LETTERS = re.compile("[\u10d0-\u10ff]")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
DEVICES = {COURIER: PHONE, DISPATCHER: TABLET}
NAMES = {"admin": "Ana Admin", "manager": "Mark Manager", "dispatcher": "Dina Dispatcher", "courier": "Carl Courier",
         "accountant": "Alice Accountant"}


@lru_cache(maxsize=1)
def _georgian_catalogue():
    with (LOCALES_DIR / "ka" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale="ka")


def georgian(msgid: str) -> str:
    """The ka translation of `msgid`, which must exist and be written in Georgian letters."""
    message = _georgian_catalogue().get(msgid)
    assert message is not None, f"{msgid!r} is not in the ka catalogue"
    assert message.string, f"{msgid!r} has no Georgian translation yet (ka messages.po)"
    assert GEORGIAN_LETTERS.search(message.string), f"the ka translation of {msgid!r} has no Georgian letter"
    return message.string


def msgid_of(label) -> str:
    """The English source of a lazily translated label (what the page shows in English)."""
    return label._args[0] if hasattr(label, "_args") else str(label)


async def open_menu_if_folded(page) -> None:
    """On a phone the navigation hides behind the Menu button."""
    toggle = page.locator(".menu-toggle")
    if await toggle.is_visible():
        await toggle.click()
        await expect(toggle).to_have_attribute("aria-expanded", "true")
    await expect(page.locator("#nav")).to_be_visible()


@pytest.mark.parametrize("role", ROLES)
async def test_a_role_logs_in_lands_home_and_switches_to_georgian(role, live_server, browser, make_user, artifacts):
    user = await make_user(role, full_name=NAMES[role])
    base = live_server.url
    allowed = navigation_for(role)
    context = await browser.new_context(base_url=base, locale="en-US", **DEVICES.get(role, DESKTOP))
    context.set_default_timeout(10_000)
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type == "error" else None)
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    async with evidence_on_failure(context, page, live_server, artifacts, role):
        # Anonymous: the start page sends to the login page, in English (the browser's language).
        await page.goto("/")
        await expect(page).to_have_url(f"{base}/login")
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await page.get_by_label("Login", exact=True).fill(user.login)
        await page.get_by_label("Password", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Log in", exact=True).click()

        # The role's home page, and exactly the navigation the role allows.
        await expect(page).to_have_url(f"{base}{HOME[role]}")
        await expect(page.locator(".error-page")).to_have_count(0)
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await open_menu_if_folded(page)
        links = page.locator("#nav a")
        assert await links.evaluate_all("links => links.map(link => link.getAttribute('href'))") == [
            *(item.path for item in allowed), "/account"]
        await expect(links).to_have_text([*(msgid_of(item.label) for item in allowed), user.full_name])
        await expect(page.locator('#nav a[aria-current="page"]')).to_have_attribute("href", HOME[role])
        await expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()

        # My account -> Preferences -> Language: ქართული.
        await page.get_by_role("link", name=user.full_name, exact=True).click()
        await expect(page).to_have_url(f"{base}/account")
        await page.get_by_label("Language", exact=True).select_option("ka")
        await page.get_by_role("button", name="Save", exact=True).click()
        await expect(page.locator("html")).to_have_attribute("lang", "ka")
        await expect(page.get_by_role("heading", level=1)).to_have_text(georgian("My account"))
        await expect(page.get_by_role("status")).to_have_text(georgian("Your preferences are saved."))

        # The choice is the person's: their home page is now in Georgian, navigation and all.
        await page.get_by_role("link", name="Waybill", exact=True).click()
        await expect(page).to_have_url(f"{base}{HOME[role]}")
        await expect(page.locator("html")).to_have_attribute("lang", "ka")
        await expect(page.get_by_role("heading", level=1)).to_have_text(GEORGIAN_LETTERS)
        await open_menu_if_folded(page)
        await expect(links).to_have_text([*(georgian(msgid_of(item.label)) for item in allowed), user.full_name])
        log_out = page.get_by_role("button", name=georgian("Log out"), exact=True)
        await expect(log_out).to_be_visible()
        assert GEORGIAN_LETTERS.search(await log_out.inner_text())
        await page.screenshot(path=artifacts / f"{role}-ka.png", full_page=True)

        assert not problems, "the browser saw errors:\n" + "\n".join(problems)
