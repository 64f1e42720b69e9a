"""Who may use the dispatcher's board (GET /board itself is in foundation.py)."""

from tests.routes.access import ADMIN, DISPATCHER

BOARD = {DISPATCHER, ADMIN}

RULES = {
    ("GET", "/board/orders"): BOARD,
    ("GET", "/board/live"): BOARD,
    ("GET", "/board/map.json"): BOARD,
    ("GET", "/board/routes/{courier_id:int}"): BOARD,
    ("POST", "/board/assign"): BOARD,
    ("POST", "/board/routes/{route_id:int}/order"): BOARD,
    ("POST", "/board/stops/{stop_id:int}/step"): BOARD,
    ("POST", "/board/move"): BOARD,
}
