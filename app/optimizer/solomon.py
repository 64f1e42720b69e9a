"""Solomon-format VRPTW files, read into a Waybill `Problem` for benchmarking.

DIMACS convention: distance = travel time = Euclidean distance truncated to one
decimal (floor(10 d) / 10). Internally everything is counted in integer tenths, so
"metres" and "seconds" in the resulting problem are tenths of the file's unit; the
cost is one per tenth, so the plan's objective is the total distance in tenths.
Fleet = the file's vehicle number, all required, depot closing time = shift end.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.optimizer.model import Load, Problem, Stop, TravelMatrix, Vehicle

SCALE = 10
"""Tenths: the integer unit of distance and time in Solomon problems."""


@dataclass(frozen=True)
class Customer:
    number: int
    x: float
    y: float
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class SolomonInstance:
    name: str
    vehicles: int
    capacity: int
    depot: Customer
    customers: tuple[Customer, ...]


def read_solomon(path: str | Path) -> SolomonInstance:
    """Parse the file: name, fleet size and capacity, then one line per customer (0 = depot)."""
    lines = [line.split() for line in Path(path).read_text().splitlines()]
    lines = [parts for parts in lines if parts]
    name = lines[0][0]
    vehicles_at = next(i for i, parts in enumerate(lines) if parts[0].upper() == "VEHICLE")
    vehicles, capacity = int(lines[vehicles_at + 2][0]), int(lines[vehicles_at + 2][1])
    rows = [parts for parts in lines[vehicles_at + 3 :] if _is_number_row(parts)]
    customers = [_customer(parts) for parts in rows]
    return SolomonInstance(name, vehicles, capacity, customers[0], tuple(customers[1:]))


def _is_number_row(parts: list[str]) -> bool:
    return len(parts) >= 7 and all(_is_number(p) for p in parts[:7])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _customer(parts: list[str]) -> Customer:
    number, x, y, demand, ready, due, service = parts[:7]
    return Customer(int(number), float(x), float(y), int(float(demand)), int(float(ready)), int(float(due)), int(float(service)))


def truncated_distances(points: list[tuple[float, float]]) -> np.ndarray:
    """Euclidean distances in tenths, truncated: floor(10 d) = floor(sqrt(100 d^2)).

    Taking the root of 100 d^2 keeps integer coordinates exact: a root that is an
    integer comes out exactly, so no tenth is lost to a rounding just below it.
    """
    xy = np.array(points, dtype=float)
    delta = xy[:, None, :] - xy[None, :, :]
    squared = (delta**2).sum(axis=2) * SCALE**2
    return np.floor(np.sqrt(squared)).astype(np.int64)


def to_problem(instance: SolomonInstance) -> Problem:
    """The benchmark as a Waybill problem: N identical vehicles, all customers required."""
    everyone = (instance.depot, *instance.customers)
    matrix = truncated_distances([(c.x, c.y) for c in everyone])
    vehicle = dict(
        start=0,
        end=0,
        capacity=Load(weight=instance.capacity, volume=0),
        shift_start=instance.depot.ready * SCALE,
        shift_end=instance.depot.due * SCALE,
        cost_per_km=1,
    )
    vehicles = tuple(Vehicle(id=f"v{k + 1}", **vehicle) for k in range(instance.vehicles))
    stops = tuple(
        Stop(
            id=str(c.number),
            location=k + 1,
            ready=c.ready * SCALE,
            due=c.due * SCALE,
            service=c.service * SCALE,
            load=Load(weight=c.demand),
        )
        for k, c in enumerate(instance.customers)
    )
    return Problem(
        vehicles=vehicles,
        stops=stops,
        travel={"car": TravelMatrix(distance=matrix, duration=matrix)},
        default_priority=0,
        unplanned_penalty=None,
    )


def distance_in_units(tenths: int) -> float:
    """The file's unit with one decimal, as DIMACS reports it."""
    return round(tenths / SCALE, 1)
