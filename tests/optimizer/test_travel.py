"""Travel times: the built-in estimate, and an OSRM server's tables fetched in blocks and cached."""

from __future__ import annotations

import pytest

from app.optimizer import OsrmTable, estimated_matrices, travel_matrices
from app.optimizer.travel import UNREACHABLE, OsrmError
from tests.optimizer.fake_osrm import FakeOsrm, osrm_url  # noqa: F401 - the fixture

PARIS, LYON = (48.8566, 2.3522), (45.7640, 4.8357)


def test_the_estimate_is_the_great_circle_with_a_detour_at_the_vehicles_speed():
    matrices = estimated_matrices([PARIS, LYON], ["car", "bicycle"])
    road = matrices["car"].distance[0, 1]
    assert 390_000 * 1.3 < road < 394_000 * 1.3
    assert matrices["car"].distance[1, 0] == road and matrices["car"].distance[0, 0] == 0
    assert matrices["bicycle"].duration[0, 1] > 2 * matrices["car"].duration[0, 1]


POINTS = [(0.0, 10.0), (1.0, 10.0), (3.0, 10.0)]


def test_a_dispatcher_with_osrm_gets_road_distances_and_times(osrm_url):
    matrix = OsrmTable(osrm_url).matrix(POINTS, "car")
    assert matrix.distance.tolist() == [[0, 1000, 3001], [1000, 0, 2001], [3001, 2001, 0]]
    assert matrix.duration[0, 2] == 300


def test_big_tables_are_asked_for_in_blocks_the_server_accepts(osrm_url):
    osrm = OsrmTable(osrm_url, block=2)
    matrix = osrm.matrix(POINTS, "car")
    assert osrm.requests_sent == 4
    assert matrix.distance[2, 0] == 3001 and matrix.distance[0, 2] == 3001


def test_asking_again_for_the_same_places_uses_the_cache(osrm_url, tmp_path):
    osrm = OsrmTable(osrm_url, cache_dir=tmp_path)
    first = osrm.matrix(POINTS, "car")
    again = osrm.matrix(POINTS, "car")
    assert osrm.requests_sent == 1 and again is first
    another_worker = OsrmTable(osrm_url, cache_dir=tmp_path)
    assert another_worker.matrix(POINTS, "car").distance.tolist() == first.distance.tolist()
    assert another_worker.requests_sent == 0
    assert len(FakeOsrm.requests) == 1


def test_a_place_without_road_is_unreachable_not_free(osrm_url):
    matrix = OsrmTable(osrm_url).matrix([(0.0, 10.0), (0.0, 89.0)], "car")
    assert matrix.distance[0, 1] == UNREACHABLE and matrix.duration[1, 0] == UNREACHABLE


def test_an_osrm_refusal_is_an_error_not_a_silent_zero(osrm_url):
    with pytest.raises(OsrmError, match="InvalidQuery"):
        OsrmTable(osrm_url).matrix(POINTS, "broken")


def test_without_osrm_the_estimate_is_used():
    assert set(travel_matrices([PARIS, LYON], ["car"])) == {"car"}
