"""A client has a lead manager and may have co-managers: each sees and works it (and so does their supervisor), the
dossier keeps who held it and until when — also staff who left — and the daily list, the plans, the import and the
export know them all."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from app.accounts.sessions import issue_api_token
from app.crm.counterparties import ClientFilter, list_clients
from app.crm.daily_list import build_daily_list
from app.crm.duplicates import merge
from app.crm.plans import fact
from app.crm.transfer import import_clients
from app.crm.visibility import viewer_of
from tables.accounts import User
from tables.counterparties import Counterparty, ManagerAssignment
from tables.crm import ContactListItem
from tests.conftest import log_in, post_form
from tests.crm.conftest import actor, register
from tests.factories import make_order


async def names(user, q: str = "") -> list[str]:
    rows, _next = await list_clients(await viewer_of(user), ClientFilter(q=q))
    return [row["name"] for row in rows]


async def holders(counterparty_id: int) -> list[tuple[str, bool, bool]]:
    """(manager login, lead?, holds it now?) in the order they came."""
    rows = await ManagerAssignment.select(ManagerAssignment.manager.login.as_alias("login"), ManagerAssignment.lead,
                                          ManagerAssignment.ended_at).where(
        ManagerAssignment.counterparty == counterparty_id).order_by(ManagerAssignment.id)
    return [(row["login"], row["lead"], row["ended_at"] is None) for row in rows]


async def test_a_co_manager_from_another_team_works_the_client_and_the_history_keeps_every_holder(client, team):
    bistro = await register(team.thomas, "Bistro Lambert", phone="+33144444444")
    assert await names(team.omar, "lambert") == []
    await log_in(client, "elodie")
    assert (await post_form(client, f"/crm/{bistro.id}/co-managers", {"manager": str(team.omar.id)})).status_code == 302

    assert await names(team.omar) == ["Bistro Lambert"]
    boss = await viewer_of(team.boss)
    for manager in (team.thomas, team.omar):  # the manager filter finds the client under its lead and co-manager
        rows, _next = await list_clients(boss, ClientFilter(manager_id=manager.id))
        assert "Bistro Lambert" in [row["name"] for row in rows]
    assert await names(team.omar, "01 44 44 44 44") == ["Bistro Lambert"]
    assert await names(team.omar, "lamb") == ["Bistro Lambert"]
    await log_in(client, "omar")
    assert (await client.get(f"/crm/{bistro.id}?tab=activities")).status_code == 200
    export = (await client.get("/crm/export")).content.decode("utf-8-sig")
    assert "Bistro Lambert" in export and ",thomas,omar," in export
    token = await issue_api_token(actor(team.omar), team.omar, "crm")
    card = (await client.get(f"/api/v1/crm/clients/{bistro.id}", headers={"Authorization": f"Bearer {token}"})).json()
    assert (card["manager"], card["co_managers"]) == (team.thomas.id, [team.omar.id])

    await log_in(client, "elodie")  # Thomas hands the lead to Nadia; Omar stays on
    assert (await post_form(client, f"/crm/{bistro.id}/manager", {"manager": str(team.nadia.id)})).status_code == 302
    assert await holders(bistro.id) == [("thomas", True, False), ("omar", False, True), ("nadia", True, True)]
    assert await names(team.thomas) == []
    await User.update({User.is_active: False}).where(User.id == team.thomas.id)  # Thomas leaves the company
    page = (await client.get(f"/crm/{bistro.id}")).text
    managers = page[page.index('id="managers"'):page.index("</ul>", page.index('id="managers"'))]
    assert managers.index("Nadia Benali") < managers.index("Omar Said") < managers.index("Thomas Caron")
    assert "co-manager" in managers and "left" in managers

    assert (await post_form(client, f"/crm/{bistro.id}/co-managers/{team.omar.id}/remove")).status_code == 302
    assert await names(team.omar) == []
    await log_in(client, "omar")
    assert (await client.get(f"/crm/{bistro.id}")).status_code == 404


async def test_only_an_active_manager_can_be_added_and_a_stranger_cannot_add_one(client, team):
    bistro = await register(team.thomas, "Bistro Lambert")
    await log_in(client, "thomas")
    refused = await post_form(client, f"/crm/{bistro.id}/co-managers", {"manager": "999"})
    assert refused.status_code == 422 and 'id="manager-error"' in refused.text
    await log_in(client, "omar")
    assert (await post_form(client, f"/crm/{bistro.id}/co-managers", {"manager": str(team.omar.id)})
            ).status_code == 404
    assert await holders(bistro.id) == [("thomas", True, True)]


async def test_the_daily_list_goes_to_a_co_manager_when_the_lead_has_left(team):
    now = datetime.now(timezone.utc)
    quiet = await register(team.thomas, "Quiet Client")
    await Counterparty.update({Counterparty.created_at: now - timedelta(days=400),
                               Counterparty.last_contact_at: now - timedelta(days=60)}).where(
        Counterparty.id == quiet.id)
    await ManagerAssignment.insert(ManagerAssignment(counterparty=quiet.id, manager=team.omar.id, lead=False))
    await User.update({User.is_active: False}).where(User.id == team.thomas.id)
    await build_daily_list()
    [item] = await ContactListItem.select(ContactListItem.manager).where(ContactListItem.counterparty == quiet.id)
    assert item["manager"] == team.omar.id  # not Nadia, the least-loaded of Thomas's team


async def test_a_co_manager_counts_the_clients_orders_in_their_plan(team):
    shop = await register(team.thomas, "Épicerie Roux")
    await Counterparty.update({Counterparty.address: "12 Rue Montorgueil, 75002 Paris", Counterparty.lat: "48.8652",
                               Counterparty.lon: "2.3470"}).where(Counterparty.id == shop.id)
    await ManagerAssignment.insert(ManagerAssignment(counterparty=shop.id, manager=team.omar.id, lead=False))
    await make_order(shop.id)
    since = datetime.combine(date.today() - timedelta(days=2), datetime.min.time(), tzinfo=timezone.utc)
    until = since + timedelta(days=5)
    assert await fact(team.omar.id, "orders", since, until) == 1
    assert await fact(team.thomas.id, "orders", since, until) == 1
    assert await fact(team.nadia.id, "orders", since, until) == 0


async def test_an_import_names_the_lead_and_co_managers_by_login(team):
    existing = await register(team.thomas, "Maison Rousseau", tax_id="FR20202020202")
    lines = ("name,tax_id,manager,co_managers\n"
             "Maison Rousseau,FR20202020202,nadia,omar\n"
             "Atelier Neuf,FR40404040404,,nadia;omar\n"
             "Typo,FR50505050505,nobody,\n")
    me = await viewer_of(team.thomas)
    dry = await import_clients(actor(team.thomas), me, "c.csv", lines.encode(), dry_run=True)
    assert [line.action for line in dry.lines] == ["update", "create", "error"]
    assert "nobody" in dry.lines[2].errors[0]
    assert await holders(existing.id) == [("thomas", True, True)]
    await import_clients(actor(team.thomas), me, "c.csv", lines.encode(), dry_run=False)
    assert await holders(existing.id) == [("thomas", True, False), ("nadia", True, True), ("omar", False, True)]
    made = await Counterparty.objects().where(Counterparty.tax_id == "FR40404040404").first()
    assert await holders(made.id) == [("thomas", True, True), ("nadia", False, True), ("omar", False, True)]


async def test_after_a_merge_the_other_cards_manager_stays_on_as_a_co_manager(team):
    kept = await register(team.thomas, "Garage Fournier")
    duplicate = await register(team.nadia, "Garage Fournier SARL")
    await ManagerAssignment.insert(ManagerAssignment(counterparty=duplicate.id, manager=team.thomas.id, lead=False))
    await merge(actor(team.boss), await viewer_of(team.boss), kept.id, duplicate.id)
    assert sorted(await holders(kept.id)) == [("nadia", False, True), ("thomas", False, False),
                                              ("thomas", True, True)]
    assert await names(team.nadia) == ["Garage Fournier"]
