"""The judge catches every broken promise in a plan, whoever proposed it."""

from __future__ import annotations

from app.optimizer import Load, Pair, Stop, evaluate
from tests.optimizer.town import day, parcel, van

LINE = [(0, 0), (100, 0), (200, 0), (300, 0)]


def test_a_good_plan_is_feasible_and_costs_its_distance():
    problem = day(LINE, [van()], [parcel("a", 1), parcel("b", 2)])
    plan = evaluate(problem, {"van": ["a", "b"]})
    assert plan.feasible and not plan.violations
    assert plan.distance == 400 and plan.objective == 400
    assert [v.arrival for v in plan.routes[0].visits] == [100, 200]


def test_a_stop_visited_twice_is_caught():
    problem = day(LINE, [van("v1"), van("v2")], [parcel("a", 1)])
    plan = evaluate(problem, {"v1": ["a"], "v2": ["a"]})
    assert not plan.feasible
    assert "stop a visited 2 times" in plan.violations


def test_an_overloaded_van_is_caught():
    problem = day(LINE, [van(capacity=Load(10, 10))], [parcel("a", 1, weight=6), parcel("b", 2, weight=6)])
    assert not evaluate(problem, {"van": ["a", "b"]}).feasible


def test_volume_counts_as_much_as_weight():
    stops = [Stop(id="a", location=1, load=Load(weight=1, volume=20))]
    problem = day(LINE, [van(capacity=Load(10, 10))], stops)
    assert not evaluate(problem, {"van": ["a"]}).feasible


def test_arriving_after_the_window_closes_is_caught():
    problem = day(LINE, [van()], [parcel("a", 1, due=50)])
    plan = evaluate(problem, {"van": ["a"]})
    assert not plan.feasible
    assert "after its window closes" in plan.violations[0]
    assert plan.late_stops == ["a"]


def test_coming_back_after_the_shift_is_caught():
    problem = day(LINE, [van(shift_end=500)], [parcel("c", 3)])
    assert "returns at 600" in evaluate(problem, {"van": ["c"]}).violations[0]


def test_a_required_stop_left_out_is_caught_but_an_optional_one_only_costs_its_penalty():
    stops = [parcel("a", 1)]
    required = day(LINE, [van()], stops, unplanned_penalty=None)
    optional = day(LINE, [van()], stops, unplanned_penalty=50)
    assert "stop a must be planned" in evaluate(required, {}).violations
    plan = evaluate(optional, {})
    assert plan.feasible and plan.objective == 50_000
    assert plan.unplanned[0].order_id == "a"


def test_a_pair_split_over_two_vans_or_reversed_is_caught():
    stops = [parcel("up", 1, order_id="o"), parcel("down", 2, order_id="o")]
    problem = day(LINE, [van("v1"), van("v2")], stops, pairs=(Pair("up", "down"),))
    assert "split" in evaluate(problem, {"v1": ["up"], "v2": ["down"]}).violations[0]
    assert "before pick-up" in evaluate(problem, {"v1": ["down", "up"]}).violations[0]
    assert evaluate(problem, {"v1": ["up", "down"]}).feasible


def test_pair_goods_take_room_only_between_pick_up_and_drop_off():
    stops = [
        parcel("delivery", 3, weight=5),
        parcel("up", 1, weight=8, order_id="o"),
        parcel("down", 2, weight=8, order_id="o"),
    ]
    problem = day(LINE, [van(capacity=Load(10, 10))], stops, pairs=(Pair("up", "down"),))
    assert not evaluate(problem, {"van": ["up", "down", "delivery"]}).feasible
    assert evaluate(problem, {"van": ["delivery", "up", "down"]}).feasible


def test_moving_a_locked_stop_is_caught():
    problem = day(LINE, [van("v1", locked_stops=("b", "a")), van("v2")], [parcel("a", 1), parcel("b", 2)])
    assert "out of sequence" in evaluate(problem, {"v1": ["a", "b"]}).violations[0]
    assert "moved off v1" in evaluate(problem, {"v1": ["b"], "v2": ["a"]}).violations[0]
    assert evaluate(problem, {"v1": ["b", "a"]}).feasible


def test_goods_aboard_another_van_are_caught():
    problem = day(LINE, [van("v1"), van("v2")], [parcel("a", 1, vehicle_id="v2")])
    assert not evaluate(problem, {"v1": ["a"]}).feasible


def test_a_courier_leaves_late_rather_than_wait_at_the_first_client():
    problem = day(LINE, [van(cost_per_hour=3600)], [parcel("a", 1, ready=1000)])
    route = evaluate(problem, {"van": ["a"]}).routes[0]
    assert route.start_time == 900 and route.end_time == 1100
    assert route.cost == 200  # 200 s at a cent a second; 200 m at a cent a km rounds away


def test_hours_money_and_fixed_cost_add_up():
    problem = day(LINE, [van(cost_per_km=1000, cost_per_hour=3600, fixed_cost=500)], [parcel("c", 3, service=100)])
    route = evaluate(problem, {"van": ["c"]}).routes[0]
    assert route.distance == 600 and route.duration == 700
    assert route.cost == 600 + 700 + 500
