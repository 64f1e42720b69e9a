"""Duplicates are caught on create and merged without losing anything; card completeness can be required; and a
document upload is size- and type-checked and stays behind the client's visibility."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.crm import attachments
from app.crm.activities import ActivityInput, plan_activity
from app.crm.completeness import save_setting, score
from app.crm.counterparties import add_contact, update_card
from app.crm.duplicates import find_duplicates, merge
from app.crm.visibility import viewer_of
from app.errors import InvalidInput
from tables.activities import Activity
from tables.audit import AuditEntry
from tables.counterparties import Contact, Counterparty
from tables.crm import Attachment, CustomFieldDef
from tables.fleet import Courier
from tests.conftest import log_in, post_form
from tests.crm.conftest import actor, register
from tests.factories import make_courier


async def test_duplicates_are_found_by_tax_id_phone_email_and_a_close_name(team):
    row = await register(team.thomas, "Chocolaterie Lambert", tax_id="FR55111222333", phone="+33145000000",
                         email="bonjour@lambert.fr")
    assert [d["id"] for d in await find_duplicates("Other", tax_id="FR55111222333")] == [row.id]
    assert [d["id"] for d in await find_duplicates("Other", phone="+33145000000")] == [row.id]
    assert [d["id"] for d in await find_duplicates("Other", email="BONJOUR@lambert.fr")] == [row.id]
    assert [d["id"] for d in await find_duplicates("Chocolaterie Lamber SAS")] == [row.id]
    assert await find_duplicates("Chocolaterie Dupont") == []


async def test_a_merge_keeps_every_contact_activity_and_document_of_both_and_is_audited(team, settings):
    me = await viewer_of(team.thomas)
    keep = await register(team.thomas, "Cordonnerie Lefebvre", phone="+33146000000")
    lose = await register(team.thomas, "Cordonnerie Lefebvre (old)", email="old@lefebvre.fr", tax_id="FR77000111222")
    await add_contact(actor(team.thomas), me, keep.id, {"name": "Anne"})
    await add_contact(actor(team.thomas), me, lose.id, {"name": "Marc"})
    await plan_activity(actor(team.thomas), me, ActivityInput(kind="call", counterparty_id=lose.id, subject="Old call",
                                                              starts_at=datetime.now(timezone.utc)))
    await attachments.attach(actor(team.thomas), "counterparty", lose.id, "price.pdf", "application/pdf", b"%PDF-1.4 x")
    await merge(actor(team.thomas), me, keep.id, lose.id)
    assert sorted(c["name"] for c in await Contact.select(Contact.name).where(Contact.counterparty == keep.id)) == [
        "Anne", "Marc"]
    assert await Activity.exists().where((Activity.counterparty == keep.id) & (Activity.subject == "Old call"))
    assert await Attachment.exists().where((Attachment.record_id == keep.id) & (Attachment.filename == "price.pdf"))
    kept = await Counterparty.objects().where(Counterparty.id == keep.id).first()
    assert (kept.email, kept.tax_id, kept.phone) == ("old@lefebvre.fr", "FR77000111222", "+33146000000")
    assert (await Counterparty.objects().where(Counterparty.id == lose.id).first()).merged_into == keep.id
    assert await AuditEntry.exists().where((AuditEntry.action == "merge") & (AuditEntry.record_id == str(keep.id)))


async def test_couriers_of_a_carrier_entered_twice_work_for_the_card_that_stays(team, make_user):
    me = await viewer_of(team.thomas)
    keep = await register(team.thomas, "Transports Morel", phone="+33148000000")
    lose = await register(team.thomas, "Transports Morel SARL", tax_id="FR99000111333")
    courier = await make_courier(make_user, "Luc Morel", carrier=lose.id)
    await merge(actor(team.thomas), me, keep.id, lose.id)
    assert (await Courier.objects().where(Courier.id == courier.id).first()).carrier == keep.id


async def test_a_card_below_the_admins_threshold_is_refused_with_what_is_missing(team):
    await save_setting("required_fields", ["phone", "email", "address", "contact"])
    await CustomFieldDef.insert(CustomFieldDef(entity="counterparty", name="fleet", label="Fleet size",
                                               kind="number", required=True))
    row = await register(team.thomas, "Papeterie François", phone="+33147000000")
    result = await score(row.id)
    assert result.percent == 20 and set(result.missing) == {"E-mail", "Address", "A contact person", "Fleet size"}
    await save_setting("completeness_threshold", 60)
    with pytest.raises(InvalidInput) as refused:
        await update_card(actor(team.thomas), await viewer_of(team.thomas), row.id, {"email": "p@francois.fr"})
    assert "Address" in refused.value.errors["completeness"]
    assert (await Counterparty.objects().where(Counterparty.id == row.id).first()).email == ""
    await update_card(actor(team.thomas), await viewer_of(team.thomas), row.id,
                      {"email": "p@francois.fr", "address": "3 Rue de Bretagne"})
    assert (await Counterparty.objects().where(Counterparty.id == row.id).first()).completeness == 60


async def test_uploads_are_checked_and_downloaded_only_by_who_sees_the_client(client, team, monkeypatch):
    row = await register(team.thomas, "Laboratoire Perrin")
    await log_in(client, "thomas")
    good = await post_form(client, f"/crm/{row.id}/documents",
                           files={"file": ("offer.pdf", b"%PDF-1.7 offer", "application/pdf")})
    assert good.status_code == 302
    fake = await post_form(client, f"/crm/{row.id}/documents",
                           files={"file": ("photo.png", b"MZ\x90\x00 not a png", "image/png")})
    assert fake.status_code == 422 and 'id="file-error"' in fake.text
    script = await post_form(client, f"/crm/{row.id}/documents", files={"file": ("x.html", b"<script>", "text/html")})
    assert script.status_code == 422
    monkeypatch.setattr(attachments, "MAX_BYTES", 10)
    big = await post_form(client, f"/crm/{row.id}/documents", files={"file": ("a.txt", b"x" * 11, "text/plain")})
    assert big.status_code == 422
    document = await Attachment.objects().first()
    assert await Attachment.count() == 1
    assert str(attachments.storage_dir()).startswith(str(__import__("app.config").config.get_settings().data_dir))
    download = await client.get(f"/crm/documents/{document.id}")
    assert download.content == b"%PDF-1.7 offer" and "attachment" in download.headers["content-disposition"]
    await log_in(client, "omar")
    assert (await client.get(f"/crm/documents/{document.id}")).status_code == 404


async def test_a_document_attached_to_an_activity_shows_on_it_and_in_the_dossier(client, team):
    row = await register(team.thomas, "Architectes Henry & Fils")
    visit = await plan_activity(actor(team.thomas), await viewer_of(team.thomas), ActivityInput(
        kind="visit", counterparty_id=row.id, subject="Site visit", starts_at=datetime.now(timezone.utc)))
    await log_in(client, "thomas")
    sent = await post_form(client, f"/crm/activities/{visit.id}/documents",
                           files={"file": ("plan.pdf", b"%PDF-1.5 plan", "application/pdf")})
    assert sent.status_code == 302
    assert "plan.pdf" in (await client.get(f"/crm/activities/{visit.id}")).text
    assert "plan.pdf" in (await client.get(f"/crm/{row.id}?tab=documents")).text
    document = await Attachment.objects().where(Attachment.record_type == "activity").first()
    assert (await client.get(f"/crm/documents/{document.id}")).content == b"%PDF-1.5 plan"
    await log_in(client, "omar")
    assert (await client.get(f"/crm/documents/{document.id}")).status_code == 404
