"""The optimizer's front door: `solve(problem, seconds)` -> the best feasible plan found.

Two engines, one judge:

1. Orders no vehicle could ever serve (too heavy for every vehicle, window out of
   reach from every start) are set aside first, with their reason.
2. PyVRP, when it can model the problem (no locked stops, no goods pinned to a
   vehicle), gets most of the time: alone it is the strongest engine on windows and
   capacities. If delivery-time weights matter it gets half, as a cost-only draft.
   On small days that time is split between two runs from different seeds.
   With locked or pinned stops it drafts the free part of the day in half the time
   and `repair` slots the pinned stops back into their vehicles' routes.
3. OR-Tools, which models everything, gets the rest, warm-started from the best
   feasible draft so far (or from scratch), under the full objective.
4. `evaluate` replays every candidate; the feasible one with the lowest objective
   wins. The engines' own opinions of their plans are not used.

The time limit covers everything after the matrices are built; a progress callback
receives the share of time used (0..1), and a cancel callback is polled.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from app.optimizer import ortools_engine, pyvrp_engine, repair
from app.optimizer.evaluate import evaluate
from app.optimizer.model import Plan, Problem, Sequences, Stop, Vehicle

PYVRP_SHARE_EXACT = 0.85
"""Time share for PyVRP when its objective is the whole objective."""

PYVRP_SHARE_DRAFT = 0.5
"""Time share for PyVRP when it only drafts (time-first clients present)."""

RESTART_UP_TO_STOPS = 150
"""Up to this many stops PyVRP's search settles within half its share (on Solomon's 100-customer sets the plan
after 5 s is the plan after 10 s), so the share is split between two seeds: a second start elsewhere finds
more than further time in the same valley. Bigger days keep one run with all the time."""


class Clock:
    """The solve's time budget, shared by the engines; reports progress, relays cancels."""

    def __init__(
        self,
        seconds: float,
        progress: Callable[[float], None] | None,
        cancelled: Callable[[], bool] | None,
        now: Callable[[], float] = time.perf_counter,
    ):
        self.now = now
        self.started = now()
        self.seconds = seconds
        self._progress = progress
        self.cancelled = cancelled

    def elapsed(self) -> float:
        return self.now() - self.started

    def remaining(self) -> float:
        return max(0.0, self.seconds - self.elapsed())

    def until(self, share: float) -> float:
        """Seconds left until `share` of the budget is used."""
        return max(0.0, self.seconds * share - self.elapsed())

    def report(self, _engine_fraction: float = 0.0) -> None:
        if self._progress is not None:
            self._progress(min(1.0, self.elapsed() / self.seconds))

    def is_cancelled(self) -> bool:
        return bool(self.cancelled and self.cancelled())


def solve(
    problem: Problem,
    seconds: float = 10.0,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    seed: int = 0,
    now: Callable[[], float] = time.perf_counter,
) -> Plan:
    """Plan the day: routes for the vehicles, the orders left out and why, judged by `evaluate`.

    `now` measures the budget: wall-clock by default; benchmarks pass
    `time.process_time` so that "10 s on one core" holds on a busy machine.
    """
    clock = Clock(seconds, progress, cancelled, now)
    reasons = unservable_orders(problem)
    workable = without_orders(problem, set(reasons))
    candidates: list[Plan] = []
    if workable.stops:
        candidates += _pyvrp_candidates(problem, workable, reasons, clock, seed)
    if workable.stops and not clock.is_cancelled():
        warm = _best_feasible_sequences(candidates)
        polished = ortools_engine.solve(
            workable, max(clock.remaining(), 0.2), warm, clock.report, clock.is_cancelled, now=clock.now
        )
        if polished is not None:
            candidates.append(evaluate(problem, polished, reasons, "ortools"))
    if not candidates:
        candidates.append(evaluate(problem, {}, reasons, "none"))
    clock.report()
    return choose(candidates)


