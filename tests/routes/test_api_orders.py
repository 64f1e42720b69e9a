"""An integration drives orders through /api/v1 with a bearer token: create one or a batch, read, change,
quote, follow the history; mistakes come back as problem details naming the field."""

import pytest

from app.accounts.sessions import issue_api_token
from app.audit import Actor
from tables.orders import Order
from tests.factories import make_client, make_company_price_list, make_courier

BODY = {"dropoff": {"address": "8 Rue Cler, 75007 Paris", "lat": 48.856, "lon": 2.3065,
                    "contact_phone": "06 12 34 56 78"},
        "deliver_from": "2026-11-25T13:00:00Z", "deliver_to": "2026-11-25T15:00:00Z", "weight_kg": 3,
        "cod_amount": 4500, "external_ref": "SHOP-1"}


@pytest.fixture
async def api(client, make_user):
    user = await make_user("dispatcher")
    token = await issue_api_token(Actor.system(), user, "shop")
    client.headers["Authorization"] = f"Bearer {token}"
    return client


async def test_an_order_is_created_priced_read_and_listed(api):
    await make_company_price_list(base=690, per_km=0, minimum=0)
    shop = await make_client()
    created = await api.post("/api/v1/orders", json={**BODY, "client_id": shop.id})
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["price"] == 840 and [line["kind"] for line in order["price_breakdown"]] == ["base", "distance",
                                                                                              "cod_fee"]
    assert order["dropoff"]["contact_phone"] == "+33612345678" and order["dropoff"]["zone"] == "75007"
    assert order["pickup"]["address"].startswith("12 Rue Montorgueil")
    assert (await api.get(f"/api/v1/orders/{order['id']}")).json()["reference"] == order["reference"]
    page = (await api.get("/api/v1/orders?limit=10")).json()
    assert [item["id"] for item in page["items"]] == [order["id"]] and page["next_before"] is None


async def test_a_wrong_field_is_a_problem_naming_it(api):
    shop = await make_client()
    bad = {**BODY, "client_id": shop.id, "dropoff": {**BODY["dropoff"], "contact_phone": "12"},
           "deliver_to": "2026-11-25T12:00:00Z"}
    response = await api.post("/api/v1/orders", json=bad)
    assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
    assert {error["field"] for error in response.json()["errors"]} == {"dropoff.contact_phone", "deliver_to"}
    malformed = await api.post("/api/v1/orders", json={"client_id": "x"})
    assert malformed.status_code == 400 and malformed.json()["status"] == 400
    assert await Order.count() == 0


async def test_a_batch_is_created_whole_or_not_at_all(api):
    shop = await make_client()
    one = {**BODY, "client_id": shop.id, "external_ref": "A"}
    two = {**BODY, "client_id": shop.id, "external_ref": "B", "weight_kg": -1}
    refused = await api.post("/api/v1/orders/bulk", json={"orders": [one, two]})
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == ["orders[1].weight_kg"]
    assert await Order.count() == 0
    done = await api.post("/api/v1/orders/bulk", json={"orders": [one, {**two, "weight_kg": 1}]})
    assert done.status_code == 201 and len(done.json()["created"]) == 2


async def test_change_cancel_reopen_and_history(api, make_user):
    shop = await make_client()
    order = (await api.post("/api/v1/orders", json={**BODY, "client_id": shop.id})).json()
    changed = await api.patch(f"/api/v1/orders/{order['id']}", json={**BODY, "client_id": shop.id, "weight_kg": 7})
    assert changed.status_code == 200 and changed.json()["weight_kg"] == 7
    courier = await make_courier(make_user)
    assigned = await api.post("/api/v1/dispatch/assign", json={"order_ids": [order["id"]], "courier_id": courier.id})
    assert assigned.json() == {"count": 1}
    assert (await api.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "shop closed"})).status_code == 200
    refused = await api.post(f"/api/v1/orders/{order['id']}/status", json={"status": "delivered"})
    assert refused.status_code == 409 and "detail" in refused.json()
    assert (await api.post(f"/api/v1/orders/{order['id']}/reopen", json={"reason": "reopened by shop"})).status_code == 200
    events = (await api.get(f"/api/v1/orders/{order['id']}/events")).json()
    assert [(event["kind"], event["status"]) for event in events] == [
        ("status", "new"), ("edit", "new"), ("status", "assigned"), ("status", "cancelled"), ("reopen", "new")]


async def test_a_quote_saves_nothing(api):
    await make_company_price_list(base=690, per_km=100, minimum=0)
    shop = await make_client()
    quote = (await api.post("/api/v1/quotes", json={**BODY, "client_id": shop.id})).json()
    assert quote["total"] == sum(line["amount"] for line in quote["lines"]) and quote["distance_km"] > 3
    assert await Order.count() == 0


async def test_the_api_is_documented(client):
    schema = (await client.get("/api/v1/schema/openapi.json")).json()
    for path in ("/api/v1/orders", "/api/v1/orders/bulk", "/api/v1/orders/{order_id}/events", "/api/v1/quotes"):
        assert path in schema["paths"], path


async def test_the_list_costs_the_same_queries_for_few_or_many(api, queries):
    shop = await make_client()
    await api.post("/api/v1/orders", json={**BODY, "client_id": shop.id, "external_ref": "first"})
    queries.count = 0
    await api.get("/api/v1/orders")
    few = queries.count
    for number in range(8):
        await api.post("/api/v1/orders", json={**BODY, "client_id": shop.id, "external_ref": f"more-{number}"})
    queries.count = 0
    page = (await api.get("/api/v1/orders?limit=5")).json()
    assert queries.count == few and len(page["items"]) == 5 and page["next_before"]
    rest = (await api.get(f"/api/v1/orders?limit=5&before={page['next_before']}")).json()
    assert len(rest["items"]) == 4 and rest["next_before"] is None
