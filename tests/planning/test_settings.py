"""The company's optimizer settings: what waiting costs a time-first client, and the default priority."""

from __future__ import annotations

import pytest

from app.audit import Actor
from app.errors import InvalidInput
from app.planning.problem import build_problem
from app.planning.settings import DEFAULTS, change_settings, planning_settings
from tables.audit import AuditEntry
from tables.counterparties import Counterparty
from tests.factories import make_client, make_order
from tests.planning.conftest import tomorrow_at


async def test_until_someone_chooses_the_defaults_apply(small_day):
    assert await planning_settings() == DEFAULTS
    day = await build_problem(small_day["day"], small_day["depot"], now=tomorrow_at(6))
    assert (day.problem.delay_cost_per_hour, day.problem.default_priority) == (2000, 50)


async def test_a_dispatcher_changes_them_and_the_next_plan_uses_them(small_day, make_user):
    dispatcher = await make_user("dispatcher")
    await change_settings(Actor(dispatcher.id), {"delay_cost_per_hour": "35,50", "default_priority": "80"})
    await change_settings(Actor(dispatcher.id), {"delay_cost_per_hour": "35.5", "default_priority": "70"})

    day = await build_problem(small_day["day"], small_day["depot"], now=tomorrow_at(6))
    assert (day.problem.delay_cost_per_hour, day.problem.default_priority) == (3550, 70)
    audited = await AuditEntry.select(AuditEntry.action, AuditEntry.changes).where(
        (AuditEntry.record_type == "planning_setting") & (AuditEntry.user == dispatcher.id)).order_by(AuditEntry.id
    ).output(load_json=True)
    assert [row["action"] for row in audited] == ["create", "update"]
    assert audited[1]["changes"]["default_priority"] == [80, 70]


async def test_saving_the_same_values_again_changes_nothing(make_user):
    admin = Actor((await make_user("admin")).id)
    await change_settings(admin, {"delay_cost_per_hour": "20", "default_priority": "50"})
    await change_settings(admin, {"delay_cost_per_hour": "20.00", "default_priority": "50"})
    assert await AuditEntry.count().where(AuditEntry.record_type == "planning_setting") == 1


@pytest.mark.parametrize("values, field", [
    ({"delay_cost_per_hour": "", "default_priority": "50"}, "delay_cost_per_hour"),
    ({"delay_cost_per_hour": "-1", "default_priority": "50"}, "delay_cost_per_hour"),
    ({"delay_cost_per_hour": "twenty", "default_priority": "50"}, "delay_cost_per_hour"),
    ({"delay_cost_per_hour": "1000.01", "default_priority": "50"}, "delay_cost_per_hour"),
    ({"delay_cost_per_hour": "20", "default_priority": "101"}, "default_priority"),
    ({"delay_cost_per_hour": "20", "default_priority": "4.5"}, "default_priority"),
    ({"delay_cost_per_hour": "20", "default_priority": ""}, "default_priority"),
])
async def test_values_out_of_bounds_are_refused_by_field(values, field):
    with pytest.raises(InvalidInput) as refused:
        await change_settings(Actor.system(), values)
    assert set(refused.value.errors) == {field}
    assert await planning_settings() == DEFAULTS


async def test_new_orders_of_clients_without_a_priority_take_the_companys():
    await change_settings(Actor.system(), {"delay_cost_per_hour": "20", "default_priority": "90"})
    undecided = await make_client()
    thrifty = await make_client("Fromagerie Dupuis")
    await Counterparty.update({Counterparty.priority_time_cost: 10}).where(Counterparty.id == thrifty.id)

    assert (await make_order(undecided.id)).priority_time_cost == 90
    assert (await make_order(thrifty.id)).priority_time_cost == 10
    assert (await make_order(undecided.id, priority_time_cost=30)).priority_time_cost == 30
