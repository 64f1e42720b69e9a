"""Command line: `python -m app.optimizer solomon FILE --seconds N [--json]`.

Solves one Solomon-format VRPTW file (DIMACS truncated distances, the file's fleet)
and prints the routes as customer numbers and the total distance.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from app.optimizer import ortools_engine, pyvrp_engine
from app.optimizer.evaluate import evaluate
from app.optimizer.model import Plan
from app.optimizer.portfolio import solve
from app.optimizer.solomon import distance_in_units, read_solomon, to_problem

ENGINES = ("portfolio", "ortools", "pyvrp")


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def solve_solomon(
    path: str, seconds: float, engine: str = "portfolio", seed: int = 0, clock: str = "wall"
) -> tuple[str, Plan]:
    """Read, solve with the chosen engine, and judge with the evaluator."""
    instance = read_solomon(path)
    problem = to_problem(instance)
    now = CLOCKS[clock]
    if engine == "portfolio":
        return instance.name, solve(problem, seconds, seed=seed, now=now)
    if engine == "ortools":
        sequences = ortools_engine.solve_plain(problem, seconds, now=now)
    else:
        sequences = pyvrp_engine.solve_plain(problem, seconds, seed, now=now)
    return instance.name, evaluate(problem, sequences or {}, engine=engine)


def report(name: str, plan: Plan) -> dict:
    """The plan as the CLI shows it: customer numbers per route and the distance in file units."""
    return {
        "instance": name,
        "feasible": plan.feasible,
        "vehicles": plan.vehicles_used,
        "distance": distance_in_units(plan.distance),
        "routes": [[int(s) for s in r.stop_ids] for r in plan.routes if r.visits],
        "engine": plan.engine,
        "violations": list(plan.violations),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.optimizer", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    solomon = commands.add_parser("solomon", help="solve one Solomon-format VRPTW file")
    solomon.add_argument("file")
    solomon.add_argument("--seconds", type=float, default=10.0)
    solomon.add_argument("--engine", choices=ENGINES, default="portfolio")
    solomon.add_argument("--seed", type=int, default=0)
    solomon.add_argument("--clock", choices=CLOCKS, default="wall", help="count the time limit in wall or CPU seconds")
    solomon.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    name, plan = solve_solomon(args.file, args.seconds, args.engine, args.seed, args.clock)
    shown = report(name, plan)
    if args.json:
        print(json.dumps(shown))
    else:
        for k, route in enumerate(shown["routes"], start=1):
            print(f"Route #{k}: {' '.join(map(str, route))}")
        print(f"Distance: {shown['distance']:.1f}")
        print(f"Vehicles: {shown['vehicles']}  feasible: {shown['feasible']}  engine: {shown['engine']}")
        for violation in shown["violations"]:
            print(f"violation: {violation}")
    return 0 if plan.feasible else 1


if __name__ == "__main__":
    sys.exit(main())
