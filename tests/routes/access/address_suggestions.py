"""Who may answer a courier's address fix."""

from tests.routes.access import ADMIN, DISPATCHER

RULES = {
    ("POST", "/address-suggestions/{suggestion_id:int}/accept"): {DISPATCHER, ADMIN},
    ("POST", "/address-suggestions/{suggestion_id:int}/decline"): {DISPATCHER, ADMIN},
}
