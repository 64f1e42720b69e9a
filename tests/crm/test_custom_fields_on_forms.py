"""The admin's custom fields appear on the contact and activity forms, are checked by kind with every error shown
inline at once, and are shown with the contact and on the activity page. An activity links to one of the client's
orders, picked by a piece of its reference."""

from __future__ import annotations

from app.audit import Actor
from app.crm.custom_fields import define_field
from tables.activities import Activity
from tables.counterparties import Contact, Counterparty
from tables.crm import CustomFieldValue
from tests.conftest import PASSWORD, log_in, post_form
from tests.crm.conftest import register
from tests.factories import make_order

ADMIN = Actor.system()


async def shop_of(user, name: str):
    """A registered client with a pickup address, so orders can be made for it."""
    row = await register(user, name)
    await Counterparty.update({Counterparty.address: "12 Rue Montorgueil, 75002 Paris", Counterparty.lat: "48.8652",
                               Counterparty.lon: "2.3470"}).where(Counterparty.id == row.id)
    return row


async def test_a_manager_adds_a_contact_with_the_admins_fields_checked_by_kind(client, team):
    birthday = await define_field(ADMIN, "contact", "Birthday", "date", [])
    language = await define_field(ADMIN, "contact", "Language", "choice", ["French", "English"])
    badge = await define_field(ADMIN, "contact", "Badge number", "number", [], required=True)
    shop = await register(team.thomas, "Fleurs Girard")
    await log_in(client, "thomas")
    form = await client.get(f"/crm/{shop.id}?tab=contacts")
    assert f'name="custom_{birthday.id}"' in form.text and f'type="date"' in form.text and "French" in form.text

    bad = await post_form(client, f"/crm/{shop.id}/contacts", {
        "name": "Lucie Girard", f"custom_{birthday.id}": "31/02", f"custom_{language.id}": "Klingon",
        f"custom_{badge.id}": ""})
    assert bad.status_code == 422
    for field in (birthday, language, badge):
        assert f'id="custom_{field.id}-error"' in bad.text
    assert 'value="31/02"' in bad.text  # what was typed stays in the form
    assert await Contact.count() == 0 and await CustomFieldValue.count() == 0

    good = await post_form(client, f"/crm/{shop.id}/contacts", {
        "name": "Lucie Girard", f"custom_{birthday.id}": "1990-05-12", f"custom_{language.id}": "French",
        f"custom_{badge.id}": "12,5"})
    assert good.status_code == 302
    contact = await Contact.objects().first()
    values = {row["field"]: row["value"] for row in await CustomFieldValue.select().where(
        CustomFieldValue.record_id == contact.id)}
    assert values == {birthday.id: "1990-05-12", language.id: "French", badge.id: "12.5"}
    listed = (await client.get(f"/crm/{shop.id}?tab=contacts")).text
    assert "Birthday: 1990-05-12" in listed and "Language: French" in listed


async def test_an_activity_carries_the_admins_fields_and_links_one_of_the_clients_orders(client, team):
    volume = await define_field(ADMIN, "activity", "Boxes discussed", "number", [])
    shop = await shop_of(team.thomas, "Fleurs Girard")
    theirs = await shop_of(team.omar, "Omar's Client")
    order = await make_order(shop.id, external_ref="GIR-77")
    other = await make_order(shop.id)
    foreign = await make_order(theirs.id)
    await log_in(client, "thomas")
    tab = (await client.get(f"/crm/{shop.id}?tab=activities")).text
    assert f'name="custom_{volume.id}"' in tab and order.reference in tab and foreign.reference not in tab

    picked = await client.get(f"/crm/{shop.id}/orders/pick?reference={order.reference[-5:].lower()}",
                              headers={"HX-Request": "true"})
    assert order.reference in picked.text and other.reference not in picked.text
    assert order.reference in (await client.get(f"/crm/{shop.id}/orders/pick?reference=gir-7")).text
    assert (await client.get(f"/crm/{theirs.id}/orders/pick")).status_code == 404

    plan = {"counterparty": str(shop.id), "kind": "call", "subject": "Mother's Day volumes",
            "starts_at": "2030-05-02T10:00", "priority": "normal"}
    bad = await post_form(client, "/crm/activities", {**plan, "order": str(foreign.id), f"custom_{volume.id}": "lots"})
    assert bad.status_code == 422
    assert 'id="order-error"' in bad.text and f'id="custom_{volume.id}-error"' in bad.text
    assert await Activity.count() == 0

    good = await post_form(client, "/crm/activities", {**plan, "order": str(order.id), f"custom_{volume.id}": "40"})
    assert good.status_code == 302
    activity = await Activity.objects().first()
    assert activity.order == order.id
    page = (await client.get(f"/crm/activities/{activity.id}")).text
    assert f'href="/orders/{order.id}"' in page and "Boxes discussed" in page and ">40<" in page


