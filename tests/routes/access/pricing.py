"""Who manages price lists: admins and dispatchers."""

from tests.routes.access import ADMIN, DISPATCHER

DESK = {DISPATCHER, ADMIN}

RULES = {
    ("GET", "/pricing"): DESK,
    ("POST", "/pricing"): DESK,
    ("GET", "/pricing/{list_id:int}"): DESK,
    ("POST", "/pricing/{list_id:int}"): DESK,
    ("POST", "/pricing/{list_id:int}/default"): DESK,
    ("POST", "/pricing/{list_id:int}/rules"): DESK,
    ("POST", "/pricing/{list_id:int}/rules/{rule_id:int}/delete"): DESK,
    ("POST", "/pricing/{list_id:int}/clients"): DESK,
}
