"""Benchmark files: parsed as written, distances by the DIMACS rule, solved from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.optimizer.solomon import read_solomon, to_problem, truncated_distances

ROOT = Path(__file__).resolve().parents[2]
SHARED_C101 = ROOT.parent / "shared" / "bench" / "solomon" / "C101.txt"

TINY = """TINY

VEHICLE
NUMBER     CAPACITY
  2          10

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0          0          0          0       1000          0
    1      3          4          6          0        100          5
    2      6          8          4          0        100          5
    3     -3         -4          6         20         30          5
"""


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "TINY.txt"
    path.write_text(TINY)
    return path


def test_the_file_gives_fleet_capacity_depot_and_customers(tiny_file):
    instance = read_solomon(tiny_file)
    assert (instance.name, instance.vehicles, instance.capacity) == ("TINY", 2, 10)
    assert instance.depot.due == 1000
    assert [c.number for c in instance.customers] == [1, 2, 3]
    assert instance.customers[2].ready == 20 and instance.customers[2].service == 5


def test_distances_are_truncated_to_one_decimal_in_tenths():
    tenths = truncated_distances([(0, 0), (1, 1), (3, 4), (2, 2)])
    assert tenths[0, 1] == 14  # sqrt(2) = 1.414...
    assert tenths[0, 2] == 50  # exactly 5: no tenth lost to rounding
    assert tenths[0, 3] == 28  # sqrt(8) = 2.828...
    assert np.array_equal(tenths, tenths.T)


def test_the_benchmark_becomes_a_problem_in_tenths(tiny_file):
    problem = to_problem(read_solomon(tiny_file))
    assert len(problem.vehicles) == 2 and problem.vehicles[0].shift_end == 10_000
    assert problem.stops[0].due == 1000 and problem.stops[0].service == 50
    assert problem.unplanned_penalty is None


@pytest.mark.skipif(not SHARED_C101.exists(), reason="shared benchmark files not present")
def test_a_published_instance_is_read_whole():
    instance = read_solomon(SHARED_C101)
    assert (instance.vehicles, instance.capacity, len(instance.customers)) == (25, 200, 100)


def test_the_command_line_prints_routes_and_distance(tiny_file):
    result = subprocess.run(
        [sys.executable, "-m", "app.optimizer", "solomon", str(tiny_file), "--seconds", "0.5", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["feasible"] is True
    # 6 + 4 + 6 > 10: one van takes 1 and 2 along the ray, the other goes the other way
    assert sorted(sorted(r) for r in shown["routes"]) == [[1, 2], [3]]
    assert shown["distance"] == 20.0 + 10.0


def test_the_command_line_reads_like_a_solution_file(tiny_file):
    result = subprocess.run(
        [sys.executable, "-m", "app.optimizer", "solomon", str(tiny_file), "--seconds", "0.3"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert "Route #1:" in result.stdout
    assert "Distance: 30.0" in result.stdout
