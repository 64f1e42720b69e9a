"""The route-planning problem and its plan, as plain data.

Units, everywhere in the optimizer: distances in metres, times in seconds from the
start of the planning day, loads in whatever integer units the company uses (grams,
litres), money in integer minor units (cents). Travel matrices are numpy int64
arrays indexed by location number; every stop and vehicle names its location by
that number, so one matrix serves depots, clients and couriers' last positions.

What the plan costs (the objective all engines minimise and `evaluate` judges):

* money: metres x `cost_per_km`, seconds on the road x `cost_per_hour`, and the
  vehicle's `fixed_cost` when it leaves the depot at all;
* delivery time: each stop costs `delay_cost_per_hour` x priority/100 per hour
  between its window opening and the moment service starts. A time-first client
  (priority 100) therefore pulls its stop towards the start of the route; a
  cost-first client (priority 0) adds nothing and is placed wherever it is cheapest.
  The company default priority applies where the client set none;
* a stop left unplanned costs its order's penalty (or the plan is infeasible when
  the problem says every stop must be planned).

Internally costs are counted in thousandths of a minor unit ("milli-cents") so the
per-metre and per-second rates stay integers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np

END_OF_DAY = 10**9
"""A due time that never binds."""

MILLI = 1000
"""Internal cost units per minor unit of money."""


@dataclass(frozen=True)
class Load:
    """What a stop hands over, or what a vehicle can carry: weight and volume."""

    weight: int = 0
    volume: int = 0

    def fits_in(self, capacity: Load) -> bool:
        return self.weight <= capacity.weight and self.volume <= capacity.volume


@dataclass(frozen=True)
class TravelMatrix:
    """Metres and seconds between every two locations, for one kind of vehicle."""

    distance: np.ndarray
    duration: np.ndarray


@dataclass(frozen=True)
class Stop:
    """A visit to make: a delivery of goods loaded at the vehicle's start, or one half of a pair.

    `ready`/`due` bound the start of service; `priority` is the client's choice between
    time and cost, 0 (cost first) .. 100 (time first), None for the company default;
    `unplanned_penalty` (minor units) overrides the problem's; `vehicle_id` ties the
    stop to one vehicle (goods already aboard that courier's van when re-planning mid-day).
    Stops of one order share `order_id` (it defaults to the stop's id).
    """

    id: str
    location: int
    ready: int = 0
    due: int = END_OF_DAY
    service: int = 0
    load: Load = Load()
    order_id: str = ""
    priority: int | None = None
    unplanned_penalty: int | None = None
    vehicle_id: str | None = None

    @property
    def order(self) -> str:
        return self.order_id or self.id


@dataclass(frozen=True)
class Pair:
    """Goods collected at one stop and handed over at another, by the same vehicle, in that order.

    The load of the pick-up stop is what travels; the drop-off stop's own load is ignored.
    """

    pickup: str
    dropoff: str


@dataclass(frozen=True)
class Vehicle:
    """A courier's vehicle for the day: where it starts and ends, what it carries, what it costs.

    `start` may be any location (mid-day: the courier's last known position) and
    `shift_start` then is "now". `locked_stops` are stops a dispatcher pinned to this
    vehicle, in this relative order; others may still be slotted between them.
    """

    id: str
    start: int
    end: int
    capacity: Load
    shift_start: int = 0
    shift_end: int = END_OF_DAY
    cost_per_km: int = 0
    cost_per_hour: int = 0
    fixed_cost: int = 0
    profile: str = "car"
    locked_stops: tuple[str, ...] = ()

    @property
    def milli_per_metre(self) -> int:
        return self.cost_per_km

    @property
    def milli_per_second(self) -> int:
        return round(self.cost_per_hour * MILLI / 3600)


@dataclass(frozen=True)
class Problem:
    """One day's routing question for a depot (or several).

    `travel` holds one matrix per vehicle `profile`. `delay_cost_per_hour` is what an
    hour of waiting is worth to a time-first client (minor units; 0 switches the
    delivery-time weight off). `unplanned_penalty` is the cost of leaving an order out
    (minor units); None means every stop must be planned or the plan is infeasible.
    """

    vehicles: tuple[Vehicle, ...]
    stops: tuple[Stop, ...]
    travel: dict[str, TravelMatrix]
    pairs: tuple[Pair, ...] = ()
    default_priority: int = 50
    delay_cost_per_hour: int = 0
    unplanned_penalty: int | None = 1_000_000

    def priority_of(self, stop: Stop) -> int:
        return self.default_priority if stop.priority is None else stop.priority

    def delay_milli_per_second(self, stop: Stop) -> int:
        """What each second between window opening and service start costs for this stop."""
        return round(self.priority_of(stop) * self.delay_cost_per_hour * MILLI / (100 * 3600))

    def penalty_milli(self, stop: Stop) -> int | None:
        """Cost of leaving this stop's order unplanned; None when it must be planned."""
        penalty = self.unplanned_penalty if stop.unplanned_penalty is None else stop.unplanned_penalty
        return None if penalty is None else penalty * MILLI

    @property
    def has_delay_costs(self) -> bool:
        return any(self.delay_milli_per_second(s) for s in self.stops)

    @property
    def has_locks(self) -> bool:
        return any(v.locked_stops for v in self.vehicles)

    def matrix(self, vehicle: Vehicle) -> TravelMatrix:
        return self.travel[vehicle.profile]


UnplannedReason = Literal[
    "no_vehicle_large_enough",  # no vehicle can carry the load, even empty
    "window_unreachable",  # no vehicle reaches the stop within its window and gets back within its shift
    "no_room_left",  # capacity or working time used up (or serving it costs more than its penalty)
]
"""Why an order is left out: a code; the words for people are the caller's (app/planning/proposal.py)."""

UNPLANNED_REASONS: tuple[str, ...] = get_args(UnplannedReason)


@dataclass(frozen=True)
class Unplanned:
    """An order left out of the plan, and why (a reason code)."""

    order_id: str
    stop_ids: tuple[str, ...]
    reason: UnplannedReason


@dataclass(frozen=True)
class Visit:
    """A stop on a route: `arrival` is the planned start of service (the ETA to give the client)."""

    stop_id: str
    arrival: int
    departure: int


@dataclass(frozen=True)
class Route:
    """One vehicle's day: where it goes, when, how far, for how much."""

    vehicle_id: str
    visits: tuple[Visit, ...]
    start_time: int
    end_time: int
    distance: int
    cost: int
    late_stops: tuple[str, ...] = ()

    @property
    def stop_ids(self) -> list[str]:
        return [v.stop_id for v in self.visits]

    @property
    def duration(self) -> int:
        return self.end_time - self.start_time


@dataclass(frozen=True)
class Plan:
    """The answer: routes, orders left out, and how good it is (as judged by the evaluator)."""

    routes: tuple[Route, ...]
    unplanned: tuple[Unplanned, ...]
    feasible: bool
    objective: int
    violations: tuple[str, ...] = ()
    engine: str = ""
    candidates: dict[str, int | None] = field(default_factory=dict)

    @property
    def distance(self) -> int:
        return sum(r.distance for r in self.routes)

    @property
    def duration(self) -> int:
        return sum(r.duration for r in self.routes)

    @property
    def cost(self) -> int:
        """Money cost of the routes (km, hours, vehicles) in minor units."""
        return sum(r.cost for r in self.routes)

    @property
    def late_stops(self) -> list[str]:
        """Stops served after their window closes (only in plans judged as they are, e.g. "before")."""
        return [s for r in self.routes for s in r.late_stops]

    @property
    def vehicles_used(self) -> int:
        return sum(1 for r in self.routes if r.visits)


Sequences = dict[str, list[str]]
"""An engine's raw answer: vehicle id -> stop ids in visiting order."""
