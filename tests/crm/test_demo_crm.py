"""The demo company's managers have a CRM to look at: clients with legal entities, consents, contracts and a week
of activities; every CRM page opens for the supervisor."""

from __future__ import annotations

from app.crm.daily_list import build_daily_list
from app.demo import DEMO_PASSWORD, seed_demo
from tables.activities import Activity
from tables.counterparties import Counterparty, LegalEntity
from tables.crm import Contract
from tables.notifications import ChannelConsent
from tests.conftest import log_in


async def test_the_demo_supervisor_opens_every_crm_page_on_real_looking_data(client):
    await seed_demo()
    assert await LegalEntity.count() == 40 and await Contract.count() == 20
    assert await Activity.count() == 120 and await ChannelConsent.count() > 40
    await build_daily_list()
    await log_in(client, "manager1", DEMO_PASSWORD)
    first = await Counterparty.select(Counterparty.id).where(Counterparty.kind == "company").first()
    pages = ["/crm", "/crm?q=boulangerie", "/crm/today", "/calendar", "/calendar?view=month", "/crm/plans",
             "/crm/verify", "/crm/new", "/crm/import", "/calendar/feed"]
    pages += [f"/crm/{first['id']}?tab={tab}" for tab in ("overview", "contacts", "entities", "orders", "activities",
                                                          "messages", "documents", "contracts", "history")]
    for path in pages:
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text[-500:])
    assert "Boulangerie Martin" in (await client.get("/crm?q=boulangerie")).text
