"""A small town for optimizer stories: places on a plane, one metre a second, easy sums.

Distances are Euclidean metres rounded to whole metres, and every vehicle drives at
1 m/s, so a test can work out travel times and the optimum by hand.
"""

from __future__ import annotations

import math

import numpy as np

from app.optimizer import Load, Problem, Stop, TravelMatrix, Vehicle

DEPOT = 0
BIG = Load(weight=1000, volume=1000)


def town(*points: tuple[float, float], profiles=("car",)) -> dict[str, TravelMatrix]:
    """Travel matrices over the given places: place k is location k."""
    metres = np.array(
        [[round(math.dist(a, b)) for b in points] for a in points],
        dtype=np.int64,
    )
    return {p: TravelMatrix(distance=metres, duration=metres.copy()) for p in profiles}


def van(name: str = "van", capacity: Load = BIG, start: int = DEPOT, end: int | None = None, **fields) -> Vehicle:
    """A van at the depot costing one cent per km (so the objective is the distance)."""
    fields.setdefault("cost_per_km", 1)
    return Vehicle(id=name, start=start, end=start if end is None else end, capacity=capacity, **fields)


def parcel(name: str, at: int, weight: int = 1, **fields) -> Stop:
    return Stop(id=name, location=at, load=Load(weight=weight, volume=0), **fields)


def day(points, vehicles, stops, **fields) -> Problem:
    return Problem(vehicles=tuple(vehicles), stops=tuple(stops), travel=town(*points), **fields)


def routes_of(plan) -> dict[str, list[str]]:
    """Vehicle -> stop ids, for vehicles that drive."""
    return {r.vehicle_id: r.stop_ids for r in plan.routes if r.visits}
