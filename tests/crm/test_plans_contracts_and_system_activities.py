"""Plans against facts per manager and for the team; contracts that remind before they expire and renew; and the
activities the system makes by itself (welcome call, follow-up after a failed delivery)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.crm.activities import ActivityInput, complete, plan_activity
from app.crm.contracts import ContractInput, add_contract, renew, send_expiry_reminders
from app.crm.plans import month_of, plan_vs_fact, set_target
from app.crm.system_activities import make_failed_delivery_follow_ups, make_welcome_call
from app.crm.visibility import viewer_of
from app.dispatch.day import company_today
from tables.activities import Activity
from tables.crm import Contract
from tables.jobs import Job
from tables.orders import Order, OrderEvent, Place
from tests.conftest import log_in, post_form
from tests.crm.conftest import actor, register


async def test_the_supervisor_sets_targets_and_the_page_shows_plan_against_fact_with_the_gap(client, team):
    start, end = month_of(company_today())
    boss = await viewer_of(team.boss)
    await set_target(actor(team.boss), boss, team.thomas.id, start, end, "activities:call", 3)
    await set_target(actor(team.boss), boss, team.thomas.id, start, end, "new_clients", 1)
    row = await register(team.thomas, "Bio Marché Muller")
    me = await viewer_of(team.thomas)
    call = await plan_activity(actor(team.thomas), me, ActivityInput(
        kind="call", counterparty_id=row.id, subject="Intro", starts_at=datetime.now(timezone.utc)))
    await complete(actor(team.thomas), me, call.id, "Interested")
    lines = {line.metric: line for line in await plan_vs_fact(team.thomas.id, start, end)}
    assert (lines["activities:call"].fact, lines["activities:call"].difference, lines["activities:call"].behind) == (
        1, -2, True)
    assert (lines["new_clients"].fact, lines["new_clients"].behind) == (1, False)
    await log_in(client, "elodie")
    page = (await client.get("/crm/plans")).text
    assert "Thomas Caron" in page and 'class="behind"' in page and "Team" in page
    refused = await post_form(client, "/crm/plans", {"manager": team.omar.id, "metric": "orders", "target": "5",
                                                     "month": start.strftime("%Y-%m")})
    assert refused.status_code == 422 and 'id="manager-error"' in refused.text


async def test_a_manager_may_not_set_their_own_plan(client, team):
    await log_in(client, "thomas")
    response = await post_form(client, "/crm/plans", {"manager": team.thomas.id, "metric": "orders", "target": "1",
                                                      "month": "2026-11"})
    assert response.status_code == 422


async def test_a_contract_reminds_its_manager_once_ahead_of_expiry_and_renews_from_the_next_day(team):
    row = await register(team.thomas, "Imprimerie Laurent")
    me = await viewer_of(team.thomas)
    today = company_today()
    soon = await add_contract(actor(team.thomas), me, row.id, ContractInput(
        number="C-1", starts_on=today - timedelta(days=300), ends_on=today + timedelta(days=20), remind_days_before=30))
    await add_contract(actor(team.thomas), me, row.id, ContractInput(
        number="C-2", starts_on=today, ends_on=today + timedelta(days=200), remind_days_before=30))
    assert await send_expiry_reminders() == 1
    assert await send_expiry_reminders() == 0
    task = await Activity.objects().where(Activity.origin == "contract_expiry").first()
    assert (task.performer, task.counterparty, task.kind) == (team.thomas.id, row.id, "task") and "C-1" in task.subject
    renewed = await renew(actor(team.thomas), me, soon.id, today + timedelta(days=400))
    assert renewed.starts_on == today + timedelta(days=21) and renewed.renewed_from == soon.id
    assert (await Contract.objects().where(Contract.id == soon.id).first()).state == "renewed"


async def test_a_new_client_gets_one_welcome_call_for_its_manager(team):
    row = await register(team.thomas, "Herboristerie Roy")
    assert await Job.exists().where(Job.actor == "crm_welcome_call")
    first = await make_welcome_call(row.id)
    assert await make_welcome_call(row.id) is None
    call = await Activity.objects().where(Activity.id == first).first()
    assert (call.performer, call.origin, call.author, call.kind) == (team.thomas.id, "welcome", None, "call")


async def test_a_failed_delivery_brings_one_follow_up_call_to_the_clients_manager(team):
    row = await register(team.thomas, "Primeur Dumont")
    place = (await Place.insert(Place(address="1 Rue Cler", lat=48.85, lon=2.30)).returning(Place.id))[0]["id"]
    order = (await Order.insert(Order(reference="WB-1", client=row.id, pickup=place, dropoff=place,
                                      tracking_token="tok-1", status="failed")).returning(Order.id))[0]["id"]
    await OrderEvent.insert(OrderEvent(order=order, status="failed", note="nobody home"))
    assert await make_failed_delivery_follow_ups() == 1
    assert await make_failed_delivery_follow_ups() == 0
    call = await Activity.objects().where(Activity.origin == "failed_delivery").first()
    assert (call.order, call.performer, call.priority) == (order, team.thomas.id, "very_high")


async def test_management_adds_a_task_to_a_managers_plan(client, team):
    await log_in(client, "elodie")
    day = company_today()
    response = await post_form(client, "/crm/activities", {
        "kind": "task", "performer": team.thomas.id, "subject": "Call the ten biggest clients",
        "starts_at": f"{day.isoformat()}T12:00", "priority": "high", "back": "/crm/plans"})
    assert response.status_code == 302 and response.headers["location"] == "/crm/plans"
    await log_in(client, "thomas")
    page = (await client.get("/crm/plans")).text
    assert "Tasks from management" in page and "Call the ten biggest clients" in page
