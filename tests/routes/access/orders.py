"""Who may take and change orders on the HTML pages: dispatchers and admins."""

from tests.routes.access import ADMIN, DISPATCHER, MANAGER

DESK = {DISPATCHER, ADMIN}
READERS = DESK | {MANAGER}  # a manager reads the orders of their clients

RULES = {
    ("GET", "/orders"): READERS,
    ("POST", "/orders"): DESK,
    ("GET", "/orders/new"): DESK,
    ("POST", "/orders/quote"): DESK,
    ("GET", "/orders/geocode"): DESK,
    ("GET", "/orders/import"): DESK,
    ("POST", "/orders/import"): DESK,
    ("GET", "/orders/import/template.csv"): DESK,
    ("GET", "/orders/import/template.xlsx"): DESK,
    ("POST", "/orders/import/{import_id:int}/confirm"): DESK,
    ("GET", "/orders/export.csv"): READERS,
    ("GET", "/orders/export.xlsx"): READERS,
    ("GET", "/orders/{order_id:int}"): READERS,
    ("POST", "/orders/{order_id:int}"): DESK,
    ("GET", "/orders/{order_id:int}/edit"): DESK,
    ("POST", "/orders/{order_id:int}/status"): DESK,
    ("POST", "/orders/{order_id:int}/cancel"): DESK,
    ("POST", "/orders/{order_id:int}/reopen"): DESK,
    ("POST", "/orders/{order_id:int}/price"): DESK,
}
