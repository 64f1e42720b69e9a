"""Who may use the orders API: dispatchers and admins (with a bearer token or a session)."""

from tests.routes.access import ADMIN, DISPATCHER, MANAGER

DESK = {DISPATCHER, ADMIN}
READERS = DESK | {MANAGER}  # a manager reads the orders of their clients

RULES = {
    ("GET", "/api/v1/orders"): READERS,
    ("POST", "/api/v1/orders"): DESK,
    ("POST", "/api/v1/orders/bulk"): DESK,
    ("GET", "/api/v1/orders/{order_id:int}"): READERS,
    ("PATCH", "/api/v1/orders/{order_id:int}"): DESK,
    ("POST", "/api/v1/orders/{order_id:int}/cancel"): DESK,
    ("POST", "/api/v1/orders/{order_id:int}/reopen"): DESK,
    ("POST", "/api/v1/orders/{order_id:int}/status"): DESK,
    ("GET", "/api/v1/orders/{order_id:int}/events"): READERS,
    ("POST", "/api/v1/quotes"): DESK,
    ("POST", "/api/v1/dispatch/assign"): DESK,
    ("POST", "/api/v1/dispatch/unassign"): DESK,
}