def _pyvrp_candidates(problem: Problem, workable: Problem, reasons: dict[str, str], clock: Clock, seed: int) -> list[Plan]:
    """PyVRP's plan of the whole day, or of its free part with the pinned stops put back after."""
    if pyvrp_engine.can_model(workable):
        share = PYVRP_SHARE_EXACT if pyvrp_engine.models_exactly(workable) else PYVRP_SHARE_DRAFT
        starts = 2 if len(workable.stops) <= RESTART_UP_TO_STOPS else 1
        plans = []
        for start in range(starts):
            if start and clock.is_cancelled():
                break
            drafted = pyvrp_engine.solve(workable, clock.until(share * (start + 1) / starts), seed + start,
                                         clock.report, clock.is_cancelled, clock.now)
            plans.append(evaluate(problem, drafted or {}, reasons, "pyvrp-restart" if start else "pyvrp"))
        return plans
    if not repair.can_draft(workable):
        return []
    free = repair.free_part(workable)
    drafted = {}
    if free.stops:
        drafted = pyvrp_engine.solve(
            free, clock.until(PYVRP_SHARE_DRAFT), seed, clock.report, clock.is_cancelled, clock.now
        )
    return [evaluate(problem, repair.put_back(workable, drafted or {}), reasons, "pyvrp+repair")]


def choose(candidates: list[Plan]) -> Plan:
    """The feasible plan with the lowest objective; failing that, the one with fewest violations."""
    best = min(candidates, key=lambda p: (not p.feasible, len(p.violations) if not p.feasible else 0, p.objective))
    scores = {p.engine: (p.objective if p.feasible else None) for p in candidates}
    return Plan(best.routes, best.unplanned, best.feasible, best.objective, best.violations, best.engine, scores)


def _best_feasible_sequences(candidates: list[Plan]) -> Sequences | None:
    feasible = [p for p in candidates if p.feasible]
    if not feasible:
        return None
    best = min(feasible, key=lambda p: p.objective)
    return {r.vehicle_id: r.stop_ids for r in best.routes if r.visits}


def unservable_orders(problem: Problem) -> dict[str, str]:
    """Orders no vehicle could serve even alone on an empty route, with the reason.

    A stop locked by a dispatcher is never set aside: the plan must show it, even late.
    """
    locked = {s for v in problem.vehicles for s in v.locked_stops}
    stops = {s.id: s for s in problem.stops}
    paired = {p.pickup for p in problem.pairs} | {p.dropoff for p in problem.pairs}
    reasons: dict[str, str] = {}
    for pair in problem.pairs:
        visit = [stops[pair.pickup], stops[pair.dropoff]]
        reason = _why_unservable(problem, visit)
        if reason and not locked & {pair.pickup, pair.dropoff}:
            reasons[visit[0].order] = reason
    for stop in problem.stops:
        if stop.id in paired or stop.id in locked:
            continue
        reason = _why_unservable(problem, [stop])
        if reason:
            reasons[stop.order] = reason
    return reasons


def _why_unservable(problem: Problem, visit: list[Stop]) -> str | None:
    """Too big for every vehicle allowed to carry it, or out of every such vehicle's reach in time."""
    allowed = [v for v in problem.vehicles if all(s.vehicle_id in (None, v.id) for s in visit)]
    big_enough = [v for v in allowed if visit[0].load.fits_in(v.capacity)]
    if not big_enough:
        return "no_vehicle_large_enough"
    if not any(_reachable(problem, v, visit) for v in big_enough):
        return "window_unreachable"
    return None


def _reachable(problem: Problem, vehicle: Vehicle, visit: list[Stop]) -> bool:
    """Can this vehicle leave at shift start, serve these stops in order, and be back in time?"""
    duration = problem.matrix(vehicle).duration
    here, clock = vehicle.start, vehicle.shift_start
    for stop in visit:
        start = max(clock + int(duration[here, stop.location]), stop.ready)
        if start > stop.due:
            return False
        clock, here = start + stop.service, stop.location
    return clock + int(duration[here, vehicle.end]) <= vehicle.shift_end


def without_orders(problem: Problem, orders: set[str]) -> Problem:
    """The problem with some orders set aside (their stops and pairs removed)."""
    if not orders:
        return problem
    stops = tuple(s for s in problem.stops if s.order not in orders)
    kept = {s.id for s in stops}
    pairs = tuple(p for p in problem.pairs if p.pickup in kept and p.dropoff in kept)
    return replace(problem, stops=stops, pairs=pairs)
