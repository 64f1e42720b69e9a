"""How far and how long between places: the embedded estimate, or OSRM's `/table` when configured.

The embedded estimate needs no server: great-circle distance times a detour factor
(streets are not straight lines; ~1.3 in a city grid) and a typical door-to-door
speed per vehicle type. With `OSRM_URL` set, the road network answers instead; its
tables are cached (per profile and exact list of points) because a dispatcher
re-optimizes the same day's places many times.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import httpx
import numpy as np

from app.optimizer.model import TravelMatrix

EARTH_RADIUS_M = 6_371_000
DETOUR_FACTOR = 1.3
SPEED_KMH: dict[str, float] = {
    "car": 30.0,
    "van": 27.0,
    "truck": 22.0,
    "scooter": 25.0,
    "bicycle": 14.0,
    "foot": 4.5,
}
"""Average city speeds, stops and lights included, per vehicle type."""

UNREACHABLE = 10**8
"""Metres or seconds standing for "no road": large enough that no plan uses it, small enough to add."""

Point = tuple[float, float]
"""(latitude, longitude) in degrees."""


def great_circle_metres(points: Sequence[Point]) -> np.ndarray:
    """Haversine distance between every two points, in metres (floats)."""
    lat, lon = np.radians(np.array(points, dtype=float)).T
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def estimated_matrices(
    points: Sequence[Point],
    profiles: Sequence[str],
    detour: float = DETOUR_FACTOR,
    speed_kmh: dict[str, float] | None = None,
) -> dict[str, TravelMatrix]:
    """Road distance ~ great circle x detour; time = that distance at the vehicle type's speed."""
    speeds = {**SPEED_KMH, **(speed_kmh or {})}
    distance = np.rint(great_circle_metres(points) * detour).astype(np.int64)
    return {
        profile: TravelMatrix(distance=distance, duration=np.rint(distance / (speeds[profile] / 3.6)).astype(np.int64))
        for profile in profiles
    }


class OsrmTable:
    """Client of OSRM's `/table/v1/{profile}` service, asking in blocks and caching whole answers.

    OSRM servers limit table size (`--max-table-size`, 100 by default), so big
    matrices are assembled from `block` x `block` requests.
    """

    def __init__(
        self,
        base_url: str,
        cache_dir: str | Path | None = None,
        memory_entries: int = 16,
        block: int = 100,
        timeout: float = 30.0,
        client: httpx.Client | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.memory: OrderedDict[str, TravelMatrix] = OrderedDict()
        self.memory_entries = memory_entries
        self.block = block
        self.client = client or httpx.Client(timeout=timeout)
        self.requests_sent = 0
        self._lock = threading.Lock()

    def matrix(self, points: Sequence[Point], profile: str = "car") -> TravelMatrix:
        """Metres and seconds between every two points along the road network.

        Blocking (HTTP): callers on an event loop run it in a thread; the lock keeps the cache whole."""
        key = _cache_key(self.base_url, profile, points)
        with self._lock:
            cached = self._recall(key)
            if cached is not None:
                return cached
            answer = self._ask(points, profile)
            self._remember(key, answer)
            return answer

    def matrices(self, points: Sequence[Point], profiles: Sequence[str]) -> dict[str, TravelMatrix]:
        return {profile: self.matrix(points, profile) for profile in profiles}

    def _ask(self, points: Sequence[Point], profile: str) -> TravelMatrix:
        n = len(points)
        distance = np.zeros((n, n), dtype=np.int64)
        duration = np.zeros((n, n), dtype=np.int64)
        for rows in _blocks(n, self.block):
            for cols in _blocks(n, self.block):
                dist, dur = self._ask_block(points, profile, rows, cols)
                distance[rows.start : rows.stop, cols.start : cols.stop] = dist
                duration[rows.start : rows.stop, cols.start : cols.stop] = dur
        return TravelMatrix(distance=distance, duration=duration)

    def _ask_block(self, points: Sequence[Point], profile: str, rows: range, cols: range):
        """One `/table` request: the block's points only, with sources and destinations by position."""
        chosen = sorted(set(rows) | set(cols))
        position = {p: k for k, p in enumerate(chosen)}
        coordinates = ";".join(f"{points[p][1]:.6f},{points[p][0]:.6f}" for p in chosen)
        response = self.client.get(
            f"{self.base_url}/table/v1/{profile}/{coordinates}",
            params={
                "annotations": "distance,duration",
                "sources": ";".join(str(position[r]) for r in rows),
                "destinations": ";".join(str(position[c]) for c in cols),
            },
        )
        self.requests_sent += 1
        response.raise_for_status()
        body = response.json()
        if body.get("code") != "Ok":
            raise OsrmError(f"OSRM answered {body.get('code')}: {body.get('message', '')}")
        return _integers(body["distances"]), _integers(body["durations"])

    def _recall(self, key: str) -> TravelMatrix | None:
        if key in self.memory:
            self.memory.move_to_end(key)
            return self.memory[key]
        path = self._path(key)
        if path is None or not path.exists():
            return None
        with np.load(path) as stored:
            matrix = TravelMatrix(distance=stored["distance"], duration=stored["duration"])
        self._remember_in_memory(key, matrix)
        return matrix

    def _remember(self, key: str, matrix: TravelMatrix) -> None:
        self._remember_in_memory(key, matrix)
        path = self._path(key)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez_compressed(path, distance=matrix.distance, duration=matrix.duration)

    def _remember_in_memory(self, key: str, matrix: TravelMatrix) -> None:
        self.memory[key] = matrix
        while len(self.memory) > self.memory_entries:
            self.memory.popitem(last=False)

    def _path(self, key: str) -> Path | None:
        return self.cache_dir / f"{key}.npz" if self.cache_dir else None


class OsrmError(RuntimeError):
    """OSRM could not answer (no route service, bad coordinates ...)."""


def _blocks(n: int, size: int) -> list[range]:
    return [range(k, min(n, k + size)) for k in range(0, n, size)]


def _integers(rows: list[list[float | None]]) -> np.ndarray:
    """OSRM's floats (or null for no route) as whole metres / seconds."""
    return np.array([[UNREACHABLE if x is None else round(x) for x in row] for row in rows], dtype=np.int64)


def _cache_key(base_url: str, profile: str, points: Sequence[Point]) -> str:
    text = json.dumps([base_url, profile, [[round(a, 6), round(b, 6)] for a, b in points]])
    return hashlib.sha256(text.encode()).hexdigest()


def travel_matrices(
    points: Sequence[Point],
    profiles: Sequence[str],
    osrm: OsrmTable | None = None,
) -> dict[str, TravelMatrix]:
    """The matrices the optimizer needs: from OSRM when a client is given, else the embedded estimate."""
    if osrm is not None:
        return osrm.matrices(points, profiles)
    return estimated_matrices(points, profiles)
