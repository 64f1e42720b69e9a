"""The installable app's two files that must sit at the site root: the service worker and the manifest."""

from __future__ import annotations

from litestar import get
from litestar.response import File, Response

from app.config import ROOT
from app.i18n import gettext as _
from app.security import PUBLIC, allow


@get("/sw.js", opt=allow(PUBLIC), include_in_schema=False, cache_control=None)
async def serve_service_worker() -> File:
    return File(path=ROOT / "web" / "sw.js", media_type="text/javascript", content_disposition_type="inline",
                headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"})


@get("/manifest.webmanifest", opt=allow(PUBLIC), include_in_schema=False)
async def serve_manifest() -> Response:
    manifest = {
        "name": "Waybill",
        "short_name": "Waybill",
        "description": _("Deliveries, routes and clients"),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f4e79",
        "icons": [
            {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
        ],
    }
    return Response(content=manifest, media_type="application/manifest+json")


HANDLERS = [serve_service_worker, serve_manifest]
