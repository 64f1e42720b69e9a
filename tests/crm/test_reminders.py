"""An activity's reminder comes once when its time comes: in the app, on the performer's phone by Web Push, and by
e-mail when the manager asked."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.crm.activities import ActivityInput, plan_activity
from app.crm.reminders import send_due_reminders
from app.crm.visibility import viewer_of
from tables.accounts import User
from tests.conftest import log_in
from tests.crm.conftest import actor, register
from tests.notifications.fakes import FakeSmtp
from tests.tracking.scenario import configure


async def test_a_due_reminder_is_shown_in_the_app_and_mailed_once(client, team, monkeypatch):
    await User.update({User.email: "thomas@waybill.test"}).where(User.id == team.thomas.id)
    row = await register(team.thomas, "Restaurant Le Petit Zinc")
    now = datetime.now(timezone.utc)
    await plan_activity(actor(team.thomas), await viewer_of(team.thomas), ActivityInput(
        kind="meeting", counterparty_id=row.id, subject="Tasting menu deliveries", starts_at=now + timedelta(hours=1),
        remind_at=now - timedelta(minutes=1), remind_by_email=True))
    await plan_activity(actor(team.thomas), await viewer_of(team.thomas), ActivityInput(
        kind="call", counterparty_id=row.id, subject="Later", starts_at=now + timedelta(days=2),
        remind_at=now + timedelta(days=1), remind_by_email=True))
    with FakeSmtp() as smtp:
        configure(monkeypatch, smtp_url=smtp.url, mail_from="Waybill <hello@waybill.test>")
        assert await send_due_reminders() == {"reminded": 1, "mailed": 1, "pushed": 0, "failed": 0}
        assert await send_due_reminders() == {"reminded": 0, "mailed": 0, "pushed": 0, "failed": 0}
    assert len(smtp.inbox.messages) == 1
    message = smtp.inbox.messages[0]
    assert message["to"] == ["thomas@waybill.test"] and "Tasting menu deliveries" in message["message"]["Subject"]
    await log_in(client, "thomas")
    page = (await client.get("/crm/today")).text
    assert "Reminders" in page and "Tasting menu deliveries" in page and "Later" not in page


async def test_a_due_reminder_rings_on_each_of_the_performers_subscribed_devices(client, team):
    from app.notifications.subscriptions import subscribe_staff
    from tables.notifications import PushSubscription
    from tests.notifications.fakes import FakePushService

    row = await register(team.thomas, "Fromagerie Dubois")
    now = datetime.now(timezone.utc)
    call = await plan_activity(actor(team.thomas), await viewer_of(team.thomas), ActivityInput(
        kind="call", counterparty_id=row.id, subject="Christmas platters", starts_at=now + timedelta(minutes=30),
        remind_at=now - timedelta(minutes=1)))
    with FakePushService() as push_service:
        devices = {name: push_service.browser(name).subscription() for name in ("thomas-phone", "thomas-laptop",
                                                                                  "nadia-phone")}
        for name, owner in (("thomas-phone", team.thomas), ("thomas-laptop", team.thomas), ("nadia-phone", team.nadia)):
            sub = devices[name]
            await subscribe_staff(actor(owner), owner.id, sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"],
                                  "en")
        push_service.gone.add("/push/thomas-laptop")  # an old browser its push service forgot
        assert await send_due_reminders() == {"reminded": 1, "mailed": 0, "pushed": 1, "failed": 1}
        assert await send_due_reminders() == {"reminded": 0, "mailed": 0, "pushed": 0, "failed": 0}
    [shown] = push_service.received
    assert shown["path"] == "/push/thomas-phone"
    assert shown["payload"]["title"].startswith("Reminder: Call Christmas platters at ")
    assert shown["payload"]["body"] == "Fromagerie Dubois"
    assert shown["payload"]["url"] == f"/crm/activities/{call.id}"
    assert await PushSubscription.count().where(PushSubscription.user == team.thomas.id) == 1
