"""The judge: replays a plan against the problem, independently of any solver.

Engines only propose visiting orders (vehicle -> stop ids). This module walks each
route itself, with the problem's own matrices, and decides whether the plan keeps
every promise (each stop at most once, required stops served, loads within capacity,
service within windows, back before the shift ends, pairs on one vehicle in order,
locked stops where the dispatcher put them) and what it costs. The portfolio trusts
this verdict, not the engines' own.

Schedules start each route as late as possible without arriving later anywhere it
matters: a courier who would only wait at the first client leaves the depot later,
so waiting is not paid as working time. When time-first clients are on the route,
the departure that minimises hours plus delivery-time cost is chosen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from app.optimizer.model import (
    MILLI,
    Load,
    Plan,
    Problem,
    Route,
    Sequences,
    Stop,
    Unplanned,
    Vehicle,
    Visit,
)


@dataclass
class _Leg:
    """A stop as first reached when leaving at the shift start."""

    stop: Stop
    start: int  # service start
    waited_before: int  # total waiting up to and including this stop


def evaluate(
    problem: Problem,
    sequences: Sequences,
    reasons: dict[str, str] | None = None,
    engine: str = "",
) -> Plan:
    """Judge one proposal: routes with times and costs, unplanned orders, violations."""
    stops = {s.id: s for s in problem.stops}
    violations = _assignment_violations(problem, stops, sequences)
    routes = []
    for vehicle in problem.vehicles:
        ids = [i for i in sequences.get(vehicle.id, []) if i in stops]
        route, route_violations = _replay_route(problem, vehicle, [stops[i] for i in ids])
        routes.append(route)
        violations += route_violations
    unplanned = _unplanned_orders(problem, sequences, reasons or {})
    violations += _missing_required(problem, unplanned)
    objective = sum(_route_objective(problem, vehicle, r, stops) for vehicle, r in zip(problem.vehicles, routes))
    objective += sum(_penalty(problem, stops, u) for u in unplanned)
    return Plan(
        routes=tuple(routes),
        unplanned=tuple(unplanned),
        feasible=not violations,
        objective=objective,
        violations=tuple(violations),
        engine=engine,
    )


def route_violations(problem: Problem, vehicle: Vehicle, stop_ids: list[str]) -> list[str]:
    """What breaks on one vehicle's route alone (load, windows, shift): for repairing drafts."""
    stops = {s.id: s for s in problem.stops}
    return _replay_route(problem, vehicle, [stops[i] for i in stop_ids])[1]


def _assignment_violations(problem: Problem, stops: dict[str, Stop], sequences: Sequences) -> list[str]:
    """Who serves what: unknown vehicles or stops, doubles, wrong vehicle, pairs and locks."""
    vehicles = {v.id for v in problem.vehicles}
    found = [f"unknown vehicle {v}" for v in sequences if v not in vehicles]
    counts = Counter(i for seq in sequences.values() for i in seq)
    found += [f"unknown stop {i}" for i in counts if i not in stops]
    found += [f"stop {i} visited {n} times" for i, n in counts.items() if n > 1]
    position = {i: (v, k) for v, seq in sequences.items() for k, i in enumerate(seq)}
    for stop_id, (vehicle_id, _) in position.items():
        wanted = stops[stop_id].vehicle_id if stop_id in stops else None
        if wanted is not None and wanted != vehicle_id:
            found.append(f"stop {stop_id} is aboard {wanted} but planned on {vehicle_id}")
    for pair in problem.pairs:
        found += _pair_violations(pair.pickup, pair.dropoff, position)
    for vehicle in problem.vehicles:
        found += _lock_violations(vehicle, position)
    return found


def _pair_violations(pickup: str, dropoff: str, position: dict[str, tuple[str, int]]) -> list[str]:
    if pickup not in position and dropoff not in position:
        return []
    if pickup not in position or dropoff not in position:
        return [f"pair {pickup}->{dropoff} only half planned"]
    (v1, k1), (v2, k2) = position[pickup], position[dropoff]
    if v1 != v2:
        return [f"pair {pickup}->{dropoff} split over {v1} and {v2}"]
    return [] if k1 < k2 else [f"pair {pickup}->{dropoff} dropped off before pick-up"]


def _lock_violations(vehicle: Vehicle, position: dict[str, tuple[str, int]]) -> list[str]:
    found, last = [], -1
    for stop_id in vehicle.locked_stops:
        where = position.get(stop_id)
        if where is None or where[0] != vehicle.id:
            found.append(f"locked stop {stop_id} moved off {vehicle.id}")
            continue
        if where[1] < last:
            found.append(f"locked stop {stop_id} moved out of sequence on {vehicle.id}")
        last = where[1]
    return found


def _replay_route(problem: Problem, vehicle: Vehicle, route: list[Stop]) -> tuple[Route, list[str]]:
    """Walk one route: load at every point, time at every stop, distance; list what breaks."""
    violations = _load_violations(problem, vehicle, route)
    if not route:
        return Route(vehicle.id, (), vehicle.shift_start, vehicle.shift_start, 0, 0), violations
    matrix = problem.matrix(vehicle)
    legs, back, distance = _forward_pass(vehicle, route, matrix)
    late = tuple(leg.stop.id for leg in legs if leg.start > leg.stop.due)
    for leg in legs:
        if leg.start > leg.stop.due:
            violations.append(f"{vehicle.id} reaches {leg.stop.id} at {leg.start} after its window closes at {leg.stop.due}")
    if back > vehicle.shift_end:
        violations.append(f"{vehicle.id} returns at {back} after its shift ends at {vehicle.shift_end}")
    delay = _best_departure_delay(problem, vehicle, legs, back) if not violations else 0
    visits = tuple(
        Visit(leg.stop.id, s, s + leg.stop.service)
        for leg in legs
        for s in [leg.start + max(0, delay - leg.waited_before)]
    )
    end = back + max(0, delay - legs[-1].waited_before)
    start = vehicle.shift_start + delay
    cost = distance * vehicle.milli_per_metre + (end - start) * vehicle.milli_per_second + vehicle.fixed_cost * MILLI
    return Route(vehicle.id, visits, start, end, distance, round(cost / MILLI), late), violations


