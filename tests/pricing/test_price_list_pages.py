"""A dispatcher writes the company tariff and a client's own tariff on the price list pages."""

import re

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
