"""A draft for problems PyVRP cannot model whole: plan the free stops, then put the pinned ones back.

Mid-day, a dispatcher has locked some stops on some couriers and some goods are
already aboard a given van; PyVRP knows neither. It still drafts the rest of the
day well and fast, so the draft leaves those stops out, and each vehicle's locked
stops (in their order) and pinned stops are slotted into its own route where they
add the least distance without breaking a window or the load. OR-Tools then starts
from that repaired draft, which it could not find on its own on a big day.
"""

from __future__ import annotations

from dataclasses import replace

from app.optimizer.evaluate import route_violations
from app.optimizer.model import Problem, Sequences, Vehicle

PLACES_TRIED = 20
"""Cheapest places checked for a crowded-out stop before it is left for the search to place."""


def pinned_stops(problem: Problem) -> dict[str, list[str]]:
    """Vehicle id -> the stops it must carry: locked ones in the dispatcher's order, then goods aboard."""
    pinned = {v.id: list(v.locked_stops) for v in problem.vehicles}
    for stop in problem.stops:
        if stop.vehicle_id is not None and stop.id not in pinned[stop.vehicle_id]:
            pinned[stop.vehicle_id].append(stop.id)
    return pinned


def can_draft(problem: Problem) -> bool:
    """Only stops outside pick-up/drop-off pairs can be slotted back one by one."""
    paired = {p.pickup for p in problem.pairs} | {p.dropoff for p in problem.pairs}
    return not paired & {s for stops in pinned_stops(problem).values() for s in stops}


def free_part(problem: Problem) -> Problem:
    """The problem without locks and without the stops pinned to a vehicle."""
    pinned = {s for stops in pinned_stops(problem).values() for s in stops}
    return replace(
        problem,
        vehicles=tuple(replace(v, locked_stops=()) for v in problem.vehicles),
        stops=tuple(s for s in problem.stops if s.id not in pinned),
    )


def put_back(problem: Problem, draft: Sequences) -> Sequences:
    """The draft with every vehicle's pinned stops slotted into its route.

    Free stops crowded out on the way are offered to the other routes afterwards.
    """
    repaired = {vehicle_id: list(stops) for vehicle_id, stops in draft.items()}
    crowded_out: list[str] = []
    for vehicle in problem.vehicles:
        route = repaired.setdefault(vehicle.id, [])
        earliest = 0
        for stop_id in pinned_stops(problem)[vehicle.id]:
            locked = stop_id in vehicle.locked_stops
            position = _cheapest_position(problem, vehicle, route, stop_id, earliest if locked else 0)
            route.insert(position, stop_id)
            if locked:
                earliest = position + 1
        repaired[vehicle.id], removed = _make_room(problem, vehicle, route, set(pinned_stops(problem)[vehicle.id]))
        crowded_out += removed
    _find_places(problem, repaired, crowded_out)
    return {vehicle_id: stops for vehicle_id, stops in repaired.items() if stops}


def _make_room(problem: Problem, vehicle: Vehicle, route: list[str], pinned: set[str]) -> tuple[list[str], list[str]]:
    """Take free stops off a route the pinned ones overloaded or made late, fewest breaks first.

    A pair leaves together. Returns the route and the stops taken off it.
    """
    partner = {p.pickup: p.dropoff for p in problem.pairs} | {p.dropoff: p.pickup for p in problem.pairs}
    removed: list[str] = []
    broken = len(route_violations(problem, vehicle, route))
    while broken:
        trials = []
        for stop_id in route:
            if stop_id in pinned:
                continue
            leaving = {stop_id, partner.get(stop_id, stop_id)}
            trials.append((len(route_violations(problem, vehicle, [s for s in route if s not in leaving])), stop_id))
        if not trials:
            break
        broken, stop_id = min(trials)
        leaving = {stop_id, partner.get(stop_id, stop_id)}
        route = [s for s in route if s not in leaving]
        removed += sorted(leaving)
    return route, removed


def _find_places(problem: Problem, routes: Sequences, stop_ids: list[str]) -> None:
    """Give each crowded-out single stop the cheapest sound place on any route, if there is one."""
    paired = {p.pickup for p in problem.pairs} | {p.dropoff for p in problem.pairs}
    where = {s.id: s.location for s in problem.stops}
    for stop_id in stop_ids:
        if stop_id in paired:
            continue
        options = []
        for vehicle in problem.vehicles:
            route = routes.setdefault(vehicle.id, [])
            options += [(cost, k, vehicle) for k, cost in _insertion_costs(problem, vehicle, route, stop_id, 0, where)]
        for _cost, k, vehicle in sorted(options, key=lambda o: o[0])[:PLACES_TRIED]:
            route = routes[vehicle.id]
            if not route_violations(problem, vehicle, route[:k] + [stop_id] + route[k:]):
                route.insert(k, stop_id)
                break


def _cheapest_position(problem: Problem, vehicle: Vehicle, route: list[str], stop_id: str, earliest: int) -> int:
    """Where the stop adds the least distance; a position that keeps the route sound wins over one that does not."""
    options = [k for k, _cost in sorted(_insertion_costs(problem, vehicle, route, stop_id, earliest), key=lambda o: o[1])]
    for k in options:
        if not route_violations(problem, vehicle, route[:k] + [stop_id] + route[k:]):
            return k
    return options[0]


def _insertion_costs(
    problem: Problem, vehicle: Vehicle, route: list[str], stop_id: str, earliest: int, where: dict[str, int] | None = None
) -> list[tuple[int, int]]:
    """(position, metres added) for every position from `earliest` on."""
    matrix = problem.matrix(vehicle).distance
    where = where or {s.id: s.location for s in problem.stops}
    places = [vehicle.start] + [where[s] for s in route] + [vehicle.end]
    here = where[stop_id]
    return [
        (k, int(matrix[places[k], here] + matrix[here, places[k + 1]] - matrix[places[k], places[k + 1]]))
        for k in range(earliest, len(route) + 1)
    ]
