"""Logging in and out: each role lands on its home page; wrong passwords, throttling, CSRF and cookies."""

from __future__ import annotations

import pytest

from app.accounts.roles import HOME
from tables.accounts import WebSession
from tests.conftest import PASSWORD, log_in, post_form


@pytest.mark.parametrize("role", sorted(HOME))
async def test_a_person_logs_in_and_lands_on_the_home_of_their_role(client, make_user, role):
    user = await make_user(role)
    response = await log_in(client, user.login)
    assert response.status_code == 302
    assert response.headers["location"] == HOME[role]
    home = await client.get(HOME[role])
    assert home.status_code == 200
    assert user.full_name in home.text


async def test_the_session_cookie_is_http_only_and_same_site(client, make_user):
    user = await make_user("dispatcher")
    response = await log_in(client, user.login)
    cookie = next(value for value in response.headers.get_list("set-cookie") if value.startswith("wb_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in tests; BASE_URL https:// turns Secure on


async def test_only_a_hash_of_the_session_is_stored(client, make_user):
    user = await make_user("manager")
    await log_in(client, user.login)
    stored = await WebSession.select(WebSession.token_hash).first()
    assert stored["token_hash"] != client.cookies["wb_session"]
    assert len(client.cookies["wb_session"]) >= 32  # ≥ 128 random bits, URL-safe base64


async def test_a_wrong_password_shows_an_inline_error_and_no_session(client, make_user):
    user = await make_user("courier")
    response = await log_in(client, user.login, "not the password")
    assert response.status_code == 422
    assert "Wrong login or password." in response.text
    assert 'aria-invalid="true"' in response.text
    assert "wb_session" not in client.cookies


async def test_an_unknown_login_gets_the_same_answer_as_a_wrong_password(client):
    response = await log_in(client, "nobody", "whatever-password")
    assert response.status_code == 422
    assert "Wrong login or password." in response.text


async def test_repeated_failures_lock_the_account_with_a_clear_message(client, make_user, settings):
    user = await make_user("accountant")
    for _attempt in range(settings.login_max_failures):
        await log_in(client, user.login, "bad password!")
    response = await log_in(client, user.login, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text


async def test_a_form_without_the_csrf_token_is_refused(client, make_user):
    user = await make_user("admin")
    await client.get("/login")
    response = await client.post("/login", data={"login": user.login, "password": PASSWORD})
    assert response.status_code == 403
    assert "Your form has expired" in response.text


async def test_logging_out_ends_the_session_on_the_server(client, make_user):
    user = await make_user("dispatcher")
    await log_in(client, user.login)
    cookie = client.cookies["wb_session"]
    response = await post_form(client, "/logout")
    assert response.headers["location"] == "/login"
    assert await WebSession.count() == 0
    client.cookies.set("wb_session", cookie)
    again = await client.get("/board", follow_redirects=False)
    assert again.headers["location"].startswith("/login?next=")


async def test_after_login_the_person_returns_to_the_page_they_asked_for_but_never_off_site(client, make_user):
    user = await make_user("admin")
    token = (await client.get("/admin/audit", follow_redirects=True)) and client.cookies["wb_csrf"]
    response = await client.post("/login", data={"login": user.login, "password": PASSWORD, "_csrf_token": token,
                                                  "next": "/admin/audit"}, follow_redirects=False)
    assert response.headers["location"] == "/admin/audit"
    await post_form(client, "/logout")
    response = await client.post("/login", data={"login": user.login, "password": PASSWORD, "_csrf_token": token,
                                                  "next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/admin/users"


async def test_a_visitor_chooses_the_language_on_the_login_page(client):
    await client.get("/login")
    response = await post_form(client, "/language", {"locale": "fr", "next": "/login"})
    assert response.headers["location"] == "/login"
    page = await client.get("/login")
    assert '<html lang="fr"' in page.text


async def test_the_browser_language_is_used_before_anyone_chooses(client):
    page = await client.get("/login", headers={"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert '<html lang="ru"' in page.text


async def test_every_response_carries_the_security_headers(client):
    response = await client.get("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"


async def test_pages_have_no_inline_script(client, signed_in):
    await signed_in("admin")
    for path in ("/admin/users", "/admin/audit", "/account", "/board", "/crm", "/finance"):
        html = (await client.get(path)).text
        assert "<script>" not in html and "onclick=" not in html, path
