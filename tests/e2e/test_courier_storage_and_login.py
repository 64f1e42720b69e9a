"""Two ways a courier's phone can stop sending, on a small phone: its storage fills up (a warning before, and a
failed write is said plainly and loses nothing already saved), and the session expires during sync (the outbox
is kept, the courier logs in again, and what waited is then sent exactly once)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from playwright.async_api import expect

from app.sync.fixtures import build_day
from tables.accounts import WebSession
from tables.sync import CashEntry, CourierNote, MutationLog
from tests.e2e.courier import log_in, phone

NEAR_FULL = "The phone is running out of storage"
FULL = "The phone’s storage is full: your last action was not saved"


# A small disk, played in the page: the storage estimate reports `window.testQuota` when set, and while
# `window.testDiskFull` is set every IndexedDB write aborts the way a full disk makes it (the transaction's error
# is a QuotaExceededError). Chromium's DevTools quota override is not used: it is not applied to a database
# that is already open.
SMALL_DISK = """(() => {
    const estimate = StorageManager.prototype.estimate;
    StorageManager.prototype.estimate = function () {
        return estimate.call(this).then((found) => window.testQuota ? { usage: found.usage, quota: window.testQuota } : found);
    };
    const transaction = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (stores, mode, options) {
        const tx = transaction.call(this, stores, mode, options);
        if (mode === "readwrite" && window.testDiskFull) {
            Object.defineProperty(tx, "error", { value: new DOMException("The quota has been exceeded.", "QuotaExceededError") });
            queueMicrotask(() => tx.abort());
        }
        return tx;
    };
})();"""


async def leave_room(page, room: int | None) -> None:
    """The phone has only `room` bytes left for this site (None: plenty again)."""
    await page.evaluate("""async (room) => {
        const usage = (await navigator.storage.estimate()).usage;
        window.testQuota = room === null ? 0 : usage + room;
        window.testDiskFull = room === 0;
    }""", room)


async def test_a_full_phone_warns_and_loses_nothing_already_saved(live_server, browser, make_user):
    courier = await make_user("courier", full_name="Sam Storage")
    day = await build_day(courier.id, stops=1, cod_every=1)
    context, page, errors = await phone(browser, live_server)
    await context.add_init_script(SMALL_DISK)
    message, badge = page.locator("#sync-message"), page.locator("#outbox-badge")
    try:
        await log_in(page, courier)
        await page.goto(f"/courier/stops/{day.stop_ids[0]}")
        await expect(badge).to_have_text("Everything is sent")
        await expect(message).to_be_hidden()
        await context.set_offline(True)

        # Little room left: the note is saved, and the phone warns before it is too late.
        await leave_room(page, 5 * 1024 * 1024)
        await page.locator("summary", has_text="Add a note").click()
        await page.locator("#note-form").get_by_label("Note").fill("Parcel left with the caretaker")
        await page.get_by_role("button", name="Save note").click()
        await expect(page.locator("#stop-feedback")).to_have_text("Saved on the phone")
        await expect(message).to_contain_text(NEAR_FULL)
        await expect(badge).to_have_text("1 change waiting")

        # No room at all: the payment is refused by the phone, said so plainly, and nothing before it is lost.
        await leave_room(page, 0)
        await page.locator("summary", has_text="Collect cash").click()
        await page.get_by_label("Amount (EUR)").fill("12.50")
        await page.get_by_role("button", name="Record payment").click()
        await expect(page.locator("#stop-feedback")).to_contain_text(FULL)
        await expect(message).to_contain_text(FULL)
        await expect(badge).to_have_text("1 change waiting")
        await expect(page.get_by_label("Amount (EUR)")).to_have_value("12.50")  # ready to try again

        # Space freed: the same payment is saved, the warnings go, and back online both arrive once.
        await leave_room(page, None)
        await page.get_by_role("button", name="Record payment").click()
        await expect(page.locator("#stop-feedback")).to_have_text("Saved on the phone")
        await expect(badge).to_have_text("2 changes waiting")
        await expect(message).not_to_contain_text("storage")
        await context.set_offline(False)
        await expect(badge).to_have_text("Everything is sent")
    finally:
        await context.close()
    assert errors == []
    assert await CourierNote.count() == 1
    assert await CashEntry.select(CashEntry.amount) == [{"amount": 1250}]
    assert await MutationLog.count() == 2


async def test_an_expired_session_keeps_the_outbox_until_the_courier_logs_in_again(live_server, browser, make_user):
    courier = await make_user("courier", full_name="Lou Login")
    day = await build_day(courier.id, stops=1, cod_every=1)
    stop_page = f"/courier/stops/{day.stop_ids[0]}"
    context, page, errors = await phone(browser, live_server)
    badge = page.locator("#outbox-badge")
    try:
        await log_in(page, courier)
        await page.goto(stop_page)
        await expect(badge).to_have_text("Everything is sent")

        # Offline at the door: the arrival and a note wait on the phone, while the session ends on the server.
        await context.set_offline(True)
        await page.get_by_role("button", name="Arrived", exact=True).click()
        await page.locator("summary", has_text="Add a note").click()
        await page.locator("#note-form").get_by_label("Note").fill("Dog in the garden")
        await page.get_by_role("button", name="Save note").click()
        await expect(badge).to_have_text("2 changes waiting")
        await WebSession.update({WebSession.expires_at: datetime.now(timezone.utc) - timedelta(minutes=1)}).where(
            WebSession.user == courier.id)

        # Back online, the server no longer knows the phone: nothing is sent, nothing is dropped.
        await context.set_offline(False)
        await expect(page.locator("#sync-message")).to_contain_text("Please log in again to send your changes.")
        await expect(badge).to_have_text("2 changes waiting")
        assert await MutationLog.count() == 0

        # The courier logs in again and lands back on the stop; what waited is sent, once.
        await page.get_by_role("link", name="Log in again").click()
        await log_in(page, courier, lands_on=stop_page)
        await expect(badge).to_have_text("Everything is sent")
        await expect(page.locator("#login-again")).to_be_hidden()
        await page.evaluate("window.WaybillOutbox.sync()")
    finally:
        await context.close()
    assert errors == []
    assert await MutationLog.count() == 2
    assert await CourierNote.count() == 1
