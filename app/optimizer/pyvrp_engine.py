"""PyVRP (iterated local search over the HGS neighbourhoods) as an engine.

PyVRP models windows, several depots, mixed fleets, weight and volume, optional
orders with prizes and pick-up/drop-off pairs (shipments). It cannot pin a stop to
one vehicle nor keep a dispatcher's locked sequence, and it knows nothing of
delivery-time weights: with time-first clients its plan is a cost-only draft that
the OR-Tools engine then polishes under the full objective.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import astuple

import numpy as np
import pyvrp

from app.optimizer.model import MILLI, Problem, Sequences, Vehicle

NEIGHBOURS = 20
"""Granular neighbourhood: moves only towards each client's 20 nearest (in space and time).

PyVRP's default of 50 suits runs of minutes; in the seconds a dispatcher waits, a
tighter neighbourhood (20, as in HGS-CVRP) makes each iteration cheaper and gets
further: about twice the iterations at 10 s, and on the Solomon set a mean gap of
~0.2 % against ~0.36 % with the default.
"""


def can_model(problem: Problem) -> bool:
    """PyVRP has no per-stop vehicle restriction and no locked sequences."""
    return not problem.has_locks and all(s.vehicle_id is None for s in problem.stops)


def models_exactly(problem: Problem) -> bool:
    """True when PyVRP's objective is the whole objective (no delivery-time weights)."""
    return can_model(problem) and not problem.has_delay_costs


class _Data:
    """The problem in PyVRP's numbering: locations, depots, clients, shipments, vehicle types."""

    def __init__(self, problem: Problem):
        pair_stops = {p.pickup for p in problem.pairs} | {p.dropoff for p in problem.pairs}
        self.stops = {s.id: s for s in problem.stops}
        self.singles = [s for s in problem.stops if s.id not in pair_stops]
        self.pairs = list(problem.pairs)
        depots = sorted({v.start for v in problem.vehicles} | {v.end for v in problem.vehicles})
        used = depots + sorted({s.location for s in problem.stops} - set(depots))
        self.place = {location: k for k, location in enumerate(used)}
        self.depot_of = {location: k for k, location in enumerate(depots)}
        self.used = np.array(used)
        self.types = _vehicle_types(problem.vehicles)
        self.profiles = sorted({v.profile for v in problem.vehicles})
        self.dimensions = [d for d in ("weight", "volume") if any(getattr(s.load, d) for s in problem.stops)]
        self.problem = problem

    def amounts(self, load) -> list[int]:
        """Only the load dimensions some stop uses: each one slows the search down."""
        return [getattr(load, d) for d in self.dimensions]

    def build(self) -> pyvrp.ProblemData:
        problem = self.problem
        pick = np.ix_(self.used, self.used)
        return pyvrp.ProblemData(
            locations=[pyvrp.Location(0.0, 0.0) for _ in self.used],
            clients=[self._client(s) for s in self.singles],
            depots=[pyvrp.Depot(location=self.place[loc]) for loc in self.depot_of],
            vehicle_types=[self._vehicle_type(vs) for vs in self.types],
            distance_matrices=[np.ascontiguousarray(problem.travel[p].distance[pick]) for p in self.profiles],
            duration_matrices=[np.ascontiguousarray(problem.travel[p].duration[pick]) for p in self.profiles],
            shipments=[self._shipment(p) for p in self.pairs],
        )

    def _optional(self, stop) -> dict:
        penalty = self.problem.penalty_milli(stop)
        return {"required": True} if penalty is None else {"required": False, "prize": penalty}

    def _client(self, stop) -> pyvrp.Client:
        return pyvrp.Client(
            location=self.place[stop.location],
            delivery=self.amounts(stop.load),
            service_duration=stop.service,
            tw_early=stop.ready,
            tw_late=stop.due,
            **self._optional(stop),
        )

    def _shipment(self, pair) -> pyvrp.Shipment:
        up, down = self.stops[pair.pickup], self.stops[pair.dropoff]
        return pyvrp.Shipment(
            pickup_location=self.place[up.location],
            delivery_location=self.place[down.location],
            pickup_tw_early=up.ready,
            pickup_tw_late=up.due,
            pickup_service_duration=up.service,
            delivery_tw_early=down.ready,
            delivery_tw_late=down.due,
            delivery_service_duration=down.service,
            amount=self.amounts(up.load),
            **self._optional(up),
        )

    def _vehicle_type(self, vehicles: list[Vehicle]) -> pyvrp.VehicleType:
        v = vehicles[0]
        return pyvrp.VehicleType(
            num_available=len(vehicles),
            capacity=self.amounts(v.capacity),
            start_depot=self.depot_of[v.start],
            end_depot=self.depot_of[v.end],
            fixed_cost=v.fixed_cost * MILLI,
            tw_early=v.shift_start,
            tw_late=v.shift_end,
            unit_distance_cost=v.milli_per_metre,
            unit_duration_cost=v.milli_per_second,
            profile=self.profiles.index(v.profile),
        )

    def read(self, solution: pyvrp.Solution) -> Sequences:
        """PyVRP routes back into vehicle ids and stop ids."""
        free = [list(vs) for vs in self.types]
        sequences: Sequences = {}
        for route in solution.routes():
            vehicle = free[route.vehicle_type()].pop(0)
            sequences[vehicle.id] = [self._stop_id(a) for a in route if not a.is_depot()]
        return sequences

    def _stop_id(self, activity) -> str:
        if activity.is_client():
            return self.singles[activity.idx].id
        pair = self.pairs[activity.idx]
        return pair.pickup if activity.is_pickup() else pair.dropoff


