"""A client follows a delivery on a phone: opens the link, sees the ETA, leaves instructions for the courier, and
after the courier delivers sees the proof and rates the delivery."""

from __future__ import annotations

import hashlib
import re

from playwright.async_api import expect

from app.audit import Actor
from app.orders.orders import change_status
from app.orders.status import By
from tables.orders import Order
from tables.sync import Blob, DeliveryProof
from tables.tracking import DeliveryInstruction, DeliveryRating
from tests.tracking.scenario import add_stop, make_client, make_order, make_route, now

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "en-GB"}
# A 1x1 PNG: the proof photo the courier took.
PHOTO = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d49444154789c6360f8cf000000030101006dd8c1b10000000049454e44ae426082")


async def test_a_client_follows_the_delivery_leaves_instructions_then_sees_the_proof_and_rates_it(
        live_server, browser, make_user, artifacts):
    courier = await make_user("courier", full_name="Karim Benali")
    buyer = await make_client(name="Marie Dupont", locale="en")
    route = await make_route(courier.id, position=(48.80, 2.30))
    order = await make_order(buyer, status="assigned", events=["new", "assigned"])
    await add_stop(route, order, sequence=1, planned_eta=now())

    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" and "tile" not in msg.text
            else None)
    await page.goto(f"{live_server.url}/t/{order.tracking_token}")
    await expect(page.get_by_role("heading", name=f"Your delivery {order.reference}")).to_be_visible()
    await expect(page.locator(".eta strong")).to_have_text(re.compile(r"\d{1,2}:\d{2}"))
    await expect(page.get_by_text("You are the courier's next stop.")).to_be_visible()

    await page.get_by_label("Door code, where to leave the parcel").fill("Code 4B, leave it with the concierge")
    await page.get_by_role("button", name="Save instructions").click()
    await expect(page.get_by_text("Thank you, the courier will see your instructions.")).to_be_visible()
    saved = await DeliveryInstruction.objects().where(DeliveryInstruction.order == order.id).first()
    assert saved.text == "Code 4B, leave it with the concierge"
    await page.screenshot(path=str(artifacts / "tracking-phone-before.png"), full_page=True)

    # The courier sets out, then delivers with a photo and the recipient's name.
    row = await Order.objects().where(Order.id == order.id).first()
    courier_actor = Actor(user_id=courier.id, role="courier")
    await change_status(courier_actor, row, "out_for_delivery", By.COURIER)
    sha = hashlib.sha256(PHOTO).hexdigest()
    await Blob.insert(Blob(sha256=sha, content_type="image/png", size=len(PHOTO), data=PHOTO))
    await DeliveryProof.insert(DeliveryProof(source="phone:1", order=order.id, courier=courier.id, outcome="delivered",
                                             recipient_name="Jean, the concierge", photo_sha256=sha, happened_at=now()))
    await change_status(courier_actor, row, "delivered", By.COURIER)

    await page.reload()
    await expect(page.get_by_role("heading", name="Delivered")).to_be_visible()
    await expect(page.get_by_text("Received by Jean, the concierge")).to_be_visible()
    photo = page.get_by_alt_text("Photo of the delivered parcel")
    await expect(photo).to_be_visible()
    assert await photo.evaluate("img => img.naturalWidth") == 1
    await expect(page.locator("#track-map")).to_have_count(0)

    await page.get_by_label("4 stars").check()
    await page.get_by_label("Comment (optional)").fill("Quick and kind")
    await page.get_by_role("button", name="Send rating").click()
    await expect(page.get_by_text("Thank you for your rating.")).to_be_visible()
    await expect(page.locator(".stars-given")).to_have_text("★★★★☆")
    rating = await DeliveryRating.objects().where(DeliveryRating.order == order.id).first()
    assert (rating.stars, rating.comment, rating.courier) == (4, "Quick and kind", courier.id)

    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    await page.screenshot(path=str(artifacts / "tracking-phone-after.png"), full_page=True)
    assert problems == []
    await context.close()
