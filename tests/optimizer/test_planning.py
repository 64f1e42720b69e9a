"""Stories of a dispatcher planning small days whose best plan can be worked out by hand."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.optimizer import Load, Pair, evaluate, solve
from tests.optimizer.town import day, parcel, routes_of, van

QUICK = 0.5


def test_two_heavy_parcels_go_out_in_two_vans():
    plan = solve(
        day(
            [(0, 0), (100, 0), (0, 100)],
            [van("v1", Load(10, 10)), van("v2", Load(10, 10))],
            [parcel("fridge", 1, weight=6), parcel("washer", 2, weight=6)],
        ),
        QUICK,
    )
    assert plan.feasible
    assert sorted(len(stops) for stops in routes_of(plan).values()) == [1, 1]
    assert plan.distance == 400
    assert not plan.unplanned


def test_an_early_window_is_served_before_a_nearer_late_one():
    plan = solve(
        day(
            [(0, 0), (100, 0), (200, 0)],
            [van()],
            [parcel("late", 1, ready=400, due=1000), parcel("early", 2, ready=0, due=250)],
        ),
        QUICK,
    )
    assert routes_of(plan) == {"van": ["early", "late"]}
    early, late = plan.routes[0].visits
    assert early.arrival == 200 and late.arrival == 400


def test_an_over_full_day_plans_what_fits_and_says_what_is_left():
    plan = solve(
        day(
            [(0, 0), (10, 0), (1000, 0)],
            [van(capacity=Load(10, 10))],
            [parcel("near", 1, weight=6), parcel("far", 2, weight=6)],
        ),
        QUICK,
    )
    assert plan.feasible
    assert routes_of(plan) == {"van": ["near"]}
    assert [(u.order_id, u.reason) for u in plan.unplanned] == [("far", "no_room_left")]


def test_orders_nobody_can_serve_are_set_aside_with_the_reason():
    plan = solve(
        day(
            [(0, 0), (100, 0), (500, 0)],
            [van(capacity=Load(100, 100))],
            [
                parcel("piano", 1, weight=5000),
                parcel("too-soon", 2, due=100),
                parcel("books", 1, weight=5),
            ],
        ),
        QUICK,
    )
    assert plan.feasible
    assert routes_of(plan) == {"van": ["books"]}
    reasons = {u.order_id: u.reason for u in plan.unplanned}
    assert reasons == {"piano": "no_vehicle_large_enough", "too-soon": "window_unreachable"}


def test_a_parcel_picked_up_across_town_is_dropped_off_by_the_same_van_afterwards():
    problem = day(
        [(0, 0), (300, 0), (100, 0)],
        [van("v1"), van("v2")],
        [parcel("collect", 1, weight=3, order_id="o1"), parcel("hand-over", 2, weight=3, order_id="o1")],
        pairs=(Pair("collect", "hand-over"),),
    )
    plan = solve(problem, QUICK)
    assert plan.feasible
    assert list(routes_of(plan).values()) == [["collect", "hand-over"]]
    assert plan.distance == 600


def test_a_van_delivers_first_when_the_pick_up_would_not_fit_on_board():
    problem = day(
        [(0, 0), (400, 0), (100, 0), (200, 0)],
        [van(capacity=Load(10, 10))],
        [
            parcel("delivery", 1, weight=5),
            parcel("collect", 2, weight=8, order_id="o2"),
            parcel("hand-over", 3, weight=8, order_id="o2"),
        ],
        pairs=(Pair("collect", "hand-over"),),
    )
    plan = solve(problem, QUICK)
    assert plan.feasible
    assert routes_of(plan) == {"van": ["delivery", "collect", "hand-over"]}
    assert plan.distance == 1000


SQUARE = [(0, 0), (100, 0), (100, 100), (0, 100)]


def test_a_time_first_client_is_served_first_when_it_costs_nothing_more():
    for first in ("a", "c"):
        stops = [parcel(name, at, priority=100 if name == first else 0) for name, at in (("a", 1), ("b", 2), ("c", 3))]
        plan = solve(day(SQUARE, [van()], stops, delay_cost_per_hour=3600), QUICK)
        assert routes_of(plan)["van"][0] == first
        assert plan.distance == 400


def test_a_time_first_client_is_served_earlier_even_if_the_route_gets_longer():
    def plan_for(priority: int):
        stops = [parcel("a", 1, priority=0), parcel("b", 2, priority=priority), parcel("c", 3, priority=0)]
        return solve(day(SQUARE, [van()], stops, delay_cost_per_hour=36_000), QUICK)

    cost_first, time_first = plan_for(0), plan_for(100)
    assert cost_first.distance == 400
    assert routes_of(time_first)["van"][0] == "b"
    assert time_first.distance > cost_first.distance
    assert time_first.routes[0].visits[0].arrival == 141


def test_stops_a_dispatcher_locked_keep_their_van_and_their_order():
    line = [(0, 0), (100, 0), (200, 0), (300, 0)]
    stops = [parcel("a", 1), parcel("b", 2), parcel("c", 3)]
    plan = solve(day(line, [van("v1", locked_stops=("c", "a")), van("v2")], stops), QUICK)
    assert plan.feasible
    route = routes_of(plan)["v1"]
    assert route.index("c") < route.index("a")
    assert plan.distance == 600


def test_a_stop_locked_to_the_second_van_stays_there():
    line = [(0, 0), (100, 0), (200, 0)]
    plan = solve(day(line, [van("v1"), van("v2", locked_stops=("a",))], [parcel("a", 1), parcel("b", 2)]), QUICK)
    assert "a" in routes_of(plan)["v2"]


def test_mid_day_the_route_starts_where_the_courier_is_now():
    now = 5000
    places = [(0, 0), (100, 0), (900, 0), (1000, 0)]
    courier = van(start=3, end=0, shift_start=now)
    plan = solve(day(places, [courier], [parcel("west", 1), parcel("east", 2)]), QUICK)
    assert routes_of(plan) == {"van": ["east", "west"]}
    assert plan.routes[0].visits[0].arrival == now + 100
    assert plan.distance == 1000


def test_goods_already_aboard_stay_with_their_courier():
    places = [(0, 0), (10, 0), (1000, 0)]
    vans = [van("near"), van("far", start=2, end=0)]
    plan = solve(day(places, vans, [parcel("aboard", 1, vehicle_id="far")]), QUICK)
    assert routes_of(plan) == {"far": ["aboard"]}


def _best_by_hand(problem) -> int | None:
    """Every way to share the stops between two vans, in every order: the lowest feasible objective."""
    names = [s.id for s in problem.stops]
    best = None
    for order in itertools.permutations(names):
        for cut in range(len(order) + 1):
            plan = evaluate(problem, {"v1": list(order[:cut]), "v2": list(order[cut:])})
            if plan.feasible and (best is None or plan.objective < best):
                best = plan.objective
    return best


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    places=st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), min_size=5, max_size=5),
    weights=st.lists(st.integers(1, 6), min_size=4, max_size=4),
    readies=st.lists(st.sampled_from([0, 0, 200, 400]), min_size=4, max_size=4),
)
def test_small_days_get_the_plan_an_exhaustive_search_finds(places, weights, readies):
    stops = [
        parcel(f"s{k}", k + 1, weight=w, ready=r, due=r + 400)
        for k, (w, r) in enumerate(zip(weights, readies))
    ]
    vans = [van("v1", Load(10, 10), shift_end=2000), van("v2", Load(10, 10), shift_end=2000)]
    problem = day([(150, 150), *places[:4]], vans, stops, unplanned_penalty=None)
    best = _best_by_hand(problem)
    assume(best is not None)
    plan = solve(problem, 0.3)
    assert plan.feasible
    assert plan.objective == best
