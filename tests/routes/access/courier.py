"""Who may open the courier's phone pages (GET /courier itself is in foundation.py). Record-level: a courier
sees only their own stops (tests/sync/test_courier_pages.py)."""

from tests.routes.access import COURIER

RULES = {
    ("GET", "/courier/stops/{stop_id:int}"): {COURIER},
    ("GET", "/courier/shift"): {COURIER},
    ("GET", "/courier/problems"): {COURIER},
}
