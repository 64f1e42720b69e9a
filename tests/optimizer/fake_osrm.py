"""A local stand-in for an OSRM server's /table service (no network in tests)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


class FakeOsrm(BaseHTTPRequestHandler):
    """Answers /table like OSRM: 1 km per degree of latitude, 100 s per km; nothing reaches longitude 89."""

    requests: list[str] = []
    gate: threading.Event | None = None
    """When set by a test, each answer waits for it (up to 10 s); `released` records whether it opened."""
    released: list[bool] = []

    def do_GET(self):  # noqa: N802 - the http.server interface
        url = urlsplit(self.path)
        FakeOsrm.requests.append(url.path)
        if FakeOsrm.gate is not None:
            FakeOsrm.released.append(FakeOsrm.gate.wait(10))
        profile, coordinates = url.path.split("/")[3], url.path.split("/")[4]
        if profile == "broken":
            return self._answer({"code": "InvalidQuery", "message": "no such profile"})
        points = [tuple(map(float, c.split(","))) for c in coordinates.split(";")]
        query = parse_qs(url.query)
        sources = [int(i) for i in query["sources"][0].split(";")]
        destinations = [int(i) for i in query["destinations"][0].split(";")]
        distances = [[self._km(points[s], points[d]) * 1000.4 for d in destinations] for s in sources]
        for row, s in zip(distances, sources):
            for k, d in enumerate(destinations):
                if 89 in (points[s][0], points[d][0]) and s != d:
                    row[k] = None
        durations = [[None if x is None else x / 10 for x in row] for row in distances]
        self._answer({"code": "Ok", "distances": distances, "durations": durations})

    @staticmethod
    def _km(a, b) -> float:
        return abs(a[1] - b[1])

    def _answer(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def osrm_url():
    FakeOsrm.requests, FakeOsrm.gate, FakeOsrm.released = [], None, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOsrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    if FakeOsrm.gate is not None:
        FakeOsrm.gate.set()
    server.shutdown()
    server.server_close()
