"""From an order's status change to the client's phone and inbox, through the job queue and a worker."""

from __future__ import annotations

import asyncio

from app import jobs
from app.audit import Actor
from app.orders.orders import change_status
from app.orders.status import By
from tables.notifications import Message
from tables.orders import Order
from tests.notifications.conftest import consent


async def _settled(order_id: int, count: int, seconds: float = 15.0) -> list[dict]:
    for _ in range(int(seconds * 20)):
        rows = await Message.select(Message.channel, Message.status, Message.trigger).where(Message.order == order_id)
        if len(rows) >= count and all(row["status"] not in ("queued", "sending") for row in rows):
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"messages not settled: {rows}")


async def test_out_for_delivery_reaches_the_client_on_each_channel_they_agreed_to_and_no_other(
        worker, smtp, sms_gateway, delivery):
    buyer, order, _route, _others = await delivery(stops_before=0, status="picked_up", locale="en")
    await consent(buyer.id, "sms", "email")
    row = await Order.objects().where(Order.id == order.id).first()
    await change_status(Actor(user_id=order.courier_user_id, role="courier"), row, "out_for_delivery", By.COURIER)

    rows = await _settled(order.id, 3)
    assert {(r["channel"], r["status"]) for r in rows} == {("sms", "sent"), ("email", "sent"), ("push", "skipped")}
    assert len(sms_gateway.received) == 1 and len(smtp.inbox.messages) == 1
    assert "on its way" in sms_gateway.received[0]["text"]


async def test_a_status_without_a_message_writes_nothing(worker, delivery):
    from app.notifications.triggers import on_order_status

    _buyer, order, _route, _others = await delivery(stops_before=0, status="assigned")
    assert await on_order_status(order.id, "picked_up") is None
    await asyncio.sleep(0.2)
    assert await Message.count() == 0


async def test_arriving_soon_is_sent_once_when_the_courier_is_minutes_away(delivery, sms_gateway, monkeypatch):
    from app.notifications.actors import notify_arriving_soon
    from tests.tracking.scenario import configure

    configure(monkeypatch, arriving_soon_minutes=10)
    far_buyer, far, _r1, _o1 = await delivery(stops_before=0, status="out_for_delivery", position=(48.60, 2.00),
                                              phone="+33611111111")
    near_buyer, near, _r2, _o2 = await delivery(stops_before=0, status="out_for_delivery", position=(48.857, 2.351),
                                                phone="+33622222222")
    for buyer in (far_buyer, near_buyer):
        await consent(buyer.id, "sms")
    jobs.broker.flush_all()
    await notify_arriving_soon()
    await notify_arriving_soon()
    rows = await Message.select(Message.order, Message.trigger).where(Message.channel == "sms")
    assert [(r["order"], r["trigger"]) for r in rows] == [(near.id, "arriving_soon")]
