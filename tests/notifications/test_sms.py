"""SMS through the HTTP gateway: sent with the configured credentials and format, retried with back-off when
the gateway is busy, and marked delivered (or failed) by the gateway's authenticated delivery report."""

from __future__ import annotations

import time

import pytest

from app.notifications import sms
from app.notifications.errors import PermanentFailure, TemporaryFailure
from app.notifications.outbox import plan_order_messages, send_message
from tables.notifications import Message
from tests.notifications.conftest import consent
from tests.notifications.fakes import FakeSmsGateway
from tests.tracking.scenario import configure


async def _sms_for(order_id: int) -> Message:
    return await Message.objects().where((Message.order == order_id) & (Message.channel == "sms")).first()


async def test_a_client_who_agreed_to_sms_gets_the_eta_and_the_gateway_confirms_delivery(sms_gateway, delivery,
                                                                                           client):
    buyer, order, _route, _others = await delivery(stops_before=0, status="out_for_delivery", locale="en",
                                                   phone="+33612345678")
    await consent(buyer.id, "sms")
    [message_id] = await plan_order_messages(order.id, "out_for_delivery")
    assert await send_message(message_id) == "sent"

    [received] = sms_gateway.received
    assert received["to"] == "+33612345678" and received["from"] == "Waybill"
    assert received["text"].startswith(f"Your delivery {order.reference} is on its way")
    assert f"/t/{order.tracking_token}" in received["text"]
    assert received["reference"] == str(message_id)
    assert received["callback_url"].endswith("/api/v1/notifications/sms-status")
    row = await _sms_for(order.id)
    assert (row.status, row.provider_id) == ("sent", "gw-1")

    forged = await client.post("/api/v1/notifications/sms-status", json={"id": "gw-1", "status": "delivered"},
                               headers={"x-callback-secret": "guess"})
    assert forged.status_code == 401 and (await _sms_for(order.id)).status == "sent"
    report = await client.post("/api/v1/notifications/sms-status", json={"id": "gw-1", "status": "delivered"},
                               headers={"x-callback-secret": "callback-secret-123"})
    assert report.status_code == 200 and report.json() == {"ok": True, "known": True}
    assert (await _sms_for(order.id)).status == "delivered"


async def test_a_failed_delivery_report_marks_the_message_failed_with_the_gateways_words(sms_gateway, delivery,
                                                                                       client):
    buyer, order, _route, _others = await delivery(stops_before=0, status="out_for_delivery")
    await consent(buyer.id, "sms")
    [message_id] = await plan_order_messages(order.id, "out_for_delivery")
    await send_message(message_id)
    await client.post("/api/v1/notifications/sms-status?secret=callback-secret-123",
                      json={"id": "gw-1", "status": "undelivered", "error": "handset off"})
    row = await _sms_for(order.id)
    assert (row.status, row.reason) == ("failed", "handset off")


async def test_a_busy_gateway_is_tried_again_with_growing_pauses(monkeypatch):
    with FakeSmsGateway(fail_first=2) as gateway:
        configure(monkeypatch, sms_gateway_url=f"{gateway.url}/send", sms_gateway_user="acme",
                  sms_gateway_password="s3cret")
        started = time.monotonic()
        message_id = await sms.send_sms(sms.Outgoing("+33600000000", "hello", "1", "http://x/cb"),
                                        first_delay_s=0.05)
        took = time.monotonic() - started
    assert message_id == "gw-1" and gateway.attempts == 3 and len(gateway.received) == 1
    assert took >= 0.05 + 0.1  # paused 0.05 s, then 0.1 s


async def test_a_gateway_still_busy_after_all_tries_leaves_the_message_queued_for_the_jobs_retry(
        monkeypatch, delivery, no_quiet_hours):
    with FakeSmsGateway(fail_first=100) as gateway:
        configure(monkeypatch, sms_gateway_url=f"{gateway.url}/send")
        monkeypatch.setattr(sms, "send_sms", _quick(sms.send_sms))
        buyer, order, _route, _others = await delivery(stops_before=0, status="out_for_delivery")
        await consent(buyer.id, "sms")
        [message_id] = await plan_order_messages(order.id, "out_for_delivery")
        with pytest.raises(TemporaryFailure):
            await send_message(message_id)
    row = await _sms_for(order.id)
    assert (row.status, row.attempts) == ("queued", 1) and "503" in row.reason and gateway.received == []


def _quick(send):
    async def quick(message, attempts=4, first_delay_s=0.5):
        return await send(message, attempts=2, first_delay_s=0.01)
    return quick


async def test_wrong_credentials_fail_the_message_for_good(monkeypatch):
    with FakeSmsGateway(password="other") as gateway:
        configure(monkeypatch, sms_gateway_url=f"{gateway.url}/send", sms_gateway_user="acme",
                  sms_gateway_password="s3cret")
        with pytest.raises(PermanentFailure):
            await sms.send_sms(sms.Outgoing("+33600000000", "hello", "1", "http://x/cb"), first_delay_s=0.01)
        assert gateway.attempts == 1


def test_another_gateway_is_a_small_adapter_class(settings):
    from dataclasses import replace

    import httpx

    adapter = sms.provider(replace(settings, sms_provider="query", sms_gateway_url="https://gw.example/api",
                                   sms_gateway_user="u", sms_gateway_password="p"))
    request = adapter.request(sms.Outgoing("+33600000000", "hi", "7", "https://us/cb"))
    assert request["method"] == "GET" and request["params"]["to"] == "+33600000000"
    assert adapter.message_id(httpx.Response(200, text="OK 991")) == "991"
    assert adapter.delivery_report({"id": "991", "status": "DELIVERED"}) == ("991", "delivered", "")
