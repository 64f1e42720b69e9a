"""OR-Tools routing as an engine: the full Waybill model.

Everything the business asks for is expressed here: per-vehicle travel times
(profiles), money (arc cost per km, span cost per hour, fixed cost), weight and
volume, windows, the delivery-time weight of time-first clients (a soft upper bound
at the window opening on each stop's arrival, so every second later costs the
client's weight), optional orders (disjunctions with the order's penalty),
pick-up/drop-off pairs (same vehicle, pick-up first), goods already aboard a given
vehicle, and locked stops (that vehicle only, in the dispatcher's order).

It can start from another engine's plan (a warm start) and then improves it with
guided local search under this full objective.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from app.optimizer.model import MILLI, Problem, Sequences

WALL_GUARD = 50.0
"""With a CPU-time budget, the wall-clock limit is this many times the budget (a starved process still ends)."""

LARGE_DAY = 400
"""Stops above which the first routes are built by the quicker nearest-arc heuristic."""

FIRST_SOLUTION = routing_enums_pb2.FirstSolutionStrategy
METAHEURISTIC = routing_enums_pb2.LocalSearchMetaheuristic


class _Nodes:
    """OR-Tools node numbering: one node per stop, then one per depot location."""

    def __init__(self, problem: Problem):
        self.stops = list(problem.stops)
        self.index_of_stop = {s.id: k for k, s in enumerate(self.stops)}
        depots = sorted({v.start for v in problem.vehicles} | {v.end for v in problem.vehicles})
        self.depot_node = {loc: len(self.stops) + k for k, loc in enumerate(depots)}
        self.location = np.array([s.location for s in self.stops] + depots, dtype=np.int64)
        self.service = np.array([s.service for s in self.stops] + [0] * len(depots), dtype=np.int64)
        self.count = len(self.location)


class _Model:
    """Builds the routing model from the problem; reads a solution back into stop ids."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.nodes = _Nodes(problem)
        vehicles = problem.vehicles
        self.manager = pywrapcp.RoutingIndexManager(
            self.nodes.count,
            len(vehicles),
            [self.nodes.depot_node[v.start] for v in vehicles],
            [self.nodes.depot_node[v.end] for v in vehicles],
        )
        self.routing = pywrapcp.RoutingModel(self.manager)
        self._add_costs()
        self.time = self._add_time()
        self._add_loads()
        self._add_optional_orders()
        self._add_pairs()
        self._add_restrictions()

    def index(self, stop_id: str) -> int:
        return self.manager.NodeToIndex(self.nodes.index_of_stop[stop_id])

    def _submatrix(self, matrix: np.ndarray) -> np.ndarray:
        return matrix[np.ix_(self.nodes.location, self.nodes.location)]

    def _add_costs(self) -> None:
        """Metres x cost per km on every arc, plus the vehicle's fixed cost when used."""
        registered: dict[tuple[str, int], int] = {}
        for v, vehicle in enumerate(self.problem.vehicles):
            key = (vehicle.profile, vehicle.milli_per_metre)
            if key not in registered:
                cost = self._submatrix(self.problem.travel[vehicle.profile].distance) * vehicle.milli_per_metre
                registered[key] = self.routing.RegisterTransitMatrix(cost.tolist())
            self.routing.SetArcCostEvaluatorOfVehicle(registered[key], v)
            self.routing.SetFixedCostOfVehicle(vehicle.fixed_cost * MILLI, v)

    def _add_time(self) -> pywrapcp.RoutingDimension:
        """Travel plus service time; windows, shifts, paid hours, and time-first clients."""
        problem, routing = self.problem, self.routing
        by_profile: dict[str, int] = {}
        for profile in {v.profile for v in problem.vehicles}:
            travel = self._submatrix(problem.travel[profile].duration) + self.nodes.service[:, None]
            by_profile[profile] = routing.RegisterTransitMatrix(travel.tolist())
        horizon = max(v.shift_end for v in problem.vehicles)
        routing.AddDimensionWithVehicleTransits(
            [by_profile[v.profile] for v in problem.vehicles], horizon, horizon, False, "time"
        )
        time_dim = routing.GetDimensionOrDie("time")
        for stop in problem.stops:
            index = self.index(stop.id)
            time_dim.CumulVar(index).SetRange(stop.ready, min(stop.due, horizon))
            weight = problem.delay_milli_per_second(stop)
            if weight:
                time_dim.SetCumulVarSoftUpperBound(index, stop.ready, weight)
        for v, vehicle in enumerate(problem.vehicles):
            time_dim.CumulVar(routing.Start(v)).SetRange(vehicle.shift_start, vehicle.shift_end)
            time_dim.CumulVar(routing.End(v)).SetRange(vehicle.shift_start, vehicle.shift_end)
            time_dim.SetSpanCostCoefficientForVehicle(vehicle.milli_per_second, v)
        return time_dim

    def _add_loads(self) -> None:
        """Weight and volume. Without pairs a route's load only adds up; with pairs it rises and falls.

        With pairs, deliveries count negative and the load at the start is left free:
        the route can only end at or above zero if it left with all its deliveries
        aboard, so the figure on each leg is never below what the vehicle carries.
        """
        problem = self.problem
        pickups = {p.pickup for p in problem.pairs}
        signed = bool(problem.pairs)
        for name in ("weight", "volume"):
            if not any(getattr(s.load, name) for s in problem.stops):
                continue
            loads_by_id = {s.id: getattr(s.load, name) for s in problem.stops}
            for pair in problem.pairs:
                loads_by_id[pair.dropoff] = loads_by_id[pair.pickup]
            demand = [
                loads_by_id[s.id] if (not signed or s.id in pickups) else -loads_by_id[s.id]
                for s in problem.stops
            ]
            demand += [0] * (self.nodes.count - len(demand))
            callback = self.routing.RegisterUnaryTransitVector(demand)
            capacities = [getattr(v.capacity, name) for v in problem.vehicles]
            self.routing.AddDimensionWithVehicleCapacity(callback, 0, capacities, not signed, name)
            if signed:
                dim = self.routing.GetDimensionOrDie(name)
                for v, cap in enumerate(capacities):
                    dim.CumulVar(self.routing.End(v)).SetRange(0, cap)

    def _add_optional_orders(self) -> None:
        """An order may stay unplanned at its penalty; a pair's penalty sits on its pick-up."""
        dropoffs = {p.dropoff for p in self.problem.pairs}
        locked = {s for v in self.problem.vehicles for s in v.locked_stops}
        for stop in self.problem.stops:
            penalty = self.problem.penalty_milli(stop)
            if penalty is None or stop.id in locked:
                continue
            self.routing.AddDisjunction([self.index(stop.id)], 0 if stop.id in dropoffs else penalty)

    def _add_pairs(self) -> None:
        solver = self.routing.solver()
        for pair in self.problem.pairs:
            up, down = self.index(pair.pickup), self.index(pair.dropoff)
            self.routing.AddPickupAndDelivery(up, down)
            solver.Add(self.routing.VehicleVar(up) == self.routing.VehicleVar(down))
            solver.Add(self.time.CumulVar(up) <= self.time.CumulVar(down))

    def _add_restrictions(self) -> None:
        """Goods aboard a vehicle stay with it; locked stops keep their vehicle and order."""
        vehicle_number = {v.id: k for k, v in enumerate(self.problem.vehicles)}
        for stop in self.problem.stops:
            if stop.vehicle_id is not None:
                self._only_on(self.index(stop.id), vehicle_number[stop.vehicle_id])
        if not self.problem.has_locks:
            return
        self.routing.AddConstantDimension(1, self.nodes.count + 1, True, "rank")
        rank = self.routing.GetDimensionOrDie("rank")
        solver = self.routing.solver()
        for v, vehicle in enumerate(self.problem.vehicles):
            indices = [self.index(s) for s in vehicle.locked_stops]
            for index in indices:
                self._only_on(index, v)
            for before, after in zip(indices, indices[1:]):
                solver.Add(rank.CumulVar(before) < rank.CumulVar(after))

    def _only_on(self, index: int, vehicle: int) -> None:
        """This stop goes on that vehicle, or (if it may be left out) on none."""
        optional = self.routing.GetDisjunctionIndices(index)
        self.routing.VehicleVar(index).SetValues([-1, vehicle] if optional else [vehicle])

    def to_routes(self, sequences: Sequences) -> list[list[int]]:
        """A plan as OR-Tools node lists, one per vehicle, for a warm start."""
        return [
            [self.nodes.index_of_stop[s] for s in sequences.get(v.id, [])]
            for v in self.problem.vehicles
        ]

    def warm_start(self, sequences: Sequences, params):
        """Another engine's plan as the search's first solution (only the visiting order is set).

        `ReadAssignmentFromRoutes` would also search for every arrival time up front,
        which with time-first clients on 2,000 stops takes longer than the whole solve;
        the local search fills in the times itself in milliseconds.
        """
        self.routing.CloseModelWithParameters(params)
        assignment = self.routing.solver().Assignment()
        if not self.routing.RoutesToAssignment(self.to_routes(sequences), True, True, assignment):
            return None
        return assignment

    def read(self, assignment) -> Sequences:
        sequences: Sequences = {}
        for v, vehicle in enumerate(self.problem.vehicles):
            index, visits = self.routing.Start(v), []
            index = assignment.Value(self.routing.NextVar(index))
            while not self.routing.IsEnd(index):
                visits.append(self.nodes.stops[self.manager.IndexToNode(index)].id)
                index = assignment.Value(self.routing.NextVar(index))
            if visits:
                sequences[vehicle.id] = visits
        return sequences


