"""Web Push: a client subscribes from the tracking page and their phone shows our message — the fake push service
decrypts what it receives with the browser's keys (aes128gcm), exactly as the phone would."""

from __future__ import annotations

import base64
import json

from app.audit import Actor
from app.notifications.outbox import plan_order_messages, plan_route_changed, send_message
from app.notifications.vapid import public_key, vapid_keys
from tables.notifications import ChannelConsent, Message, PushSubscription, VapidKey
from tests.conftest import csrf_token, log_in
from tests.tracking.scenario import configure


async def _subscribe_from_tracking_page(client, token: str, browser) -> int:
    await client.get(f"/t/{token}")
    response = await client.post(f"/t/{token}/push", json=browser.subscription(),
                                 headers={"x-csrf-token": await csrf_token(client)})
    return response.status_code


async def test_a_client_subscribes_on_the_tracking_page_and_the_phone_shows_the_message(
        client, delivery, push_service, monkeypatch):
    configure(monkeypatch, push_ttl_s=900)
    buyer, order, _route, _others = await delivery(stops_before=0, status="out_for_delivery", locale="en")
    page = await client.get(f"/t/{order.tracking_token}")
    assert f'data-vapid-key="{await public_key()}"' in page.text

    phone = push_service.browser("marie-phone")
    assert await _subscribe_from_tracking_page(client, order.tracking_token, phone) == 201
    consent = await ChannelConsent.objects().where(ChannelConsent.counterparty == buyer.id).first()
    assert consent.channel == "push" and consent.granted and "tracking page" in consent.how

    [message_id] = await plan_order_messages(order.id, "out_for_delivery")
    assert await send_message(message_id) == "sent"
    [shown] = push_service.received
    assert shown["payload"]["title"] == f"Your delivery {order.reference} is on its way"
    assert shown["payload"]["body"].startswith(f"Your delivery {order.reference} is on its way, expected at")
    assert shown["payload"]["url"].endswith(f"/t/{order.tracking_token}")
    assert shown["ttl"] == "900" and shown["encoding"] == "aes128gcm"
    assert shown["authorization"].startswith("vapid t=") and f"k={await public_key()}" in shown["authorization"]


async def test_a_subscription_the_push_service_forgot_is_deleted(client, delivery, push_service):
    buyer, order, _route, _others = await delivery(stops_before=0, status="out_for_delivery")
    phone = push_service.browser("old-phone")
    await _subscribe_from_tracking_page(client, order.tracking_token, phone)
    push_service.gone.add("/push/old-phone")
    [message_id] = await plan_order_messages(order.id, "out_for_delivery")
    assert await send_message(message_id) == "failed"
    assert await PushSubscription.count() == 0
    row = await Message.objects().where(Message.id == message_id).first()
    assert "410" in row.reason and "deleted" in row.reason


async def test_a_forged_subscription_is_refused(client, delivery):
    _buyer, order, _route, _others = await delivery(stops_before=0)
    await client.get(f"/t/{order.tracking_token}")
    bad = {"endpoint": "http://evil.example/push", "keys": {"p256dh": "x", "auth": "y"}}
    response = await client.post(f"/t/{order.tracking_token}/push", json=bad,
                                 headers={"x-csrf-token": await csrf_token(client)})
    assert response.status_code == 422 and await PushSubscription.count() == 0


async def test_the_vapid_key_is_made_once_and_kept():
    first = await vapid_keys()
    assert await vapid_keys() == first and await VapidKey.count() == 1
    assert len(base64.urlsafe_b64decode(first[1] + "==")) == 65  # an uncompressed P-256 point


async def test_a_dispatcher_hears_of_a_failed_attempt_on_their_tablet(client, make_user, delivery, push_service):
    dispatcher = await make_user("dispatcher", locale="en")
    await log_in(client, dispatcher.login)
    tablet = push_service.browser("dispatch-tablet")
    response = await client.post("/notifications/devices", json=tablet.subscription(),
                                 headers={"x-csrf-token": await csrf_token(client)})
    assert response.status_code == 201
    devices = await client.get("/notifications/devices")
    assert "1 device of yours receives notifications." in devices.text

    _buyer, order, _route, _others = await delivery(stops_before=0, status="failed")
    ids = await plan_order_messages(order.id, "failed_attempt")  # the client consented to nothing
    for message_id in ids:
        await send_message(message_id)
    [shown] = push_service.received
    assert shown["path"] == "/push/dispatch-tablet"
    assert shown["payload"]["title"] == f"Failed attempt: {order.reference}" and shown["payload"]["url"] == "/board"


async def test_a_courier_hears_that_the_route_changed(make_user, push_service):
    from app.notifications.subscriptions import subscribe_staff

    courier = await make_user("courier", locale="en")
    phone = push_service.browser("courier-phone")
    sub = phone.subscription()
    await subscribe_staff(Actor(user_id=courier.id), courier.id, sub["endpoint"], sub["keys"]["p256dh"],
                          sub["keys"]["auth"], "en")
    for message_id in await plan_route_changed(courier.id, "route-1"):
        await send_message(message_id)
    [shown] = push_service.received
    assert shown["payload"] == {"title": "Your route changed", "body": "Your route for today changed. Open the app "
                                "to see it.", "url": "/courier", "tag": "wb-route"}
    assert json.dumps(shown["payload"])  # what the service worker parses


async def test_when_dispatch_adds_an_order_to_a_route_the_couriers_phone_is_told(make_user, push_service):
    from app.dispatch.assign import assign_orders
    from app.notifications.actors import notify_route_changed
    from app.notifications.subscriptions import subscribe_staff
    from tables.fleet import Courier
    from tables.jobs import Job
    from tests.tracking.scenario import make_client, make_order, make_route, now

    courier = await make_user("courier", locale="en")
    dispatcher = await make_user("dispatcher")
    route = await make_route(courier.id)
    phone = push_service.browser("courier-phone").subscription()
    await subscribe_staff(Actor(user_id=courier.id), courier.id, phone["endpoint"], phone["keys"]["p256dh"],
                          phone["keys"]["auth"], "en")
    order = await make_order(await make_client())
    courier_row = await Courier.objects().where(Courier.user == courier.id).first()
    await assign_orders(Actor(user_id=dispatcher.id, role="dispatcher"), [order.id], courier_row.id, now().date())

    job = await Job.select(Job.args).where(Job.actor == "notify_route_changed").first().output(load_json=True)
    assert job["args"] == {"courier_user_id": courier.id, "route_id": route.id}
    await notify_route_changed(**job["args"])
    [shown] = push_service.received
    assert shown["payload"]["title"] == "Your route changed"