async def test_the_api_links_only_the_clients_own_orders(client, team):
    shop = await shop_of(team.thomas, "Fleurs Girard")
    theirs = await shop_of(team.omar, "Omar's Client")
    order = await make_order(shop.id)
    foreign = await make_order(theirs.id)
    token = (await client.post("/api/v1/auth/tokens", json={"login": "thomas", "password": PASSWORD})).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    call = {"kind": "call", "starts_at": "2030-05-02T08:00:00Z", "subject": "Volumes", "counterparty": shop.id}
    refused = await client.post("/api/v1/crm/activities", json={**call, "order": foreign.id}, headers=headers)
    assert refused.status_code == 422 and "order" in refused.text
    made = await client.post("/api/v1/crm/activities", json={**call, "order": order.id}, headers=headers)
    assert made.status_code == 201 and made.json()["order"] == order.id


async def test_a_required_activity_field_is_asked_on_the_form_not_of_the_daily_lists_calls(client, team):
    from datetime import datetime, timedelta, timezone

    from app.crm.activities import ActivityInput, plan_activity
    from app.crm.visibility import viewer_of
    from tests.crm.conftest import actor

    outcome = await define_field(ADMIN, "activity", "Outcome code", "text", [], required=True)
    shop = await register(team.thomas, "Fleurs Girard")
    await log_in(client, "thomas")
    refused = await post_form(client, "/crm/activities", {
        "counterparty": str(shop.id), "kind": "call", "subject": "Volumes", "starts_at": "2030-05-02T10:00",
        f"custom_{outcome.id}": " "})
    assert refused.status_code == 422 and f'id="custom_{outcome.id}-error"' in refused.text
    await plan_activity(actor(team.thomas), await viewer_of(team.thomas), ActivityInput(  # as plan_call does
        kind="call", counterparty_id=shop.id, subject="Call Fleurs Girard",
        starts_at=datetime.now(timezone.utc) + timedelta(hours=1), origin="daily_list"))
    assert await Activity.count().where(Activity.origin == "daily_list") == 1


async def test_an_order_found_by_search_stays_chosen_when_the_form_comes_back_with_errors(client, team):
    volume = await define_field(ADMIN, "activity", "Boxes discussed", "number", [])
    shop = await shop_of(team.thomas, "Fleurs Girard")
    old = await make_order(shop.id, external_ref="GIR-2019")
    for _ in range(20):  # a busy client: the old order is not among the latest twenty the form lists
        await make_order(shop.id)
    await log_in(client, "thomas")
    assert old.reference not in (await client.get(f"/crm/{shop.id}?tab=activities")).text
    plan = {"counterparty": str(shop.id), "kind": "call", "subject": "The 2019 claim", "starts_at": "2030-05-02T10:00",
            "priority": "normal", "order": str(old.id), f"custom_{volume.id}": "many"}
    bad = await post_form(client, "/crm/activities", plan)
    assert bad.status_code == 422 and f'id="custom_{volume.id}-error"' in bad.text
    assert f'<option value="{old.id}" selected>{old.reference}' in bad.text
