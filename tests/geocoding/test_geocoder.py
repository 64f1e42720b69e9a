"""The geocoder client against a fake Nominatim on 127.0.0.1: it finds, it caches, it fails politely."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from app.geocoding import Geocoder, GeocoderUnavailable, Place


class FakeNominatim(BaseHTTPRequestHandler):
    calls: list[dict] = []
    broken = False

    def do_GET(self):  # noqa: N802 (http.server's name)
        url = urlparse(self.path)
        query = parse_qs(url.query)
        type(self).calls.append({"path": url.path, **{key: value[0] for key, value in query.items()},
                                 "language": self.headers.get("Accept-Language")})
        if type(self).broken:
            self.send_response(503)
            self.end_headers()
            return
        body = [{"display_name": "8 Rue Cler, 75007 Paris, France", "lat": "48.8560", "lon": "2.3065"},
                {"display_name": "no coordinates here"}] if "cler" in query["q"][0].lower() else []
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def nominatim():
    FakeNominatim.calls, FakeNominatim.broken = [], False
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", FakeNominatim
    server.shutdown()
    server.server_close()


async def test_an_address_is_found_and_asked_of_the_service_only_once(nominatim):
    url, fake = nominatim
    geocoder = Geocoder(url)
    first = await geocoder.geocode("8 Rue Cler, Paris", language="fr")
    again = await geocoder.geocode("  8 rue cler,   PARIS ", language="fr")
    assert first == again == [Place("8 Rue Cler, 75007 Paris, France", 48.856, 2.3065)]  # the bad row is skipped
    assert len(fake.calls) == 1
    assert fake.calls[0]["path"] == "/search" and fake.calls[0]["format"] == "jsonv2"
    assert fake.calls[0]["language"] == "fr"


async def test_nothing_found_is_an_empty_answer_and_is_cached_too(nominatim):
    url, fake = nominatim
    geocoder = Geocoder(url)
    assert await geocoder.geocode("Nowhere street 999") == []
    assert await geocoder.geocode("Nowhere street 999") == []
    assert len(fake.calls) == 1


async def test_a_service_that_is_down_says_so_and_caches_nothing(nominatim):
    url, fake = nominatim
    fake.broken = True
    geocoder = Geocoder(url)
    with pytest.raises(GeocoderUnavailable):
        await geocoder.geocode("8 Rue Cler")
    fake.broken = False
    assert len(await geocoder.geocode("8 Rue Cler")) == 1


async def test_a_geocoder_that_does_not_answer_at_all_is_unavailable():
    with pytest.raises(GeocoderUnavailable):
        await Geocoder("http://127.0.0.1:9").search("8 Rue Cler")


async def test_the_order_form_finds_addresses_or_says_to_use_the_pin(client, signed_in, nominatim, monkeypatch):
    await signed_in("dispatcher")
    without = (await client.get("/orders/geocode?q=8 Rue Cler")).json()
    assert without["results"] == [] and "drag the pin" in without["message"]
    url, _fake = nominatim
    monkeypatch.setattr("app.geocoding.configured", lambda: Geocoder(url))
    found = (await client.get("/orders/geocode?q=8 Rue Cler")).json()
    assert found["results"] == [{"label": "8 Rue Cler, 75007 Paris, France", "lat": 48.856, "lon": 2.3065}]
