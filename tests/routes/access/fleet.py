"""Who manages the fleet: admins and dispatchers."""

from tests.routes.access import ADMIN, DISPATCHER

FLEET = {DISPATCHER, ADMIN}

RULES = {
    ("GET", "/fleet"): FLEET,
    ("GET", "/fleet/{kind:str}/new"): FLEET,
    ("POST", "/fleet/{kind:str}"): FLEET,
    ("GET", "/fleet/{kind:str}/{item_id:int}"): FLEET,
    ("POST", "/fleet/{kind:str}/{item_id:int}"): FLEET,
}
