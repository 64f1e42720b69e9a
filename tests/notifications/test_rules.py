"""When a message goes, waits, or is skipped: trigger switches, quiet hours in the client's time zone, and the
archive that keeps every one of them, once."""

from __future__ import annotations

from datetime import datetime, timezone

from app.audit import Actor
from app.notifications.archive import client_messages
from app.notifications.outbox import plan_order_messages, release_due_messages
from app.notifications.quiet import quiet_until
from app.notifications.switches import effective_switches, set_switch
from tables.notifications import Message
from tests.notifications.conftest import consent
from tests.tracking.scenario import configure

NIGHT_IN_PARIS = datetime(2026, 11, 24, 22, 30, tzinfo=timezone.utc)  # 23:30 in Paris
NOON_IN_PARIS = datetime(2026, 11, 24, 11, 0, tzinfo=timezone.utc)


async def _statuses(order_id: int) -> dict[str, tuple[str, str]]:
    rows = await Message.select(Message.channel, Message.status, Message.reason).where(Message.order == order_id)
    return {row["channel"]: (row["status"], row["reason"]) for row in rows}


async def test_a_trigger_switched_off_for_the_company_is_skipped_unless_the_client_switched_it_back_on(delivery):
    buyer, order, _route, _others = await delivery(stops_before=0, status="new")
    other_buyer, other_order, _r, _o = await delivery(stops_before=0, status="new", email="o@example.org")
    for who in (buyer, other_buyer):
        await consent(who.id, "email", "sms")
    await set_switch(Actor.system(), None, "accepted", "sms", False)
    await set_switch(Actor.system(), buyer.id, "accepted", "sms", True)
    await plan_order_messages(order.id, "accepted", now=NOON_IN_PARIS)
    await plan_order_messages(other_order.id, "accepted", now=NOON_IN_PARIS)
    assert (await _statuses(order.id))["sms"] == ("queued", "")
    assert (await _statuses(other_order.id))["sms"] == ("skipped", "switched_off")
    assert (await _statuses(other_order.id))["email"] == ("queued", "")

    await set_switch(Actor.system(), buyer.id, "accepted", "sms", None)  # back to the company's choice
    assert (await effective_switches(buyer.id))[("accepted", "sms")] is False


async def test_quiet_hours_hold_a_non_urgent_message_until_morning_in_the_clients_time_zone(delivery, monkeypatch):
    configure(monkeypatch, quiet_hours="21:00-08:00")
    buyer, order, _route, _others = await delivery(stops_before=0, status="new", time_zone="Europe/Paris")
    await consent(buyer.id, "email")
    assert await plan_order_messages(order.id, "accepted", now=NIGHT_IN_PARIS) == []
    held = await Message.objects().where((Message.order == order.id) & (Message.channel == "email")).first()
    assert held.status == "delayed" and held.reason == "quiet_hours"
    assert held.send_after == datetime(2026, 11, 25, 7, 0, tzinfo=timezone.utc)  # 08:00 in Paris

    assert await release_due_messages(now=datetime(2026, 11, 25, 6, 59, tzinfo=timezone.utc)) == []
    assert await release_due_messages(now=datetime(2026, 11, 25, 7, 0, tzinfo=timezone.utc)) == [held.id]


async def test_quiet_hours_follow_the_client_not_the_company(delivery, monkeypatch):
    configure(monkeypatch, quiet_hours="21:00-08:00")
    buyer, order, _route, _others = await delivery(stops_before=0, status="new", time_zone="America/New_York")
    await consent(buyer.id, "email")
    assert len(await plan_order_messages(order.id, "accepted", now=NIGHT_IN_PARIS)) == 1  # 17:30 in New York


def test_quiet_hours_around_midnight_and_outside():
    assert quiet_until(datetime(2026, 11, 24, 22, 30, tzinfo=timezone.utc), "Asia/Tokyo", "21:00-08:00") == \
        datetime(2026, 11, 24, 23, 0, tzinfo=timezone.utc)  # 07:30 in Tokyo: quiet for half an hour more
    assert quiet_until(NOON_IN_PARIS, "Europe/Paris", "21:00-08:00") is None
    assert quiet_until(NOON_IN_PARIS, "Europe/Paris", "12:00-13:00") == datetime(2026, 11, 24, 12, 0,
                                                                                tzinfo=timezone.utc)
    assert quiet_until(NIGHT_IN_PARIS, "Europe/Paris", "") is None


async def test_urgent_messages_are_not_held_by_quiet_hours(delivery, monkeypatch):
    configure(monkeypatch, quiet_hours="21:00-08:00")
    buyer, order, _route, _others = await delivery(stops_before=0, status="out_for_delivery")
    await consent(buyer.id, "sms")
    assert len(await plan_order_messages(order.id, "out_for_delivery", now=NIGHT_IN_PARIS)) == 1
    assert (await _statuses(order.id))["sms"] == ("queued", "")


async def test_the_same_moment_planned_twice_is_archived_once(delivery):
    buyer, order, _route, _others = await delivery(stops_before=0, status="new")
    await consent(buyer.id, "email")
    first = await plan_order_messages(order.id, "accepted", now=NOON_IN_PARIS)
    second = await plan_order_messages(order.id, "accepted", now=NOON_IN_PARIS)
    assert first == second and len(first) == 1
    assert await Message.count().where(Message.order == order.id) == 3  # email queued, sms and push skipped


async def test_the_clients_archive_pages_newest_first_in_one_query(delivery, queries):
    buyer, order, _route, _others = await delivery(stops_before=0, status="new")
    for occasion in range(30):
        await plan_order_messages(order.id, "accepted", occasion=occasion, now=NOON_IN_PARIS)
    queries.count = 0
    first = await client_messages(buyer.id, limit=50)
    assert queries.count == 1 and len(first) == 50
    rest = await client_messages(buyer.id, before_id=first[-1]["id"], limit=50)
    assert queries.count == 2 and len(rest) == 40
    assert first[0]["id"] > first[-1]["id"] > rest[0]["id"]
    assert first[0]["order_reference"] == order.reference
