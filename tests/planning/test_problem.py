"""The optimizer's view of a depot's day, built from the database."""

from __future__ import annotations

import asyncio
import threading
from datetime import time

import pytest

from app.config import reset_settings
from app.db import writing
from app.planning.problem import build_problem
from tables.fleet import Courier, Depot
from tables.orders import Order, Place
from tables.routes import Route, Stop
from tables.sync import GpsPoint
from tests.optimizer.fake_osrm import FakeOsrm, osrm_url  # noqa: F401 - the fixture
from tests.planning.conftest import tomorrow_at


async def test_the_days_open_orders_and_the_couriers_on_shift_become_stops_and_vehicles(small_day):
    orders = small_day["orders"]
    await Order.update({Order.status: "delivered"}).where(Order.id == orders[0].id)
    await Order.update({Order.status: "cancelled"}).where(Order.id == orders[1].id)
    day = await build_problem(small_day["day"], small_day["depot"], now=tomorrow_at(6))

    # Each new order is collected at the client's shop and dropped off at its address, by one courier.
    assert sorted(s.id for s in day.problem.stops) == sorted(f"{k}{o.id}" for o in orders[2:] for k in "pd")
    assert sorted((p.pickup, p.dropoff) for p in day.problem.pairs) == sorted(
        (f"p{o.id}", f"d{o.id}") for o in orders[2:])
    stops = {s.id: s for s in day.problem.stops}
    third, collected = stops[f"d{orders[2].id}"], stops[f"p{orders[2].id}"]
    assert (third.ready, third.due) == (10 * 3600, 14 * 3600)  # seconds from the day's start (company time)
    assert third.priority == 40 and third.service == 5 * 60
    assert collected.load.weight == 4000 and day.points[collected.location] == (48.8652, 2.3470)  # the shop
    assert [v.id for v in day.problem.vehicles] == [f"c{c.id}" for c in small_day["couriers"]]
    van = day.problem.vehicles[0]
    assert (van.capacity.weight, van.capacity.volume) == (600_000, 3300)
    assert (van.shift_start, van.shift_end) == (8 * 3600, 18 * 3600) and van.start == van.end == 0


async def test_mid_day_the_courier_starts_where_their_phone_last_was_and_keeps_goods_aboard(small_day):
    karim, paul = small_day["couriers"]
    orders = small_day["orders"]
    route = Route(courier=karim.id, vehicle=karim.vehicle, depot=karim.depot, day=small_day["day"])
    await route.save()
    for sequence, order in enumerate(orders[:3], start=1):
        await Stop(route=route.id, order=order.id, sequence=sequence, locked=sequence == 3).save()
    await Order.update({Order.status: "delivered"}).where(Order.id == orders[0].id)
    await Order.update({Order.status: "out_for_delivery"}).where(Order.id == orders[1].id)
    await Order.update({Order.status: "assigned"}).where(Order.id == orders[2].id)
    await GpsPoint.insert(GpsPoint(source="phone:1:0", courier=karim.user, lat=48.87, lon=2.35,
                                   recorded_at=tomorrow_at(11, 55)))
    await Courier.update({Courier.shift_end: time(11)}).where(Courier.id == paul.id)  # Paul went home

    day = await build_problem(small_day["day"], small_day["depot"], now=tomorrow_at(12))

    ids = {s.id for s in day.problem.stops}
    assert f"d{orders[0].id}" not in ids  # delivered: left out
    aboard = next(s for s in day.problem.stops if s.id == f"d{orders[1].id}")
    assert aboard.vehicle_id == f"c{karim.id}" and aboard.load.weight == 0  # in Karim's van already
    assert [v.id for v in day.problem.vehicles] == [f"c{karim.id}"]
    van = day.problem.vehicles[0]
    assert day.points[van.start] == (48.87, 2.35) and van.end == 0
    assert van.shift_start == 12 * 3600  # from now, not from 08:00
    assert van.locked_stops == (f"d{orders[2].id}",)
    assert all(s.ready >= 12 * 3600 for s in day.problem.stops)
    assert day.current == {f"c{karim.id}": [f"d{orders[1].id}", f"d{orders[2].id}"]}


async def test_a_window_closed_already_is_still_planned_and_counted_late(small_day):
    day = await build_problem(small_day["day"], small_day["depot"], now=tomorrow_at(15))
    assert all(s.due > 15 * 3600 for s in day.problem.stops)
    assert all(info["late_already"] for info in day.orders.values())


async def test_pick_up_and_drop_off_are_paired_when_the_pick_up_is_still_to_do(small_day):
    karim = small_day["couriers"][0]
    routed, by_hand, at_depot = small_day["orders"][:3]
    async with writing():
        route = Route(courier=karim.id, vehicle=karim.vehicle, depot=karim.depot, day=small_day["day"])
        await route.save()
        await Stop(route=route.id, order=routed.id, kind="pickup", sequence=1).save()
        await Stop(route=route.id, order=routed.id, kind="dropoff", sequence=2).save()
        await Stop(route=route.id, order=by_hand.id, kind="dropoff", sequence=3).save()
    # The dispatcher put one order on Karim's route as a delivery from the depot; another one's goods are
    # brought to the depot by the client.
    await Order.update({Order.status: "assigned"}).where(Order.id.is_in([routed.id, by_hand.id]))
    depot = await Depot.objects().where(Depot.id == small_day["depot"]).first()
    await Place.update({Place.lat: depot.lat + 0.0003, Place.lon: depot.lon}).where(Place.id == at_depot.pickup)

    day = await build_problem(small_day["day"], small_day["depot"], now=tomorrow_at(6))

    paired = {p.pickup: p.dropoff for p in day.problem.pairs}
    assert paired[f"p{routed.id}"] == f"d{routed.id}"
    assert f"p{by_hand.id}" not in paired and f"p{at_depot.id}" not in paired
    stops = {s.id: s for s in day.problem.stops}
    assert stops[f"d{at_depot.id}"].load.weight == 4000  # loaded at the depot, carried from the start
    assert {f"p{o.id}" for o in small_day["orders"][3:]} <= set(paired)  # the new ones, from the client's shop
    assert day.current[f"c{karim.id}"] == [f"p{routed.id}", f"d{routed.id}", f"d{by_hand.id}"]


@pytest.fixture
def with_osrm(osrm_url, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OSRM_URL", osrm_url)
    reset_settings()
    yield osrm_url
    reset_settings()


async def test_the_road_table_is_asked_for_without_holding_up_the_other_jobs(small_day, with_osrm):
    FakeOsrm.gate = threading.Event()  # the server answers once something else on the event loop has run

    async def other_job() -> None:
        for _ in range(3000):
            if FakeOsrm.requests:
                FakeOsrm.gate.set()
                return
            await asyncio.sleep(0.01)

    day, _ = await asyncio.gather(build_problem(small_day["day"], small_day["depot"], now=tomorrow_at(6)),
                                  other_job())

    assert FakeOsrm.released == [True]  # the event loop kept running while OSRM was asked
    road = day.problem.travel["van"]  # the fake road: 1 km per degree of latitude, 100 s per km
    depot, shop = day.points[0], day.points[1]
    assert road.distance[0, 1] == round(abs(depot[0] - shop[0]) * 1000.4)
    assert road.duration[0, 1] == round(abs(depot[0] - shop[0]) * 100.04)
