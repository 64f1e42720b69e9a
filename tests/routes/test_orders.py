"""A dispatcher works orders through the HTML pages: the form with inline errors and live price, the order page
with its timeline and steps, import with a dry run, export."""

import csv
import io
import re

from tables.orders import Order, OrderImport
from tests.conftest import post_form
from tests.factories import make_client, make_company_price_list, make_order

FORM = {"dropoff_address": "8 Rue Cler, 75007 Paris", "dropoff_lat": "48.8560", "dropoff_lon": "2.3065",
        "dropoff_contact_phone": "06 12 34 56 78", "deliver_from": "2026-11-25T14:00",
        "deliver_to": "2026-11-25T16:00", "weight_kg": "2,5", "cod_amount": "45.00", "pieces": "1"}


async def test_a_dispatcher_creates_an_order_and_sees_its_price_and_timeline(client, signed_in):
    await signed_in("dispatcher")
    await make_company_price_list(base=690, per_km=0, minimum=0)
    shop = await make_client()
    form = await client.get("/orders/new")
    assert form.status_code == 200 and "Boulangerie Martin" in form.text
    quote = await post_form(client, "/orders/quote", {**FORM, "client": shop.id})
    assert "Cash on delivery fee" in quote.text and "€8.40" in quote.text
    response = await post_form(client, "/orders", {**FORM, "client": shop.id})
    assert response.status_code == 302
    order = await Order.objects().first()
    assert order.weight_kg == 2.5 and order.cod_amount == 4500 and order.price == 840
    page = await client.get(response.headers["location"])
    assert order.reference in page.text and "€8.40" in page.text and "Timeline" in page.text


async def test_bad_fields_come_back_inline_and_nothing_is_saved(client, signed_in):
    await signed_in("dispatcher")
    shop = await make_client()
    response = await post_form(client, "/orders", {**FORM, "client": shop.id, "dropoff_contact_phone": "123",
                                                   "deliver_to": "2026-11-25T13:00", "contact_email": "x@"})
    assert response.status_code == 422
    assert 'id="dropoff_contact_phone-error"' in response.text and 'id="deliver_to-error"' in response.text
    assert 'id="contact_email-error"' in response.text and 'value="8 Rue Cler, 75007 Paris"' in response.text
    assert await Order.count() == 0


async def test_cancel_and_reopen_from_the_order_page(client, signed_in):
    await signed_in("dispatcher")
    order = await make_order((await make_client()).id)
    assert (await post_form(client, f"/orders/{order.id}/cancel", {"reason": "client called"})).status_code == 302
    refused = await post_form(client, f"/orders/{order.id}/reopen", {"reason": ""})
    assert refused.status_code == 422 and "Say why" in refused.text
    assert (await post_form(client, f"/orders/{order.id}/reopen", {"reason": "wrong click"})).status_code == 302
    page = await client.get(f"/orders/{order.id}")
    assert "client called" in page.text and "wrong click" in page.text
    refused = await post_form(client, f"/orders/{order.id}/status", {"status": "delivered"})
    assert refused.status_code == 409 and (await Order.objects().first()).status == "new"


async def test_a_price_set_by_hand_is_kept(client, signed_in):
    await signed_in("dispatcher")
    order = await make_order((await make_client()).id)
    assert (await post_form(client, f"/orders/{order.id}/price", {"price": "12,00", "reason": "deal"})).status_code == 302
    page = await client.get(f"/orders/{order.id}")
    assert "Set by hand" in page.text and "€12.00" in page.text
    bad = await post_form(client, f"/orders/{order.id}/price", {"price": "twelve"})
    assert bad.status_code == 422


async def test_import_dry_run_then_confirm_then_nothing_twice(client, signed_in):
    await signed_in("dispatcher")
    await make_client("Boulangerie Martin")
    template = await client.get("/orders/import/template.csv")
    assert template.status_code == 200 and "attachment" in template.headers["content-disposition"]
    content = template.content + "SHOP-2,Nobody,1 Rue Lepic,48.88,2.33,,,,2026-11-25 10:00\n".encode()
    preview = await post_form(client, "/orders/import", files={"file": ("orders.csv", content, "text/csv")})
    assert preview.status_code == 200 and await Order.count() == 0
    assert "<td>3</td><td><code>client</code></td>" in preview.text
    import_id = re.search(r"/orders/import/(\d+)/confirm", preview.text).group(1)
    done = await post_form(client, f"/orders/import/{import_id}/confirm")
    assert "1 order created." in done.text and await Order.count() == 1
    again = await post_form(client, "/orders/import", files={"file": ("orders.csv", content, "text/csv")})
    assert 'data-count="good">0<' in again.text and 'data-count="already">1<' in again.text
    assert (await OrderImport.objects().first()).status == "done"


async def test_a_file_that_is_not_orders_gets_a_clear_message(client, signed_in):
    await signed_in("dispatcher")
    response = await post_form(client, "/orders/import", files={"file": ("photo.png", b"\x89PNG", "image/png")})
    assert response.status_code == 422 and "Upload a .csv or .xlsx file." in response.text


async def test_the_list_exports_what_it_shows(client, signed_in):
    await signed_in("dispatcher")
    shop = await make_client()
    await make_order(shop.id, external_ref="SHOP-A")
    await make_order(shop.id, external_ref="SHOP-B")
    response = await client.get("/orders/export.csv?q=SHOP-B")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["SHOP-B"]
    assert (await client.get("/orders/export.xlsx")).content[:2] == b"PK"


async def test_the_order_list_costs_the_same_queries_for_few_or_many(client, signed_in, queries):
    await signed_in("dispatcher")
    shop = await make_client()
    await make_order(shop.id)
    queries.count = 0
    assert (await client.get("/orders")).status_code == 200
    few = queries.count
    for _ in range(12):
        await make_order(shop.id)
    queries.count = 0
    await client.get("/orders")
    assert queries.count == few
