"""Who may word messages, switch triggers, revoke a tracking link, add push devices, and report SMS delivery."""

from tests.routes.access import ADMIN, DISPATCHER, EVERYONE, STAFF

RULES = {
    ("GET", "/notifications/templates"): {ADMIN},
    ("GET", "/notifications/templates/{trigger:str}/{channel:str}/{locale:str}"): {ADMIN},
    ("POST", "/notifications/templates/{trigger:str}/{channel:str}/{locale:str}"): {ADMIN},
    ("POST", "/notifications/templates/{trigger:str}/{channel:str}/{locale:str}/reset"): {ADMIN},
    ("POST", "/notifications/templates/preview"): {ADMIN},
    ("GET", "/notifications/triggers"): {ADMIN},
    ("POST", "/notifications/triggers"): {ADMIN},
    ("POST", "/notifications/orders/{order_id:int}/revoke-link"): {DISPATCHER, ADMIN},
    ("GET", "/notifications/devices"): STAFF,
    ("POST", "/notifications/devices"): STAFF,
    ("POST", "/notifications/devices/remove"): STAFF,
    # The gateway has no session: a shared secret guards it (tests/notifications/test_sms.py checks it). With no
    # secret configured, as here, the callback is off and answers 503 to everyone alike.
    ("POST", "/api/v1/notifications/sms-status"): EVERYONE,
}
