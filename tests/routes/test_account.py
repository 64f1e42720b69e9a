"""A person changes their own language, theme, time zone and password, and manages API tokens."""

from __future__ import annotations

from tables.accounts import User, WebSession
from tests.conftest import PASSWORD, log_in, post_form


async def test_a_courier_switches_to_georgian_and_dark_theme(client, signed_in):
    user = await signed_in("courier")
    response = await post_form(client, "/account/preferences",
                               {"locale": "ka", "theme": "dark", "time_zone": "Asia/Tbilisi"})
    assert response.headers["location"] == "/account?saved=preferences"  # a reload does not post again
    page = await client.get(response.headers["location"])
    assert '<html lang="ka" data-theme="dark"' in page.text
    saved = await User.objects().where(User.id == user.id).first()
    assert (saved.locale, saved.theme, saved.time_zone) == ("ka", "dark", "Asia/Tbilisi")


async def test_an_unknown_time_zone_is_refused_inline(client, signed_in):
    await signed_in("manager")
    response = await post_form(client, "/account/preferences", {"locale": "en", "theme": "contrast",
                                                                  "time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    assert "Unknown time zone." in response.text


async def test_changing_the_password_closes_other_sessions_but_keeps_this_one(client, app, signed_in):
    import httpx

    user = await signed_in("dispatcher")
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
    await log_in(other, user.login)
    assert await WebSession.count() == 2
    response = await post_form(client, "/account/password",
                               {"current_password": PASSWORD, "new_password": "a much better secret"})
    assert response.headers["location"] == "/account?saved=password"
    assert await WebSession.count() == 1
    assert (await client.get("/board")).status_code == 200
    assert (await other.get("/board", follow_redirects=False)).status_code == 302
    await other.aclose()


async def test_a_weak_new_password_or_a_wrong_current_one_is_explained(client, signed_in):
    await signed_in("accountant")
    response = await post_form(client, "/account/password", {"current_password": "nope", "new_password": "short"})
    assert response.status_code == 422
    assert "This is not your current password." in response.text
    assert "Use at least 10 characters." in response.text


async def test_a_language_chosen_on_the_login_page_stays_after_login(client, make_user):
    user = await make_user("courier")
    await client.get("/login")
    await post_form(client, "/language", {"locale": "yo", "next": "/login"})
    await log_in(client, user.login)
    assert '<html lang="yo"' in (await client.get("/courier")).text
    assert (await User.objects().where(User.id == user.id).first()).locale == "yo"


async def test_a_new_api_token_is_shown_once_in_the_swapped_panel(client, signed_in):
    await signed_in("dispatcher")
    response = await post_form(client, "/account/tokens", {"name": "nightly import"},
                               headers={"hx-request": "true"})
    assert response.text.lstrip().startswith('<section class="card" id="api-tokens">')
    assert "wb_" in response.text and "nightly import" in response.text
    assert "wb_" not in (await client.get("/account")).text.split('id="api-tokens"')[1].split("<table")[0]
