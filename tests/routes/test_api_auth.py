"""A script gets a personal bearer token, uses it, and an admin or the person revokes it."""

from __future__ import annotations

from tables.accounts import ApiToken
from tests.conftest import PASSWORD


async def test_a_login_and_password_give_a_bearer_token_that_opens_the_api(client, make_user):
    user = await make_user("dispatcher")
    response = await client.post("/api/v1/auth/tokens", json={"login": user.login, "password": PASSWORD,
                                                             "name": "import script"})
    assert response.status_code == 201
    token = response.json()["token"]
    assert len(token) >= 40
    stored = await ApiToken.objects().first()
    assert stored.token_hash != token and token.startswith(stored.prefix)
    me = await client.get("/api/v1/auth/me", headers={"authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["login"] == user.login and me.json()["role"] == "dispatcher"


async def test_a_revoked_token_stops_working(client, make_user):
    user = await make_user("manager")
    token = (await client.post("/api/v1/auth/tokens", json={"login": user.login, "password": PASSWORD})).json()["token"]
    headers = {"authorization": f"Bearer {token}"}
    token_id = (await ApiToken.objects().first()).id
    assert (await client.delete(f"/api/v1/auth/tokens/{token_id}", headers=headers)).status_code == 204
    refused = await client.get("/api/v1/auth/me", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["detail"] == "Invalid or revoked token."


async def test_a_wrong_password_is_a_problem_document_naming_the_field(client, make_user):
    user = await make_user("courier")
    response = await client.post("/api/v1/auth/tokens", json={"login": user.login, "password": "wrong one"})
    assert response.status_code == 422
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["status"] == 422 and body["errors"][0]["field"] == "login"


async def test_a_malformed_body_is_a_400_problem_naming_the_field(client):
    response = await client.post("/api/v1/auth/tokens", json={"login": "someone"})
    assert response.status_code == 400
    body = response.json()
    assert body["title"] == "Bad request"
    assert any("password" in error["message"] or error["field"] == "password" for error in body["errors"])


async def test_the_api_without_credentials_answers_401_not_a_login_page(client):
    response = await client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["status"] == 401


async def test_the_openapi_document_describes_the_api(client):
    response = await client.get("/api/v1/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/auth/tokens" in paths and "/api/v1/auth/me" in paths
    assert "/login" not in paths


async def test_an_unknown_page_is_friendly_and_an_unknown_api_path_is_a_problem(client, signed_in):
    await signed_in("dispatcher")
    page = await client.get("/no/such/page")
    assert page.status_code == 404 and "Back to the start page" in page.text
    api = await client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json()["status"] == 404
