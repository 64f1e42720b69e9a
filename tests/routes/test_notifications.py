"""An administrator words the messages per trigger, channel and language with a live preview, and switches
triggers for the company or one client; a dispatcher revokes a tracking link."""

from __future__ import annotations

from tables.notifications import MessageTemplate, TriggerSetting
from tables.orders import Order
from tests.conftest import post_form
from tests.tracking.scenario import make_client, make_order


async def test_an_admin_writes_a_french_sms_template_and_previews_it(client, signed_in):
    await signed_in("admin")
    overview = await client.get("/notifications/templates")
    assert overview.status_code == 200 and "/notifications/templates/delivered/sms/fr" in overview.text

    editor = await client.get("/notifications/templates/delivered/sms/fr")
    assert editor.status_code == 200 and "{link}" in editor.text and 'name="body"' in editor.text

    preview = await post_form(client, "/notifications/templates/preview",
                              {"channel": "sms", "subject": "", "body": "Livré à {delivered_at} : {link}"},
                              headers={"HX-Request": "true"})
    assert preview.status_code == 200 and "Livré à 14:41 : https://waybill.example.com/t/" in preview.text
    assert "<html" not in preview.text  # a fragment for the HTMX swap

    wrong = await post_form(client, "/notifications/templates/delivered/sms/fr", {"body": "Livré {tracking}"})
    assert wrong.status_code == 422 and "Unknown placeholders: {tracking}" in wrong.text
    saved = await post_form(client, "/notifications/templates/delivered/sms/fr",
                            {"body": "Livré à {delivered_at} : {link}"})
    assert saved.status_code == 200 and "Saved." in saved.text
    row = await MessageTemplate.objects().where(MessageTemplate.locale == "fr").first()
    assert (row.trigger, row.channel, row.body) == ("delivered", "sms", "Livré à {delivered_at} : {link}")

    await post_form(client, "/notifications/templates/delivered/sms/fr/reset")
    assert await MessageTemplate.count() == 0


async def test_an_email_template_needs_a_subject(client, signed_in):
    await signed_in("admin")
    response = await post_form(client, "/notifications/templates/accepted/email/en", {"subject": "", "body": "Hi"})
    assert response.status_code == 422 and "needs a subject" in response.text


async def test_an_admin_switches_a_trigger_for_the_company_and_for_one_client(client, signed_in):
    await signed_in("admin")
    buyer = await make_client()
    await post_form(client, "/notifications/triggers", {"trigger": "accepted", "channel": "sms", "enabled": "off"})
    await post_form(client, "/notifications/triggers",
                    {"trigger": "accepted", "channel": "sms", "enabled": "on", "client": str(buyer.id)})
    rows = await TriggerSetting.select(TriggerSetting.counterparty, TriggerSetting.enabled).order_by(TriggerSetting.id)
    assert [(r["counterparty"], r["enabled"]) for r in rows] == [(None, False), (buyer.id, True)]
    page = await client.get(f"/notifications/triggers?client={buyer.id}")
    assert page.status_code == 200 and buyer.name in page.text
    await post_form(client, "/notifications/triggers",
                    {"trigger": "accepted", "channel": "sms", "enabled": "company", "client": str(buyer.id)})
    assert await TriggerSetting.count() == 1


async def test_a_dispatcher_revokes_a_tracking_link(client, signed_in):
    await signed_in("dispatcher")
    order = await make_order(await make_client())
    response = await post_form(client, f"/notifications/orders/{order.id}/revoke-link")
    assert response.status_code in (302, 303) and response.headers["location"] == f"/orders/{order.id}"
    fresh = await Order.objects().where(Order.id == order.id).first()
    assert fresh.tracking_token != order.tracking_token
    assert (await client.get(f"/t/{order.tracking_token}")).status_code == 404
