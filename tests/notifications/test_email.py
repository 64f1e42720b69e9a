"""E-mail: a client who agreed gets a real multipart message (text + HTML) with the tracking link; one who did
not gets nothing, and the archive says why."""

from __future__ import annotations

from app.audit import Actor
from app.notifications.outbox import plan_order_messages, send_message
from app.notifications.wording import save_template
from tables.notifications import Message
from tests.notifications.conftest import consent


async def test_a_client_who_agreed_to_email_gets_text_and_html_with_the_link(smtp, delivery):
    buyer, order, _route, _others = await delivery(stops_before=0, status="new", locale="en")
    await consent(buyer.id, "email")
    ids = await plan_order_messages(order.id, "accepted")
    email_ids = [i for i in ids if (await Message.objects().where(Message.id == i).first()).channel == "email"]
    assert len(email_ids) == 1
    assert await send_message(email_ids[0]) == "sent"

    [received] = smtp.inbox.messages
    message = received["message"]
    assert received["to"] == ["marie@example.org"]
    assert message["Subject"] == f"Your delivery {order.reference} is booked"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = f"http://127.0.0.1:8000/t/{order.tracking_token}"
    assert "Hello Marie Dupont" in text and link in text
    assert f'href="{link}"' in html and "Follow your delivery" in html
    row = await Message.objects().where(Message.id == email_ids[0]).first()
    assert row.status == "sent" and row.provider_id == message["Message-ID"] and row.attempts == 1


async def test_without_consent_nothing_is_sent_and_the_archive_says_why(smtp, delivery):
    buyer, order, _route, _others = await delivery(stops_before=0, status="new")
    await consent(buyer.id, "email", granted=True)
    await consent(buyer.id, "email", granted=False, how="unsubscribed by phone")  # the latest answer counts
    ids = await plan_order_messages(order.id, "accepted")
    assert ids == []
    rows = await Message.select().where(Message.order == order.id).order_by(Message.channel)
    assert {(row["channel"], row["status"], row["reason"]) for row in rows} == {
        ("email", "skipped", "no_consent"), ("sms", "skipped", "no_consent"), ("push", "skipped", "no_consent")}
    assert smtp.inbox.messages == []


async def test_each_client_reads_the_template_of_their_language(smtp, delivery, make_user):
    admin = await make_user("admin")
    await save_template(Actor(user_id=admin.id), "accepted", "email", "fr", "Livraison {reference} enregistrée",
                        "Bonjour {client}, suivez votre livraison ici : {link}")
    french, order_fr, _r, _o = await delivery(stops_before=0, status="new", locale="fr", name="Marie Dupont")
    english, order_en, _r2, _o2 = await delivery(stops_before=0, status="new", locale="en", name="John Smith",
                                                 email="john@example.org")
    for buyer in (french, english):
        await consent(buyer.id, "email")
    for order in (order_fr, order_en):
        for message_id in await plan_order_messages(order.id, "accepted"):
            await send_message(message_id)
    by_address = {m["to"][0]: m["message"] for m in smtp.inbox.messages}
    assert by_address["marie@example.org"]["Subject"] == f"Livraison {order_fr.reference} enregistrée"
    assert "Bonjour Marie Dupont, suivez votre livraison ici" in by_address["marie@example.org"].get_body(
        preferencelist=("plain",)).get_content()
    assert by_address["john@example.org"]["Subject"] == f"Your delivery {order_en.reference} is booked"
    assert 'lang="fr"' in by_address["marie@example.org"].get_body(preferencelist=("html",)).get_content()


async def test_a_server_that_refuses_the_address_fails_the_message_for_good(smtp, delivery, monkeypatch):
    from tests.tracking.scenario import configure

    buyer, order, _route, _others = await delivery(stops_before=0, status="new", email="x@example.org")
    await consent(buyer.id, "email")
    configure(monkeypatch, smtp_url="smtp://127.0.0.1:1")  # nothing listens there: a temporary failure
    [message_id] = await plan_order_messages(order.id, "accepted")
    try:
        await send_message(message_id)
    except Exception as exc:  # noqa: BLE001 - the job's retry is what we check
        assert type(exc).__name__ == "TemporaryFailure"
    row = await Message.objects().where(Message.id == message_id).first()
    assert row.status == "queued" and row.attempts == 1 and "Connection" in row.reason


async def test_messages_share_one_smtp_session_and_one_the_server_dropped_is_replaced_without_doubles(
        smtp, delivery):
    orders = []
    for n in range(3):
        buyer, order, _route, _others = await delivery(stops_before=0, status="new", locale="en",
                                                       email=f"client{n}@example.org")
        await consent(buyer.id, "email")
        orders.append(order)
    for order in orders[:2]:
        [message_id] = await plan_order_messages(order.id, "accepted")
        assert await send_message(message_id) == "sent"
    first, second = smtp.inbox.messages
    assert first["peer"] == second["peer"]  # one connection, greeting and log-in for both
    smtp.restart()  # the kept session is gone, as after the server's idle timeout
    [message_id] = await plan_order_messages(orders[2].id, "accepted")
    assert await send_message(message_id) == "sent"
    assert [m["to"] for m in smtp.inbox.messages] == [["client0@example.org"], ["client1@example.org"],
                                                      ["client2@example.org"]]
    assert smtp.inbox.messages[2]["peer"] != first["peer"]  # sent once, on a new session
