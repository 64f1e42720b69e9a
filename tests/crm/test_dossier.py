"""The dossier: every tab opens in one click (an HTMX swap of the panel) and tells the client's whole story."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from app.crm.activities import ActivityInput, complete, plan_activity
from app.crm.contracts import ContractInput, add_contract
from app.crm.counterparties import add_contact, add_legal_entity
from app.crm.dossier import TABS
from app.crm.visibility import viewer_of
from tables.notifications import Message
from tests.conftest import log_in, post_form
from tests.crm.conftest import actor, register


async def test_every_tab_shows_its_part_of_the_story_as_a_page_and_as_a_swap(client, team, queries):
    me = await viewer_of(team.thomas)
    row = await register(team.thomas, "Librairie Rive Gauche", phone="+33143000000")
    await add_contact(actor(team.thomas), me, row.id, {"name": "Jeanne Roy", "position": "Gérante",
                                                       "extra": {"Birthday": "12 May"}})
    await add_legal_entity(actor(team.thomas), me, row.id, {"name": "Rive Gauche SAS", "tax_id": "FR11222333444",
                                                            "iban": "FR7630006000011234567890189"})
    call = await plan_activity(actor(team.thomas), me, ActivityInput(
        kind="call", counterparty_id=row.id, subject="Offer for December",
        starts_at=datetime.now(timezone.utc) - timedelta(hours=1)))
    await complete(actor(team.thomas), me, call.id, "Wants two pick-ups a week")
    await add_contract(actor(team.thomas), me, row.id, ContractInput(number="C-2026-17", starts_on=date(2026, 1, 1),
                                                                     ends_on=date(2026, 12, 31)))
    await Message.insert(Message(counterparty=row.id, trigger="delivered", channel="sms", recipient="+33143000000",
                                 body="Your parcel was delivered", status="sent", dedupe_key="m1"))
    await log_in(client, "thomas")
    expected = {"overview": "Recommendation", "contacts": "Birthday: 12 May", "entities": "FR7630006000011234567890189",
                "orders": "No orders yet.", "activities": "Wants two pick-ups a week",
                "messages": "Your parcel was delivered", "documents": "No documents yet.", "contracts": "C-2026-17",
                "history": "registered Librairie Rive Gauche"}
    assert set(expected) == set(TABS)
    counts = {}
    for tab, text in expected.items():
        whole = await client.get(f"/crm/{row.id}?tab={tab}")
        assert whole.status_code == 200 and text in whole.text and 'role="tablist"' in whole.text, tab
        queries.count = 0
        swap = await client.get(f"/crm/{row.id}?tab={tab}", headers={"HX-Request": "true"})
        counts[tab] = queries.count
        assert text in swap.text and "<html" not in swap.text, tab
        assert f'id="tab-{tab}" aria-selected="true"' in swap.text
    assert max(counts.values()) <= 20, counts


async def test_a_contact_with_extra_fields_and_a_bad_phone_is_refused_inline(client, team):
    row = await register(team.thomas, "Optique Bernard")
    await log_in(client, "thomas")
    response = await post_form(client, f"/crm/{row.id}/contacts", {"name": "Luc", "phone": "abc"})
    assert response.status_code == 422 and 'id="phone-error"' in response.text
    response = await post_form(client, f"/crm/{row.id}/contacts", {
        "name": "Luc Bernard", "phone": "06 44 55 66 77", "extra_name": ["Telegram", ""],
        "extra_value": ["@luc", ""]})
    assert response.status_code == 302
    assert "Telegram: @luc" in (await client.get(f"/crm/{row.id}?tab=contacts")).text


async def test_handing_a_client_over_keeps_the_history_of_who_held_it(client, team):
    row = await register(team.thomas, "Galerie Blanc")
    await log_in(client, "elodie")
    assert (await post_form(client, f"/crm/{row.id}/manager", {"manager": team.nadia.id})).status_code == 302
    page = (await client.get(f"/crm/{row.id}")).text
    assert "Thomas Caron" in page and "Nadia Benali" in page
    await log_in(client, "thomas")
    assert (await client.get(f"/crm/{row.id}")).status_code == 404


async def test_consent_withdrawn_is_recorded_with_how(client, team):
    row = await register(team.thomas, "Jouets Robin")
    await log_in(client, "thomas")
    refused = await post_form(client, f"/crm/{row.id}/consents", {"channel": "sms", "granted": "0", "how": ""})
    assert refused.status_code == 422
    await post_form(client, f"/crm/{row.id}/consents", {"channel": "sms", "granted": "0", "how": "asked by phone"})
    assert "asked by phone" in (await client.get(f"/crm/{row.id}")).text
