"""An admin adds custom fields and classifiers and says what a complete card needs; managers fill them in."""

from __future__ import annotations

from tables.counterparties import ClassifierValue, CounterpartyClassification
from tables.crm import CustomFieldDef, CustomFieldValue
from tests.conftest import log_in, post_form
from tests.crm.conftest import register


async def test_an_admin_defines_a_choice_field_and_a_manager_fills_it_checked_by_kind(client, team):
    await log_in(client, "root")
    assert (await post_form(client, "/crm/settings/fields", {"entity": "counterparty", "label": "Segment",
                                                             "kind": "choice", "choices": "SMB, Key account",
                                                             "required": "1"})).status_code == 302
    assert (await post_form(client, "/crm/settings/fields", {"entity": "counterparty", "label": "Fleet size",
                                                             "kind": "number"})).status_code == 302
    refused = await post_form(client, "/crm/settings/fields", {"entity": "counterparty", "label": "Tier",
                                                               "kind": "choice", "choices": ""})
    assert refused.status_code == 422 and 'id="choices-error"' in refused.text
    await post_form(client, "/crm/settings/classifiers", {"classifier": "Business sphere", "value": "Food"})
    segment = await CustomFieldDef.objects().where(CustomFieldDef.label == "Segment").first()
    fleet = await CustomFieldDef.objects().where(CustomFieldDef.label == "Fleet size").first()
    row = await register(team.thomas, "Transports Vincent")
    await log_in(client, "thomas")
    card = {"name": "Transports Vincent", "state": "active", "locale": "en", "time_zone": "Europe/Paris",
            "contact_every_days": "30"}
    bad = await post_form(client, f"/crm/{row.id}", {**card, "email": "nope", f"custom_{segment.id}": "Other",
                                                     f"custom_{fleet.id}": "many"})
    assert bad.status_code == 422
    for field in ("email", f"custom_{segment.id}", f"custom_{fleet.id}"):  # all shown at once
        assert f'id="{field}-error"' in bad.text
    assert 'value="many"' in bad.text
    good = await post_form(client, f"/crm/{row.id}", {**card, f"custom_{segment.id}": "Key account",
                                                      f"custom_{fleet.id}": "12"})
    assert good.status_code == 302
    values = {v["field"]: v["value"] for v in await CustomFieldValue.select().where(CustomFieldValue.record_id == row.id)}
    assert values == {segment.id: "Key account", fleet.id: "12"}
    food = await ClassifierValue.objects().first()
    await post_form(client, f"/crm/{row.id}/tags", {"tags": "vip, night", "values": str(food.id)})
    assert await CounterpartyClassification.exists().where(CounterpartyClassification.counterparty == row.id)
    listed = (await client.get(f"/crm?value={food.id}")).text
    assert "Transports Vincent" in listed
    assert "Transports Vincent" in (await client.get("/crm?tag=vip")).text


async def test_the_admin_sets_the_completeness_rules(client, team):
    await log_in(client, "root")
    refused = await post_form(client, "/crm/settings/completeness", {"threshold": "150"})
    assert refused.status_code == 422
    assert (await post_form(client, "/crm/settings/completeness", {"threshold": "50", "required": ["phone", "email"]})
            ).status_code == 302
    row = await register(team.thomas, "Éditions Nicolas", phone="+33148000000")
    await log_in(client, "thomas")
    page = (await client.get(f"/crm/{row.id}")).text
    assert "50%" in page and "missing: E-mail" in page