def _forward_pass(vehicle: Vehicle, route: list[Stop], matrix) -> tuple[list[_Leg], int, int]:
    """Earliest service starts when leaving at the shift start; the return time; the distance."""
    dist, dur = matrix.distance, matrix.duration
    here, clock, waited, distance, legs = vehicle.start, vehicle.shift_start, 0, 0, []
    for stop in route:
        arrival = clock + int(dur[here, stop.location])
        distance += int(dist[here, stop.location])
        start = max(arrival, stop.ready)
        waited += start - arrival
        legs.append(_Leg(stop, start, waited))
        clock, here = start + stop.service, stop.location
    distance += int(dist[here, vehicle.end])
    return legs, clock + int(dur[here, vehicle.end]), distance


def _best_departure_delay(problem: Problem, vehicle: Vehicle, legs: list[_Leg], back: int) -> int:
    """How long to stay at the depot: the feasible delay that minimises paid hours plus delivery delays.

    A delay d postpones the service at stop k by max(0, d - waiting so far), so the
    cost is piecewise linear with breaks at the cumulative waits: try each of them.
    """
    total_wait = legs[-1].waited_before
    if total_wait == 0:
        return 0
    limit = min([leg.stop.due - leg.start + leg.waited_before for leg in legs] + [vehicle.shift_end - back + total_wait])
    options = sorted({min(w, limit) for w in [0] + [leg.waited_before for leg in legs]})
    rate = vehicle.milli_per_second
    weights = [problem.delay_milli_per_second(leg.stop) for leg in legs]

    def cost(d: int) -> int:
        hours = rate * (back + max(0, d - total_wait) - vehicle.shift_start - d)
        return hours + sum(w * max(0, d - leg.waited_before) for w, leg in zip(weights, legs) if w)

    return min(options, key=lambda d: (cost(d), d))


def _load_violations(problem: Problem, vehicle: Vehicle, route: list[Stop]) -> list[str]:
    """Goods aboard: deliveries loaded at the start, pair goods between pick-up and drop-off."""
    pickups = {p.pickup: p for p in problem.pairs}
    dropoffs = {p.dropoff: p.pickup for p in problem.pairs}
    loads = {s.id: s.load for s in problem.stops}
    aboard = _total(s.load for s in route if s.id not in pickups and s.id not in dropoffs)
    found = [] if aboard.fits_in(vehicle.capacity) else [f"{vehicle.id} leaves loaded with {aboard} over {vehicle.capacity}"]
    for stop in route:
        if stop.id in pickups:
            aboard = _total([aboard, stop.load])
        elif stop.id in dropoffs:
            aboard = _minus(aboard, loads[dropoffs[stop.id]])
        else:
            aboard = _minus(aboard, stop.load)
        if not aboard.fits_in(vehicle.capacity):
            found.append(f"{vehicle.id} carries {aboard} over {vehicle.capacity} after {stop.id}")
    return found


def _total(loads) -> Load:
    loads = list(loads)
    return Load(sum(x.weight for x in loads), sum(x.volume for x in loads))


def _minus(a: Load, b: Load) -> Load:
    return Load(a.weight - b.weight, a.volume - b.volume)


def _route_objective(problem: Problem, vehicle: Vehicle, route: Route, stops: dict[str, Stop]) -> int:
    """Money in milli-cents plus the delivery-time cost of the route's clients."""
    if not route.visits:
        return 0
    money = route.distance * vehicle.milli_per_metre + route.duration * vehicle.milli_per_second
    money += vehicle.fixed_cost * MILLI
    delays = sum(
        problem.delay_milli_per_second(stops[v.stop_id]) * max(0, v.arrival - stops[v.stop_id].ready)
        for v in route.visits
    )
    return money + delays


def _unplanned_orders(problem: Problem, sequences: Sequences, reasons: dict[str, str]) -> list[Unplanned]:
    """Orders with a stop nobody visits, with the reason found before solving if there is one."""
    visited = {i for seq in sequences.values() for i in seq}
    missing: dict[str, list[str]] = {}
    for stop in problem.stops:
        if stop.id not in visited:
            missing.setdefault(stop.order, []).append(stop.id)
    return [Unplanned(order, tuple(ids), reasons.get(order, "no_room_left")) for order, ids in missing.items()]


def _missing_required(problem: Problem, unplanned: list[Unplanned]) -> list[str]:
    stops = {s.id: s for s in problem.stops}
    return [
        f"stop {i} must be planned"
        for u in unplanned
        for i in u.stop_ids
        if problem.penalty_milli(stops[i]) is None
    ]


def _penalty(problem: Problem, stops: dict[str, Stop], unplanned: Unplanned) -> int:
    """An order left out costs its penalty once, whatever number of stops it has."""
    penalties = [problem.penalty_milli(stops[i]) for i in unplanned.stop_ids]
    return max((p for p in penalties if p is not None), default=0)
