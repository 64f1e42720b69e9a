"""Accepting a proposal: routes, stops and ETAs written at once, audited, told to the couriers' phones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.audit import Actor
from app.db import writing
from app.errors import Conflict
from app.optimizer import solve
from app.planning import accept as accepting
from app.planning.accept import accept_proposal
from app.planning.problem import build_problem
from app.planning.proposal import make_proposal
from tables.audit import AuditEntry
from tables.orders import Order
from tables.routes import Route, Stop
from tables.sync import ChangeLog
from tests.planning.conftest import tomorrow_at


async def proposal_for(small_day, now=None) -> dict:
    day = await build_problem(small_day["day"], small_day["depot"], now=now or tomorrow_at(6))
    return make_proposal(day, solve(day.problem, 1.0), 1.0)


async def test_the_proposal_shows_the_day_before_and_after(small_day):
    proposal = await proposal_for(small_day)
    assert proposal["before"]["unplanned_count"] == 5 and proposal["before"]["km"] == 0  # nothing routed yet
    assert proposal["after"]["unplanned_count"] == 0 and proposal["after"]["km"] > 0
    assert proposal["after"]["cost"] > 0 and proposal["after"]["late_count"] == 0
    planned = [(visit["reference"], visit["kind"]) for route in proposal["routes"] for visit in route["stops"]]
    assert sorted(planned) == sorted((order.reference, kind) for order in small_day["orders"]
                                     for kind in ("dropoff", "pickup"))
    for route in proposal["routes"]:  # each parcel is collected at the shop, then dropped off, by one courier
        kinds = [(visit["order_id"], visit["kind"]) for visit in route["stops"]]
        for order_id, kind in kinds:
            assert kind == "pickup" or kinds.index((order_id, "pickup")) < kinds.index((order_id, "dropoff"))
    for route in proposal["routes"]:
        assert route["polyline"][0] == route["polyline"][-1] == [48.9186, 2.3536]  # from and back to the depot
        assert len(route["polyline"]) == len(route["stops"]) + 2


async def test_accepting_writes_routes_stops_and_etas_and_assigns_the_orders(small_day, make_user):
    dispatcher = await make_user("dispatcher")
    proposal = await proposal_for(small_day)
    async with writing():
        route_ids = await accept_proposal(Actor(dispatcher.id), proposal)

    for planned in proposal["routes"]:
        route = await Route.objects().where((Route.courier == planned["courier_id"]) & (Route.day == small_day["day"])
                                            ).first()
        assert route.id in route_ids and route.planned_km == planned["km"]
        stops = await Stop.select(Stop.order, Stop.kind, Stop.sequence, Stop.planned_eta).where(
            Stop.route == route.id).order_by(Stop.sequence)
        assert [(s["order"], s["kind"]) for s in stops] == [(v["order_id"], v["kind"]) for v in planned["stops"]]
        assert [s["planned_eta"].isoformat() for s in stops] == [v["eta"] for v in planned["stops"]]
    assert await Stop.count().where(Stop.kind == "pickup") == await Stop.count().where(Stop.kind == "dropoff") == 5
    statuses = await Order.select(Order.status).output(as_list=True)
    assert statuses == ["assigned"] * 5
    audited = await AuditEntry.select(AuditEntry.record_type, AuditEntry.user).where(AuditEntry.user == dispatcher.id)
    assert {row["record_type"] for row in audited} >= {"route", "stop", "delivery_order"}
    told = await ChangeLog.select(ChangeLog.entity).where(ChangeLog.entity == "route")
    assert len(told) >= len(route_ids)  # the couriers' phones pull the new routes on their next sync
    again = await build_problem(small_day["day"], small_day["depot"], now=tomorrow_at(6))
    assert len(again.problem.pairs) == 5  # optimizing again keeps each pick-up ahead of its drop-off


async def test_a_re_attempt_gets_a_new_stop_and_the_failed_attempt_stays_on_its_day(small_day, make_user):
    karim = small_day["couriers"][0]
    order = small_day["orders"][0]
    today = small_day["day"] - timedelta(days=1)
    yesterdays_route = Route(courier=karim.id, vehicle=karim.vehicle, depot=karim.depot, day=today)
    await yesterdays_route.save()
    failed = Stop(route=yesterdays_route.id, order=order.id, kind="dropoff", sequence=1,
                  arrived_at=tomorrow_at(11) - timedelta(days=1))
    await failed.save()  # tried today, nobody home; the order was moved to tomorrow as a new attempt
    proposal = await proposal_for(small_day)
    async with writing():
        await accept_proposal(Actor.system(), proposal)
    kept = await Stop.objects().where(Stop.id == failed.id).first()
    assert kept.route == yesterdays_route.id and kept.sequence == 1
    tomorrows = await Stop.select(Stop.kind).where((Stop.order == order.id) & (Stop.route != yesterdays_route.id))
    assert sorted(row["kind"] for row in tomorrows) == ["dropoff", "pickup"]


async def test_accepting_is_all_or_nothing(small_day, monkeypatch):
    proposal = await proposal_for(small_day)

    async def broken(*args, **kwargs):
        raise RuntimeError("the change log is unavailable")

    monkeypatch.setattr(accepting, "record_order_change", broken)
    with pytest.raises(RuntimeError):
        async with writing():
            await accept_proposal(Actor.system(), proposal)
    assert await Stop.count() == 0 and await Route.count() == 0
    assert await Order.count().where(Order.status == "assigned") == 0


async def test_a_plan_made_before_an_order_was_cancelled_is_refused(small_day):
    proposal = await proposal_for(small_day)
    await Order.update({Order.status: "cancelled"}).where(Order.id == small_day["orders"][0].id)
    with pytest.raises(Conflict):
        async with writing():
            await accept_proposal(Actor.system(), proposal)
    assert await Stop.count() == 0


async def test_locked_stops_stay_in_place_and_delivered_ones_stay_out(small_day):
    karim, _paul = small_day["couriers"]
    orders = small_day["orders"]
    route = Route(courier=karim.id, vehicle=karim.vehicle, depot=karim.depot, day=small_day["day"])
    await route.save()
    # Karim delivered the first; the dispatcher locked the last two in this order on his route.
    for sequence, (order, locked) in enumerate([(orders[0], False), (orders[4], True), (orders[3], True)], 1):
        await Stop(route=route.id, order=order.id, sequence=sequence, locked=locked).save()
    await Order.update({Order.status: "delivered"}).where(Order.id == orders[0].id)
    await Order.update({Order.status: "assigned"}).where(Order.id.is_in([orders[3].id, orders[4].id]))

    proposal = await proposal_for(small_day, now=tomorrow_at(10, 30))
    planned = {r["courier_id"]: [v["order_id"] for v in r["stops"]] for r in proposal["routes"]}
    assert orders[0].id not in [i for ids in planned.values() for i in ids]
    karims = planned[karim.id]
    assert karims.index(orders[4].id) < karims.index(orders[3].id)

    async with writing():
        await accept_proposal(Actor.system(), proposal)
    stops = await Stop.select(Stop.order, Stop.locked).where(Stop.route == route.id).order_by(Stop.sequence)
    order_ids = [s["order"] for s in stops]
    assert order_ids[0] == orders[0].id  # the delivered stop keeps its place, first
    assert order_ids.index(orders[4].id) < order_ids.index(orders[3].id)
    assert {s["order"] for s in stops if s["locked"]} == {orders[3].id, orders[4].id}
