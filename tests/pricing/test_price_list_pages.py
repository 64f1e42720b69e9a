"""A dispatcher writes the company tariff and a client's own tariff on the price list pages."""

import re

from app.pricing.lists import PAGE
from tables.counterparties import Counterparty
from tables.pricing import PriceList, PriceRule
from tests.conftest import post_form
from tests.factories import make_client, make_order


async def test_company_list_then_a_client_list_price_the_orders(client, signed_in):
    await signed_in("dispatcher")
    shop = await make_client()
    created = await post_form(client, "/pricing", {"name": "Company 2026", "currency": "eur", "company": "1"})
    company_id = int(re.search(r"/pricing/(\d+)", created.headers["location"]).group(1))
    await post_form(client, f"/pricing/{company_id}/rules", {"kind": "base", "amount": "6.90"})
    bad = await post_form(client, f"/pricing/{company_id}/rules", {"kind": "distance", "band_from": "5",
                                                                    "band_to": "2"})
    assert bad.status_code == 422 and 'id="band_to-error"' in bad.text
    assert (await make_order(shop.id)).price == 690
    vip = await post_form(client, "/pricing", {"name": "VIP", "currency": "EUR"})
    vip_id = int(re.search(r"/pricing/(\d+)", vip.headers["location"]).group(1))
    await post_form(client, f"/pricing/{vip_id}/rules", {"kind": "base", "amount": "5"})
    await post_form(client, f"/pricing/{vip_id}/rules", {"kind": "cod_fee", "percent": "1.5"})
    await post_form(client, f"/pricing/{vip_id}/clients", {"client": shop.id})
    assert (await Counterparty.objects().first()).price_list == vip_id
    assert (await make_order(shop.id, cod_amount="100")).price == 500 + 150
    page = await client.get(f"/pricing/{vip_id}")
    assert "Boulangerie Martin" in page.text and "1.5 %" in page.text
    rule = await PriceRule.objects().where(PriceRule.price_list == vip_id).first()
    await post_form(client, f"/pricing/{vip_id}/rules/{rule.id}/delete")
    assert await PriceRule.count().where(PriceRule.price_list == vip_id) == 1
    await post_form(client, f"/pricing/{vip_id}/default")
    assert await PriceList.select(PriceList.id).where(PriceList.is_company_default == True).output(  # noqa: E712
        as_list=True) == [vip_id]


async def test_price_lists_rules_and_their_clients_come_a_page_at_a_time_at_a_constant_cost(client, signed_in,
                                                                                          queries):
    await signed_in("dispatcher")
    tariff = PriceList(name="Tariff 000", currency="EUR")
    await tariff.save()
    await PriceRule.insert(PriceRule(price_list=tariff.id, kind="base", amount=500, position=0))
    await Counterparty.insert(Counterparty(name="Client 000", price_list=tariff.id))
    queries.count = 0
    assert (await client.get("/pricing")).status_code == 200
    few_lists = queries.count
    queries.count = 0
    assert (await client.get(f"/pricing/{tariff.id}")).status_code == 200
    few_rules = queries.count

    n = PAGE + 3
    await PriceList.insert(*(PriceList(name=f"Tariff {i:03}", currency="EUR") for i in range(1, n)))
    await PriceRule.insert(*(PriceRule(price_list=tariff.id, kind="zone", zone=f"75{i:03}", amount=i, position=i)
                             for i in range(1, n)))
    await Counterparty.insert(*(Counterparty(name=f"Client {i:03}", price_list=tariff.id) for i in range(1, n)))
    queries.count = 0
    index = await client.get("/pricing")
    assert queries.count == few_lists
    assert "Tariff 049" in index.text and "Tariff 050" not in index.text
    queries.count = 0
    detail = await client.get(f"/pricing/{tariff.id}")
    assert queries.count == few_rules
    assert "75049" in detail.text and "75050" not in detail.text
    assert "<td>Client 049</td>" in detail.text and "<td>Client 050</td>" not in detail.text

    for page, part, last in ((index, "", "Tariff 052"), (detail, "rules", "75052"), (detail, "clients", "Client 052")):
        found = re.search(rf'hx-get="(/pricing[^"]*{part}[^"]*after=[^"]+)"', page.text)
        rest = await client.get(found.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})
        assert rest.status_code == 200 and last in rest.text and "<html" not in rest.text, part
