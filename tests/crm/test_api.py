"""/api/v1/crm: an integration registers a client with its consent, plans and completes a call, and reads the
dossier and the daily list — with problem details naming the field when something is wrong."""

from __future__ import annotations

from tables.activities import Activity
from tables.notifications import ChannelConsent
from tests.conftest import PASSWORD


async def bearer(client, login: str) -> dict:
    token = (await client.post("/api/v1/auth/tokens", json={"login": login, "password": PASSWORD})).json()["token"]
    return {"Authorization": f"Bearer {token}"}


async def test_an_integration_registers_a_client_plans_and_completes_a_call(client, team):
    headers = await bearer(client, "thomas")
    missing = await client.post("/api/v1/crm/clients", json={"name": "Maison X", "marketing_source": ""},
                                headers=headers)
    assert missing.status_code == 422 and missing.headers["content-type"].startswith("application/problem+json")
    assert [error["field"] for error in missing.json()["errors"]] == ["marketing_source"]
    made = await client.post("/api/v1/crm/clients", headers=headers, json={
        "name": "Maison Ferrand", "marketing_source": "Website form", "phone": "06 70 00 00 01",
        "consents": [{"channel": "sms", "how": "checkbox on the website"}]})
    assert made.status_code == 201
    body = made.json()
    assert (body["phone"], body["consents"], body["manager"]) == ("+33670000001", {"sms": True}, team.thomas.id)
    assert await ChannelConsent.exists().where(ChannelConsent.how == "checkbox on the website")
    naive = await client.post("/api/v1/crm/activities", headers=headers, json={
        "kind": "call", "starts_at": "2026-12-01T10:00:00", "counterparty": body["id"], "subject": "Hello"})
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "starts_at"
    call = await client.post("/api/v1/crm/activities", headers=headers, json={
        "kind": "call", "starts_at": "2026-12-01T10:00:00+01:00", "counterparty": body["id"], "subject": "Hello"})
    assert call.status_code == 201
    done = await client.post(f"/api/v1/crm/activities/{call.json()['id']}/done", headers=headers,
                             json={"result": "Will order next week"})
    assert done.status_code == 200 and done.json()["state"] == "done"
    assert (await Activity.objects().where(Activity.id == call.json()["id"]).first()).result == "Will order next week"
    dossier = (await client.get(f"/api/v1/crm/clients/{body['id']}", headers=headers)).json()
    assert dossier["name"] == "Maison Ferrand" and dossier["completeness"] < 100
    assert (await client.get("/api/v1/crm/today", headers=headers)).json() == []
    other = await bearer(client, "omar")
    assert (await client.get(f"/api/v1/crm/clients/{body['id']}", headers=other)).status_code == 404
    assert (await client.post(f"/api/v1/crm/activities/{call.json()['id']}/done", headers=other,
                              json={"result": "x"})).status_code == 404
    exported = (await client.get("/api/v1/crm/clients/export", headers=other)).content.decode("utf-8-sig")
    assert "Maison Ferrand" not in exported
