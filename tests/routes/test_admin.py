"""The administrator manages people and reads the audit log."""

from __future__ import annotations

import json

from tables.accounts import User, WebSession
from tables.audit import AuditEntry
from tests.conftest import PASSWORD, log_in, post_form


async def test_the_admin_creates_a_courier_who_can_then_log_in(client, app, signed_in):
    import httpx

    await signed_in("admin")
    response = await post_form(client, "/admin/users", {
        "login": "k.haddad", "password": "first-day-password", "full_name": "Karim Haddad", "role": "courier",
        "email": "karim@example.com", "locale": "fr", "time_zone": "Europe/Paris"})
    assert response.status_code == 302
    created = await User.objects().where(User.login == "k.haddad").first()
    assert created.role == "courier" and created.password_hash.startswith("$argon2id$")
    courier = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
    assert (await log_in(courier, "k.haddad", "first-day-password")).headers["location"] == "/courier"
    await courier.aclose()


async def test_bad_fields_are_shown_next_to_the_form_and_nothing_is_created(client, signed_in):
    await signed_in("admin")
    before = await User.count()
    response = await post_form(client, "/admin/users", {"login": "Bad Login!", "password": "123",
                                                        "full_name": "", "role": "pilot", "email": "not-an-email",
                                                        "locale": "en", "time_zone": "UTC"})
    assert response.status_code == 422
    for message in ("Use 2–64 lower-case letters", "Use at least 10 characters.", "Enter the person&#39;s name.",
                    "Choose one of the roles.", "Enter a valid e-mail address."):
        assert message in response.text
    assert await User.count() == before


async def test_deactivating_a_person_ends_their_sessions_at_once(client, app, signed_in, make_user):
    import httpx

    await signed_in("admin")
    courier = await make_user("courier")
    phone = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
    await log_in(phone, courier.login)
    assert (await phone.get("/courier")).status_code == 200
    await post_form(client, f"/admin/users/{courier.id}/active", {"active": "0"})
    assert await WebSession.count().where(WebSession.user == courier.id) == 0
    assert (await phone.get("/courier", follow_redirects=False)).status_code == 302
    assert (await log_in(phone, courier.login)).status_code == 422
    await phone.aclose()


async def test_the_admin_resets_a_password_and_sets_a_supervisor(client, app, signed_in, make_user):
    import httpx

    await signed_in("admin")
    lead = await make_user("manager", full_name="Team Lead")
    manager = await make_user("manager")
    response = await post_form(client, f"/admin/users/{manager.id}", {
        "full_name": manager.full_name, "email": "", "phone": "", "role": "manager", "locale": "bg",
        "time_zone": "Europe/Sofia", "supervisor": str(lead.id)})
    assert response.status_code == 200
    assert (await User.objects().where(User.id == manager.id).first()).supervisor == lead.id
    await post_form(client, f"/admin/users/{manager.id}/password", {"password": "brand new secret 1"})
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
    assert (await log_in(other, manager.login, PASSWORD)).status_code == 422
    assert (await log_in(other, manager.login, "brand new secret 1")).status_code == 302
    await other.aclose()


async def test_nobody_can_supervise_themselves(client, signed_in, make_user):
    await signed_in("admin")
    manager = await make_user("manager")
    response = await post_form(client, f"/admin/users/{manager.id}", {
        "full_name": "M", "role": "manager", "locale": "en", "time_zone": "UTC", "supervisor": str(manager.id)})
    assert response.status_code == 422
    assert "A person cannot supervise themselves." in response.text


async def test_every_change_is_in_the_audit_log_with_its_field_diff(client, signed_in, make_user):
    admin = await signed_in("admin")
    courier = await make_user("courier", full_name="Paul Renard")
    await post_form(client, f"/admin/users/{courier.id}", {
        "full_name": "Paul Renard-Lefèvre", "role": "dispatcher", "locale": "en", "time_zone": "UTC"})
    entry = await AuditEntry.objects().where(
        (AuditEntry.record_type == "app_user") & (AuditEntry.action == "update")).first()
    changes = entry.changes if isinstance(entry.changes, dict) else json.loads(entry.changes)
    assert entry.user == admin.id and entry.record_id == str(courier.id)
    assert changes["full_name"] == ["Paul Renard", "Paul Renard-Lefèvre"]
    assert changes["role"] == ["courier", "dispatcher"]
    page = await client.get(f"/admin/audit?user={admin.id}&record_type=app_user&record_id={courier.id}")
    assert "Paul Renard-Lefèvre" in page.text and "dispatcher" in page.text


async def test_password_hashes_never_appear_in_the_audit_log(client, signed_in, make_user):
    await signed_in("admin")
    courier = await make_user("courier")
    await post_form(client, f"/admin/users/{courier.id}/password", {"password": "another secret 22"})
    entries = await AuditEntry.select(AuditEntry.changes)
    assert all("$argon2" not in str(entry["changes"]) for entry in entries)


async def test_the_audit_log_filters_by_date_and_pages_with_a_constant_number_of_queries(client, signed_in,
                                                                                         make_user, queries):
    await signed_in("admin")
    for _ in range(3):
        await make_user("courier")
    queries.count = 0
    first = await client.get("/admin/audit")
    small = queries.count
    for _ in range(12):
        await make_user("manager")
    queries.count = 0
    await client.get("/admin/audit")
    assert queries.count == small
    empty = await client.get("/admin/audit?day_from=2001-01-01&day_to=2001-01-02")
    assert "No changes match these filters." in empty.text
    assert first.status_code == 200


async def test_the_users_list_uses_a_constant_number_of_queries(client, signed_in, make_user, queries):
    await signed_in("admin")
    queries.count = 0
    await client.get("/admin/users")
    few = queries.count
    for _ in range(10):
        await make_user("courier")
    queries.count = 0
    response = await client.get("/admin/users")
    assert queries.count == few
    assert response.text.count("/admin/users/") >= 11