def search_parameters(
    seconds: float,
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION",
    metaheuristic: str = "GUIDED_LOCAL_SEARCH",
) -> pywrapcp.DefaultRoutingSearchParameters:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(FIRST_SOLUTION, first_solution)
    params.local_search_metaheuristic = getattr(METAHEURISTIC, metaheuristic)
    params.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    return params


def solve(
    problem: Problem,
    seconds: float,
    initial: Sequences | None = None,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    first_solution: str | None = None,
    metaheuristic: str = "GUIDED_LOCAL_SEARCH",
    now: Callable[[], float] = time.perf_counter,
) -> Sequences | None:
    """Best visiting orders OR-Tools finds within the time (from `initial` if given), or None.

    With a clock other than the wall (`now=time.process_time` in benchmarks) a search
    limit polls it, and the wall-clock limit only guards against a starved process.
    """
    if not problem.vehicles:
        return None
    started = now()
    model = _Model(problem)
    remaining = max(0.05, seconds - (now() - started))
    wall = remaining if now is time.perf_counter else remaining * WALL_GUARD
    params = search_parameters(wall, first_solution or _first_solution_for(problem), metaheuristic)
    _watch(model.routing, started, seconds, progress, cancelled, now)
    if now is not time.perf_counter:
        model.limit = model.routing.solver().CustomLimit(lambda: now() - started >= seconds)
        model.routing.AddSearchMonitor(model.limit)
    start = model.warm_start(initial, params) if initial else None
    if start is not None:
        assignment = model.routing.SolveFromAssignmentWithParameters(start, params)
    else:
        assignment = model.routing.SolveWithParameters(params)
    return model.read(assignment) if assignment is not None else None


def _first_solution_for(problem: Problem) -> str:
    """Parallel cheapest insertion builds the best first routes, but is too slow past a few hundred stops."""
    return "PARALLEL_CHEAPEST_INSERTION" if len(problem.stops) <= LARGE_DAY else "PATH_CHEAPEST_ARC"


def _watch(routing, started: float, seconds: float, progress, cancelled, now=time.perf_counter) -> None:
    """At each improving solution: report the share of time used; stop if the job was cancelled."""
    if progress is None and cancelled is None:
        return

    def on_solution() -> None:
        if progress is not None:
            progress(min(1.0, (now() - started) / seconds))
        if cancelled is not None and cancelled():
            routing.CancelSearch()

    routing.AddAtSolutionCallback(on_solution)


def solve_plain(problem: Problem, seconds: float, now: Callable[[], float] = time.perf_counter) -> Sequences | None:
    """The textbook set-up (PATH_CHEAPEST_ARC + guided local search): the bench's reference."""
    return solve(problem, seconds, first_solution="PATH_CHEAPEST_ARC", now=now)
