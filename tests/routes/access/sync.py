"""Who may call the courier phone's sync API: couriers only (each for their own phone; tested in tests/sync)."""

from tests.routes.access import COURIER

RULES = {
    ("POST", "/api/v1/sync/push"): {COURIER},
    ("GET", "/api/v1/sync/pull"): {COURIER},
    ("PUT", "/api/v1/sync/blobs/{sha256:str}"): {COURIER},
}
