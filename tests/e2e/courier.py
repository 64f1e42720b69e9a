"""What the courier browser tests share: the phone they hold, logging in, a camera photo and a signature."""

from __future__ import annotations

import asyncio
import struct
import zlib

from playwright.async_api import expect

from tests.conftest import PASSWORD

# A small Android phone (360×740 CSS pixels), the narrowest screen the courier app is made for.
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "service_workers": "allow"}


async def phone(browser, live_server, **options):
    """A fresh phone in English (context, its page, and the script errors the page raises, to be none), with a
    patient default timeout for a loaded machine. The page has not loaded anything yet."""
    context = await browser.new_context(base_url=live_server.url, locale="en-US", **PHONE, **options)
    context.set_default_timeout(15_000)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


async def log_in(page, user, lands_on: str = "/courier") -> None:
    """Fill the login form (the page is on it already, or goes there) and land on `lands_on`."""
    if "/login" not in page.url:
        await page.goto("/login")
    origin = page.url.split("/login")[0]
    await page.get_by_label("Login", exact=True).fill(user.login)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Log in", exact=True).click()
    await expect(page).to_have_url(f"{origin}{lands_on}")


def png_photo(shade: int) -> bytes:
    """A small real PNG (what the phone's camera would hand the page), one colour per stop."""
    width = height = 48
    raw = b"".join(b"\x00" + bytes([shade, 80, 160]) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


async def sign(page, n: int) -> None:
    """Draw a signature on the pad with the finger (a mouse drag)."""
    await page.locator(".signature-pad").scroll_into_view_if_needed()
    box = await page.locator(".signature-pad").bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    await page.mouse.move(x, y)
    await page.mouse.down()
    for step in range(1, 8):
        await page.mouse.move(x + step * (box["width"] - 40) / 8, y + (15 + 10 * n if step % 2 else -15))
    await page.mouse.up()


async def eventually(read, expected, seconds: float = 15.0):
    """Wait until `await read()` equals `expected` (the server catches up with the phone), and return it."""
    deadline = asyncio.get_running_loop().time() + seconds
    while (found := await read()) != expected and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
    return found