def _vehicle_types(vehicles: tuple[Vehicle, ...]) -> list[list[Vehicle]]:
    """Vehicles that differ only in name form one PyVRP vehicle type."""
    groups: dict[tuple, list[Vehicle]] = {}
    for v in vehicles:
        key = astuple(v)[1:]
        groups.setdefault(key, []).append(v)
    return list(groups.values())


class _Stopper:
    """Stops PyVRP at the deadline or on cancel, and reports progress on the way."""

    def __init__(
        self,
        seconds: float,
        progress: Callable[[float], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        now: Callable[[], float] = time.perf_counter,
    ):
        self.seconds, self.progress, self.cancelled, self.now = seconds, progress, cancelled, now
        self.started = now()
        self.last_report = 0.0

    def __call__(self, best_cost: int) -> bool:
        elapsed = self.now() - self.started
        if self.progress and elapsed - self.last_report >= 0.5:
            self.last_report = elapsed
            self.progress(min(1.0, elapsed / self.seconds))
        return elapsed >= self.seconds or bool(self.cancelled and self.cancelled())


def solve(
    problem: Problem,
    seconds: float,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    now: Callable[[], float] = time.perf_counter,
) -> Sequences | None:
    """Best visiting orders PyVRP finds within the time, or None when it found nothing usable."""
    if not problem.vehicles:
        return None
    data = _Data(problem)
    stopper = _Stopper(seconds, progress, cancelled, now)
    built = data.build()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyvrp.exceptions.PenaltyBoundWarning)
        result = pyvrp.solve(built, stop=stopper, seed=seed, collect_stats=False, params=_params(built))
    return data.read(result.best)


def _params(data: pyvrp.ProblemData) -> pyvrp.SolveParams:
    """Search settings: a short-run neighbourhood, and penalties in proportion to the money rates.

    PyVRP's default penalty range suits costs of about one per unit of distance (the
    benchmarks). Waybill counts milli-cents per metre and per second, so a second of
    lateness would cost less than a few metres of detour and the search would settle
    for late plans: the range is scaled by the largest unit rate.
    """
    scale = max([1] + [max(t.unit_distance_cost, t.unit_duration_cost) for t in data.vehicle_types()])
    defaults = pyvrp.PenaltyParams()
    penalty = pyvrp.PenaltyParams(min_penalty=defaults.min_penalty * scale, max_penalty=defaults.max_penalty * scale)
    neighbourhood = pyvrp.search.NeighbourhoodParams(num_neighbours=NEIGHBOURS)
    return pyvrp.SolveParams(penalty=penalty, neighbourhood=neighbourhood)


def solve_plain(problem: Problem, seconds: float, seed: int = 0, now: Callable[[], float] = time.perf_counter) -> Sequences | None:
    """PyVRP with its default settings and a plain runtime limit: the bench's reference."""
    data = _Data(problem)
    result = pyvrp.solve(data.build(), stop=_Stopper(seconds, now=now), seed=seed, collect_stats=False)
    return data.read(result.best)
