"""Each morning the clients due a contact are listed — silent too long, or breaking their own ordering rhythm —
and shared among the managers; an item is done only with a result, and what stays undone comes back, then goes
to the supervisor."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.crm import daily_list
from app.crm.daily_list import build_daily_list, my_list, plan_call, record_result, refresh_order_rhythm
from app.crm.visibility import viewer_of
from app.dispatch.day import company_today
from app.errors import InvalidInput
from tables.activities import Activity
from tables.counterparties import Counterparty
from tables.crm import ContactListItem
from tables.orders import Order, Place
from tests.conftest import log_in, post_form
from tests.crm.conftest import actor, register

NOW = datetime.now(timezone.utc)


async def client_of(user, name: str, silent_days: int, every: int = 30, **fields) -> Counterparty:
    row = await register(user, name)
    await Counterparty.update({Counterparty.created_at: NOW - timedelta(days=400),
                               Counterparty.last_contact_at: NOW - timedelta(days=silent_days),
                               Counterparty.contact_every_days: every, **fields}).where(Counterparty.id == row.id)
    return row


async def orders_every(client_id: int, days: int, count: int, last_days_ago: int) -> None:
    place = (await Place.insert(Place(address="1 Rue Cler", lat=48.85, lon=2.30)).returning(Place.id))[0]["id"]
    for n in range(count):
        at = NOW - timedelta(days=last_days_ago + n * days)
        await Order.insert(Order(reference=f"R{client_id}-{n}", client=client_id, pickup=place, dropoff=place,
                                 tracking_token=f"t{client_id}-{n}", created_at=at))


async def test_a_weekly_shipper_silent_for_ten_days_is_due_today_though_called_last_week(team):
    weekly = await client_of(team.thomas, "Weekly Shipper", silent_days=8)
    await orders_every(weekly.id, days=7, count=6, last_days_ago=10)
    calm = await client_of(team.thomas, "Monthly Shipper", silent_days=8)
    await orders_every(calm.id, days=30, count=4, last_days_ago=10)
    silent = await client_of(team.thomas, "Forgotten Client", silent_days=45)
    await refresh_order_rhythm()
    assert (await Counterparty.objects().where(Counterparty.id == weekly.id).first()).order_rhythm_days == 7
    await build_daily_list()
    items = await my_list(await viewer_of(team.thomas))
    assert {(item["counterparty_name"], item["reason"]) for item in items} == {
        ("Weekly Shipper", "rhythm"), ("Forgotten Client", "silence")}
    assert silent.id in {item["counterparty_id"] for item in items}
    again = await build_daily_list()
    assert again["added"] == 0


async def test_the_list_goes_to_the_assigned_manager_first_then_to_the_least_loaded_of_the_team(team, monkeypatch):
    monkeypatch.setattr(daily_list, "DAILY_CAPACITY", 2)
    for n in range(5):
        await client_of(team.thomas, f"Thomas client {n}", silent_days=60 + n)
    await client_of(team.nadia, "Nadia client", silent_days=40)
    await build_daily_list()
    load = {}
    for row in await ContactListItem.select(ContactListItem.manager):
        load[row["manager"]] = load.get(row["manager"], 0) + 1
    assert load[team.thomas.id] == 2
    assert load.get(team.nadia.id, 0) + load.get(team.boss.id, 0) == 4
    assert team.omar.id not in load


async def test_an_item_counts_only_with_its_result_and_the_call_lands_on_the_calendar_and_in_the_dossier(
        client, team):
    row = await client_of(team.thomas, "Boucherie Durand", silent_days=50)
    await build_daily_list()
    me = await viewer_of(team.thomas)
    item = (await my_list(me))[0]
    call = await plan_call(actor(team.thomas), me, item["id"])
    assert (call.kind, call.origin, call.counterparty) == ("call", "daily_list", row.id)
    with pytest.raises(InvalidInput):
        await record_result(actor(team.thomas), me, item["id"], "")
    assert (await my_list(me))[0]["state"] == "open"
    await log_in(client, "thomas")
    assert (await post_form(client, f"/crm/today/{item['id']}/result", {"result": "Orders resume Monday"})
            ).status_code == 302
    assert (await my_list(me))[0]["state"] == "done"
    assert (await Activity.objects().where(Activity.id == call.id).first()).state == "done"
    assert "Orders resume Monday" in (await client.get(f"/crm/{row.id}?tab=activities")).text
    assert "Call Boucherie Durand" in (await client.get("/calendar?view=day")).text


async def test_unfinished_items_come_back_each_morning_and_then_go_to_the_supervisor(team):
    await client_of(team.thomas, "Quincaillerie Garnier", silent_days=70)
    day = company_today()
    await build_daily_list(day - timedelta(days=3))
    for back in (2, 1, 0):
        await build_daily_list(day - timedelta(days=back))
    item = await ContactListItem.objects().first()
    assert item.day == day and item.carried_over == 3
    assert (item.manager, item.escalated_to) == (team.boss.id, team.boss.id)
    assert [i["counterparty_name"] for i in await my_list(await viewer_of(team.boss))] == ["Quincaillerie Garnier"]
    assert await ContactListItem.count() == 1
