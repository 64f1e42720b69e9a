"""A manager reads the orders of their own clients (pages, export, API) and nobody else's, and cannot change
them."""

from app.accounts.sessions import issue_api_token
from app.audit import Actor
from tests.conftest import post_form
from tests.factories import make_client, make_order


async def test_a_manager_sees_only_their_clients_orders_and_only_reads_them(client, signed_in, make_user):
    manager = await signed_in("manager")
    other = await make_user("manager")
    mine = await make_order((await make_client("Boulangerie Martin", manager=manager.id)).id, external_ref="MINE-1")
    theirs = await make_order((await make_client("Café des Arts", manager=other.id)).id, external_ref="THEIRS-1")
    listing = await client.get("/orders")
    assert mine.reference in listing.text and theirs.reference not in listing.text
    assert "New order" not in listing.text
    page = await client.get(f"/orders/{mine.id}")
    assert page.status_code == 200 and "Timeline" in page.text and "Set price" not in page.text
    assert (await client.get(f"/orders/{theirs.id}")).status_code == 404
    export = (await client.get("/orders/export.csv")).content.decode("utf-8-sig")
    assert "MINE-1" in export and "THEIRS-1" not in export
    assert (await post_form(client, f"/orders/{mine.id}/cancel", {"reason": "x"})).status_code == 403
    token = await issue_api_token(Actor.system(), manager, "crm")
    headers = {"Authorization": f"Bearer {token}"}
    client.cookies.clear()
    items = (await client.get("/api/v1/orders", headers=headers)).json()["items"]
    assert [item["external_ref"] for item in items] == ["MINE-1"]
    assert (await client.get(f"/api/v1/orders/{theirs.id}/events", headers=headers)).status_code == 404
    assert (await client.get(f"/api/v1/orders/{mine.id}", headers=headers)).status_code == 200
