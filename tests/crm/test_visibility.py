"""Managers see their own clients, a supervisor the team's, an admin all, and a shared client is seen by whom it
is shared with — on the list, in search, in the dossier, through the API and in exports."""

from __future__ import annotations

import pytest

from app.crm.counterparties import ClientFilter, list_clients, share_with
from app.crm.visibility import viewer_of
from tests.conftest import PASSWORD, log_in
from tests.crm.conftest import actor, register


@pytest.fixture
async def book(team):
    return {
        "thomas": await register(team.thomas, "Thomas Client", phone="+33611111111"),
        "nadia": await register(team.nadia, "Nadia Client", phone="+33622222222"),
        "omar": await register(team.omar, "Omar Client", phone="+33633333333"),
    }


async def names(user, q: str = "") -> list[str]:
    rows, _next = await list_clients(await viewer_of(user), ClientFilter(q=q))
    return [row["name"] for row in rows]


async def test_each_sees_exactly_their_circle_on_the_list_and_in_search(team, book):
    assert await names(team.thomas) == ["Thomas Client"]
    assert await names(team.boss) == ["Nadia Client", "Thomas Client"]
    assert await names(team.boss, "client") == ["Nadia Client", "Thomas Client"]  # the team's matches at once
    assert await names(team.boss, "cli nad") == ["Nadia Client"]
    assert await names(team.omar) == ["Omar Client"]
    assert await names(team.admin) == ["Nadia Client", "Omar Client", "Thomas Client"]
    assert await names(team.thomas, "06 22 22 22 22") == []
    assert await names(team.boss, "+33633333333") == []


async def test_a_shared_client_becomes_visible_to_that_person_only(team, book):
    await share_with(actor(team.omar), await viewer_of(team.omar), book["omar"].id, team.thomas.id)
    assert await names(team.thomas) == ["Omar Client", "Thomas Client"]
    assert await names(team.nadia) == ["Nadia Client"]


async def test_another_managers_dossier_is_not_found_and_its_writes_refused(client, team, book):
    await log_in(client, "thomas")
    assert (await client.get(f"/crm/{book['thomas'].id}")).status_code == 200
    for tab in ("overview", "orders", "history"):
        assert (await client.get(f"/crm/{book['omar'].id}?tab={tab}")).status_code == 404
    response = await client.post(f"/crm/{book['nadia'].id}/contacts", data={"name": "Spy"},
                                 headers={"x-csrf-token": client.cookies["wb_csrf"]})
    assert response.status_code == 404


async def test_the_supervisor_opens_the_teams_dossiers(client, team, book):
    await log_in(client, "elodie")
    assert (await client.get(f"/crm/{book['nadia'].id}?tab=activities")).status_code == 200
    assert (await client.get(f"/crm/{book['omar'].id}")).status_code == 404


async def test_the_api_applies_the_same_rules(client, team, book):
    token = (await client.post("/api/v1/auth/tokens", json={"login": "thomas", "password": PASSWORD})).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    listed = (await client.get("/api/v1/crm/clients", headers=headers)).json()
    assert [item["name"] for item in listed["items"]] == ["Thomas Client"]
    assert (await client.get(f"/api/v1/crm/clients/{book['omar'].id}", headers=headers)).status_code == 404
    found = await client.get("/api/v1/crm/clients", params={"q": "06 11 11 11 11"}, headers=headers)
    assert [item["name"] for item in found.json()["items"]] == ["Thomas Client"]


async def test_exports_hold_only_what_the_reader_may_see(client, team, book):
    await log_in(client, "elodie")
    csv_text = (await client.get("/crm/export")).content.decode("utf-8-sig")
    assert "Thomas Client" in csv_text and "Nadia Client" in csv_text and "Omar Client" not in csv_text
    xlsx = await client.get("/crm/export?format=xlsx")
    assert xlsx.content[:2] == b"PK"
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True)) == ["Nadia Client", "Thomas Client"]
