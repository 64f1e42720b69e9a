"""Drafting a mid-day re-plan: the free stops first, then each courier's pinned stops slotted back."""

from __future__ import annotations

from app.optimizer import Load, evaluate
from app.optimizer.repair import free_part, put_back
from tests.optimizer.town import day, parcel, van

LINE = [(0, 0), (100, 0), (200, 0), (300, 0), (400, 0)]


def test_the_free_part_has_no_locks_and_no_pinned_stops():
    problem = day(LINE, [van("v1", locked_stops=("a",)), van("v2")], [parcel("a", 1), parcel("b", 2, vehicle_id="v2"), parcel("c", 3)])
    free = free_part(problem)
    assert [s.id for s in free.stops] == ["c"]
    assert all(not v.locked_stops for v in free.vehicles)


def test_locked_stops_go_back_in_their_order_where_they_cost_least():
    problem = day(LINE, [van("v1", locked_stops=("d", "a"))], [parcel(x, k + 1) for k, x in enumerate("abcd")])
    repaired = put_back(problem, {"v1": ["b", "c"]})
    route = repaired["v1"]
    assert route.index("d") < route.index("a")
    assert evaluate(problem, repaired).feasible


def test_a_free_stop_the_pinned_ones_crowd_out_leaves_the_route():
    problem = day(
        LINE,
        [van("v1", capacity=Load(10, 10), locked_stops=("a",))],
        [parcel("a", 1, weight=8), parcel("b", 2, weight=5)],
    )
    repaired = put_back(problem, {"v1": ["b"]})
    assert repaired == {"v1": ["a"]}
    plan = evaluate(problem, repaired)
    assert plan.feasible and [u.order_id for u in plan.unplanned] == ["b"]


def test_a_stop_crowded_out_of_one_route_finds_a_place_on_another():
    problem = day(
        LINE,
        [van("v1", capacity=Load(10, 10), locked_stops=("a",)), van("v2", capacity=Load(10, 10))],
        [parcel("a", 1, weight=8), parcel("b", 2, weight=5)],
    )
    repaired = put_back(problem, {"v1": ["b"]})
    assert repaired == {"v1": ["a"], "v2": ["b"]}
    assert evaluate(problem, repaired).feasible
