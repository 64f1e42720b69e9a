"""A manager registers a client with where it came from and what it agreed to, then finds it again by any key."""

from __future__ import annotations

from app.crm.counterparties import ClientFilter, list_clients
from app.crm.visibility import viewer_of
from tables.audit import AuditEntry
from tables.counterparties import Counterparty, LegalEntity, ManagerAssignment
from tables.notifications import ChannelConsent
from tests.conftest import log_in, post_form
from tests.crm.conftest import register


async def test_a_manager_registers_a_client_with_its_source_and_consent_and_lands_on_its_dossier(client, team):
    await log_in(client, "thomas")
    response = await post_form(client, "/crm", {
        "kind": "company", "name": "Fromagerie Roux SARL", "phone": "01 42 00 00 01", "email": "Contact@Roux.fr",
        "marketing_source": "Trade fair", "source_detail": "Salon du fromage 2026", "locale": "fr",
        "time_zone": "Europe/Paris", "contact_every_days": "14", "roles": "client",
        "consent_email": "1", "consent_how_email": "ticked on the fair's form"})
    assert response.status_code == 302
    row = await Counterparty.objects().where(Counterparty.name == "Fromagerie Roux SARL").first()
    assert response.headers["location"] == f"/crm/{row.id}"
    assert (row.phone, row.email, row.name_key, row.manager) == ("+33142000001", "contact@roux.fr",
                                                                 "fromagerie roux", team.thomas.id)
    consent = await ChannelConsent.objects().where(ChannelConsent.counterparty == row.id).first()
    assert (consent.channel, consent.granted, consent.how) == ("email", True, "ticked on the fair's form")
    assert await ManagerAssignment.exists().where((ManagerAssignment.counterparty == row.id)
                                                  & (ManagerAssignment.manager == team.thomas.id))
    assert await AuditEntry.exists().where((AuditEntry.record_type == "counterparty")
                                           & (AuditEntry.record_id == str(row.id)))
    page = (await client.get(f"/crm/{row.id}")).text
    assert "Salon du fromage 2026" in page and "ticked on the fair&#39;s form" in page


async def test_registration_without_the_source_is_refused_inline_and_keeps_what_was_typed(client, team):
    await log_in(client, "thomas")
    response = await post_form(client, "/crm", {"kind": "company", "name": "Atelier Lefèvre", "phone": "12"})
    assert response.status_code == 422
    assert 'id="marketing_source-error"' in response.text and 'id="phone-error"' in response.text
    assert 'value="Atelier Lefèvre"' in response.text
    assert await Counterparty.count() == 0


async def test_a_probable_duplicate_is_refused_until_the_manager_says_it_is_another_client(client, team):
    await register(team.thomas, "Boulangerie Martin", phone="+33142000002")
    await log_in(client, "thomas")
    form = {"kind": "company", "name": "boulangerie  MARTIN sarl", "marketing_source": "Cold call"}
    refused = await post_form(client, "/crm", form)
    assert refused.status_code == 422 and "Boulangerie Martin" in refused.text and "allow_duplicate" in refused.text
    accepted = await post_form(client, "/crm", {**form, "allow_duplicate": "1"})
    assert accepted.status_code == 302
    assert await Counterparty.count() == 2


async def test_the_client_is_found_again_by_phone_in_any_spelling_by_email_tax_id_and_part_of_its_name(team):
    wanted = await register(team.thomas, "Pâtisserie Fournier", phone="+33612345678", email="hello@fournier.fr",
                            tax_id="FR12345678901")
    await LegalEntity.insert(LegalEntity(counterparty=wanted.id, name="Fournier Holding", tax_id="FR99887766554"))
    await register(team.thomas, "Pharmacie du Marais", phone="+33698765432")
    me = await viewer_of(team.thomas)
    for text in ("06 12 34 56 78", "+33 6 12 34 56 78", "0612345678", "HELLO@fournier.fr", "fr 12345678901",
                 "FR99887766554", "patisserie", "fournier"):
        rows, _next = await list_clients(me, ClientFilter(q=text))
        assert [row["name"] for row in rows] == ["Pâtisserie Fournier"], text
    rows, _next = await list_clients(me, ClientFilter(q="0700000000"))
    assert rows == []


async def test_the_list_pages_by_keyset_with_the_same_number_of_queries_on_every_page(client, team, queries):
    for number in range(7):
        await register(team.thomas, f"Client {number:02d}", state="active" if number % 2 else "prospect")
    me = await viewer_of(team.thomas)
    seen, after, counts = [], None, []
    while True:
        queries.count = 0
        rows, after = await list_clients(me, ClientFilter(), after=after, limit=3)
        counts.append(queries.count)
        seen += [row["name"] for row in rows]
        if after is None:
            break
    assert seen == [f"Client {n:02d}" for n in range(7)]
    assert len(set(counts)) == 1 and counts[0] <= 3  # their own clients, the co-managed, the shared
    rows, _next = await list_clients(me, ClientFilter(state="prospect"))
    assert [row["name"] for row in rows] == ["Client 00", "Client 02", "Client 04", "Client 06"]


async def test_the_list_page_costs_the_same_queries_for_two_clients_or_twenty(client, team, queries):
    await log_in(client, "thomas")
    for number in range(2):
        await register(team.thomas, f"Early {number}")
    queries.count = 0
    assert (await client.get("/crm?q=early")).status_code == 200
    few = queries.count
    for number in range(18):
        await register(team.thomas, f"Early more {number}")
    queries.count = 0
    page = (await client.get("/crm?q=early")).text
    assert queries.count == few and "Early more 17" in page


async def test_an_htmx_search_answers_only_the_rows(client, team):
    await register(team.thomas, "Café des Arts")
    await log_in(client, "thomas")
    response = await client.get("/crm?q=cafe", headers={"HX-Request": "true"})
    assert "Café des Arts" in response.text and "<html" not in response.text
