"""Route optimizer: plain data in (`Problem`), plain data out (`Plan`); no HTTP, no database.

Call `solve(problem, seconds, progress=..., cancelled=...)`; build the travel
matrices first with `travel_matrices(points, profiles, osrm=None)`.
"""

from app.optimizer.evaluate import evaluate
from app.optimizer.model import (
    END_OF_DAY,
    UNPLANNED_REASONS,
    Load,
    Pair,
    Plan,
    Problem,
    Route,
    Stop,
    TravelMatrix,
    Unplanned,
    Vehicle,
    Visit,
)
from app.optimizer.portfolio import solve
from app.optimizer.travel import OsrmTable, estimated_matrices, travel_matrices

__all__ = [
    "END_OF_DAY",
    "Load",
    "OsrmTable",
    "Pair",
    "Plan",
    "Problem",
    "Route",
    "Stop",
    "TravelMatrix",
    "UNPLANNED_REASONS",
    "Unplanned",
    "Vehicle",
    "Visit",
    "estimated_matrices",
    "evaluate",
    "solve",
    "travel_matrices",
]
