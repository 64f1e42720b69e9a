"""Finding an address on the map: a small client for a Nominatim-style search API at GEOCODER_URL.

    await geocode("8 Rue Cler, Paris") -> [Place(label, lat, lon), ...]

Answers are cached in the database (GeocodeCache), so the same address is asked once whichever process asks.
Without GEOCODER_URL the dispatcher places the pin by hand; `geocode` then raises GeocoderUnavailable, as it
does when the service is down or answers nonsense — never a stack trace on the page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import httpx

from app.config import get_settings
from tables.geocoding import GeocodeCache

TIMEOUT_S = 5.0
USER_AGENT = "Waybill delivery CRM (geocoding addresses of orders)"


class GeocoderUnavailable(Exception):
    """No geocoder configured, or it did not answer usefully."""


@dataclass(frozen=True)
class Place:
    label: str
    lat: float
    lon: float


def cache_key(query: str, language: str) -> str:
    return f"{language}:{' '.join(query.lower().split())}"[:300]


class Geocoder:
    """`search` asks the service (no cache); `geocode` looks in the cache first."""

    def __init__(self, base_url: str, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.transport = transport

    async def search(self, query: str, language: str = "en", limit: int = 5) -> list[Place]:
        params = {"q": query, "format": "jsonv2", "limit": str(limit), "addressdetails": "0"}
        headers = {"User-Agent": USER_AGENT, "Accept-Language": language}
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_S, transport=self.transport) as client:
                response = await client.get(f"{self.base_url}/search", params=params, headers=headers)
                response.raise_for_status()
                rows = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise GeocoderUnavailable(str(exc)) from exc
        if not isinstance(rows, list):
            raise GeocoderUnavailable("unexpected answer")
        places = []
        for row in rows[:limit]:
            try:
                places.append(Place(label=str(row["display_name"]), lat=float(row["lat"]), lon=float(row["lon"])))
            except (KeyError, TypeError, ValueError):
                continue
        return places

    async def geocode(self, query: str, language: str = "en") -> list[Place]:
        query = query.strip()
        if not query:
            return []
        key = cache_key(query, language)
        cached = await GeocodeCache.select(GeocodeCache.results).where(GeocodeCache.query_key == key).output(
            load_json=True).first()
        if cached is not None:
            return [Place(**row) for row in cached["results"]]
        places = await self.search(query, language)
        await GeocodeCache.insert(GeocodeCache(query_key=key, results=[asdict(place) for place in places])).on_conflict(
            action="DO NOTHING")
        return places


def configured() -> Geocoder | None:
    url = get_settings().geocoder_url
    return Geocoder(url) if url else None


async def geocode(query: str, language: str = "en") -> list[Place]:
    geocoder = configured()
    if geocoder is None:
        raise GeocoderUnavailable("no geocoder configured")
    return await geocoder.geocode(query, language)
