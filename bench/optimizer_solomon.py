"""Solomon and Gehring-Homberger VRPTW benchmark of the route optimizer, side by side with plain engines.

    python bench/optimizer_solomon.py [--seconds 10] [--jobs 2] [--only R1,RC2] [--no-baselines]

Every instance in ../shared/bench/solomon/ and ../shared/bench/gh200/ is solved by the
Waybill portfolio, by plain OR-Tools (PATH_CHEAPEST_ARC + guided local search) and by
plain PyVRP, each with the same time on one core. By default the seconds are the
solving process's own CPU seconds, so other work on the machine does not shrink
them; `--clock wall` counts wall-clock seconds instead. Every plan is checked by the
optimizer's own evaluator (each customer once, capacity, windows, depot closing).
The gap is to the best known distance (bks.csv rows with objective=distance; where a
set has no such row, the hierarchical best known is used and marked with *).

Exits non-zero when a target is missed: every portfolio plan feasible, mean gap
<= 0.3 % and worst <= 1.5 % over Solomon, worst <= 2 % on the 200-customer ones.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.optimizer.__main__ import report, solve_solomon  # noqa: E402

SHARED = ROOT.parent / "shared" / "bench"
SETS = {"solomon": SHARED / "solomon", "gh200": SHARED / "gh200"}
TARGETS = {"solomon": {"mean": 0.3, "worst": 1.5}, "gh200": {"mean": None, "worst": 2.0}}
ENGINES = ("portfolio", "ortools", "pyvrp")


def best_known(folder: Path) -> dict[str, tuple[float, bool]]:
    """Instance -> (best known distance, whether it is a distance-objective figure)."""
    rows = list(csv.DictReader((folder / "bks.csv").open()))
    found = {r["instance"]: (float(r["distance"]), False) for r in rows}
    found.update({r["instance"]: (float(r["distance"]), True) for r in rows if r["objective"].strip() == "distance"})
    return found


def instances(only: list[str]) -> list[tuple[str, Path]]:
    chosen = []
    for set_name, folder in SETS.items():
        for path in sorted(folder.glob("*.txt")):
            if not only or any(path.stem.lower().startswith(o.lower()) or o.lower() == set_name for o in only):
                chosen.append((set_name, path))
    return chosen


def run_one(task: tuple[str, str, float, str]) -> dict:
    """Solve one instance with one engine in this worker process."""
    path, engine, seconds, clock = task
    started = time.perf_counter()
    name, plan = solve_solomon(path, seconds, engine, clock=clock)
    shown = report(name, plan)
    shown["seconds"] = round(time.perf_counter() - started, 1)
    shown["solved"] = bool(shown["routes"])
    shown["runner"] = engine
    return shown


def gap(distance: float, bks: float) -> float:
    return 100.0 * (distance / bks - 1.0)


def describe(result: dict | None, bks: float) -> str:
    if result is None:
        return f"{'-':>27}"
    if not result["solved"]:
        return f"{'no solution':>27}"
    mark = "ok " if result["feasible"] else "INF"
    return f"{mark} {result['vehicles']:>3} {result['distance']:>9.1f} {gap(result['distance'], bks):>+7.2f}%"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--jobs", type=int, default=1, help="instances solved in parallel (one core each)")
    parser.add_argument("--only", default="", help="comma-separated name prefixes (R1, RC201) or set names (solomon, gh200)")
    parser.add_argument("--no-baselines", action="store_true", help="skip plain OR-Tools and plain PyVRP")
    parser.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="count each solve's seconds on its own CPU time (default: a busy machine cannot starve it) or the wall",
    )
    args = parser.parse_args()
    only = [o.strip() for o in args.only.split(",") if o.strip()]
    engines = ENGINES[:1] if args.no_baselines else ENGINES
    chosen = instances(only)
    tasks = [(str(path), engine, args.seconds, args.clock) for engine in engines for _, path in chosen]
    print(
        f"{len(chosen)} instances x {len(engines)} engines at {args.seconds:g} s ({args.clock} clock) on one core each, "
        f"{args.jobs} in parallel; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    started = time.perf_counter()
    results = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for result in pool.map(run_one, tasks):
            results.append(result)
            print(f"  done {result['runner']:<9} {result['instance']:<8} feasible {result['feasible']} "
                  f"distance {result['distance']:.1f}", flush=True)
    by_key = {(r["instance"], r["runner"]): r for r in results}
    ok = print_report(chosen, engines, by_key)
    print(f"wall time {time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.1f}")
    return 0 if ok else 1


def print_report(chosen, engines, by_key) -> bool:
    """Per instance and per set: feasible, vehicles, distance, gap; then the targets."""
    known = {name: best_known(folder) for name, folder in SETS.items()}
    header = f"{'instance':<10} {'BKS':>9} " + " ".join(f"{e + ' (ok veh dist gap)':>27}" for e in engines)
    print(header + ("   dist ratio vs ortools / pyvrp" if len(engines) > 1 else ""))
    gaps: dict[str, dict[str, list[float]]] = {s: {e: [] for e in engines} for s in SETS}
    failures: dict[str, dict[str, int]] = {s: {e: 0 for e in engines} for s in SETS}
    ratios: dict[str, dict[str, list[float]]] = {s: {e: [] for e in engines[1:]} for s in SETS}
    for set_name, path in chosen:
        name = path.stem
        instance_key = _instance_name(by_key, path)
        bks, exact = known[set_name].get(name, (float("nan"), False))
        line = f"{name:<10} {bks:>8.1f}{' ' if exact else '*'} "
        line += " ".join(describe(by_key.get((instance_key, e)), bks) for e in engines)
        ours_engine = by_key.get((instance_key, "portfolio"), {}).get("engine", "")
        ours = by_key.get((instance_key, "portfolio"))
        for e in engines:
            r = by_key.get((instance_key, e))
            if r and r["solved"] and r["feasible"]:
                gaps[set_name][e].append(gap(r["distance"], bks))
            else:
                failures[set_name][e] += 1
        if len(engines) > 1 and ours and ours["feasible"]:
            parts = []
            for e in engines[1:]:
                other = by_key.get((instance_key, e))
                if other and other["solved"] and other["feasible"]:
                    ratio = ours["distance"] / other["distance"]
                    ratios[set_name][e].append(ratio)
                    parts.append(f"{ratio:.4f}")
                else:
                    parts.append("  n/a ")
            line += "   " + " / ".join(parts)
        print(line + f"  [{ours_engine}]")
    return print_summary(chosen, engines, gaps, failures, ratios)


def _instance_name(by_key, path: Path) -> str:
    """The name inside the file (e.g. 'c1_2_1') under which results were stored."""
    for instance, _engine in by_key:
        if instance.lower() == path.stem.lower():
            return instance
    return path.stem


def print_summary(chosen, engines, gaps, failures, ratios) -> bool:
    ok = True
    print()
    for set_name in SETS:
        count = sum(1 for s, _ in chosen if s == set_name)
        if not count:
            continue
        print(f"== {set_name}: {count} instances")
        for e in engines:
            g = gaps[set_name][e]
            mean = statistics.mean(g) if g else float("nan")
            worst = max(g) if g else float("nan")
            line = f"   {e:<10} feasible {len(g):>3}/{count}  mean gap {mean:+.3f}%  worst {worst:+.3f}%"
            if e in ratios[set_name] and ratios[set_name][e]:
                line += f"  portfolio/{e} distance ratio {statistics.mean(ratios[set_name][e]):.4f}"
            print(line)
        ok &= check_targets(set_name, gaps[set_name]["portfolio"], failures[set_name]["portfolio"])
    return ok


def check_targets(set_name: str, gaps: list[float], failures: int) -> bool:
    target = TARGETS[set_name]
    misses = []
    if failures:
        misses.append(f"{failures} plan(s) infeasible or missing")
    if gaps and target["mean"] is not None and statistics.mean(gaps) > target["mean"]:
        misses.append(f"mean gap {statistics.mean(gaps):.3f}% > {target['mean']}%")
    if gaps and max(gaps) > target["worst"]:
        misses.append(f"worst gap {max(gaps):.3f}% > {target['worst']}%")
    print(f"   target {set_name}: " + ("MET" if not misses else "MISSED: " + "; ".join(misses)))
    return not misses


if __name__ == "__main__":
    sys.exit(main())
