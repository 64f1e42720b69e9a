"""How a solve behaves as a job: within its time, reporting progress, stoppable, judged by the evaluator."""

from __future__ import annotations

import time
from dataclasses import replace

from app.optimizer import Plan, solve
from app.optimizer.portfolio import choose
from tests.optimizer.town import day, parcel, van

GRID = [(x * 100, y * 100) for x in range(5) for y in range(4)]


def busy_day(**fields):
    stops = [parcel(f"s{k}", k, ready=(k % 3) * 300, due=(k % 3) * 300 + 2000) for k in range(1, len(GRID))]
    return day(GRID, [van("v1"), van("v2"), van("v3")], stops, **fields)


def test_a_solve_keeps_to_its_time_and_reports_progress_up_to_done():
    seen: list[float] = []
    started = time.perf_counter()
    plan = solve(busy_day(), 1.0, progress=seen.append)
    assert time.perf_counter() - started < 2.0
    assert plan.feasible and not plan.unplanned
    assert seen and seen[-1] == 1.0
    assert all(0.0 <= f <= 1.0 for f in seen) and seen == sorted(seen)


def test_a_cancelled_solve_stops_early_with_what_it_has():
    started = time.perf_counter()
    plan = solve(busy_day(), 30.0, cancelled=lambda: time.perf_counter() - started > 0.5)
    assert time.perf_counter() - started < 5.0
    assert isinstance(plan, Plan)


def test_both_engines_compete_and_the_evaluator_picks_the_winner():
    plan = solve(busy_day(), 1.0)
    assert set(plan.candidates) == {"pyvrp", "pyvrp-restart", "ortools"}  # a small day: PyVRP starts twice
    assert plan.objective == min(v for v in plan.candidates.values() if v is not None)


def test_with_locked_stops_pyvrp_drafts_the_free_part_and_or_tools_keeps_the_locks():
    problem = day(GRID[:4], [van("v1", locked_stops=("s3", "s1")), van("v2")], [parcel(f"s{k}", k) for k in (1, 2, 3)])
    plan = solve(problem, 0.5)
    assert set(plan.candidates) == {"pyvrp+repair", "ortools"}
    assert plan.feasible
    route = next(r.stop_ids for r in plan.routes if r.vehicle_id == "v1")
    assert route.index("s3") < route.index("s1")


def test_a_feasible_plan_beats_a_cheaper_infeasible_one():
    cheap_but_broken = Plan((), (), False, 10, ("late",), "a")
    sound = Plan((), (), True, 500, (), "b")
    assert choose([cheap_but_broken, sound]).engine == "b"
    assert choose([sound, Plan((), (), True, 400, (), "c")]).engine == "c"


def test_a_day_without_orders_is_an_empty_plan():
    plan = solve(day(GRID[:1], [van()], []), 0.2)
    assert plan.feasible and plan.vehicles_used == 0 and plan.cost == 0


def test_a_cancelled_re_plan_with_locked_stops_stops_early_too():
    problem = busy_day()
    locked = replace(problem.vehicles[0], locked_stops=("s5", "s1"))
    problem = replace(problem, vehicles=(locked, *problem.vehicles[1:]))
    started = time.perf_counter()
    plan = solve(problem, 30.0, cancelled=lambda: time.perf_counter() - started > 0.5)
    assert time.perf_counter() - started < 5.0
    assert isinstance(plan, Plan)
