"""Who may call the calendar's routes: managers and admins; the iCal feed answers anyone holding its token."""

from tests.routes.access import ADMIN, EVERYONE, MANAGER

RULES = {
    ("GET", "/calendar"): {MANAGER, ADMIN},
    ("POST", "/calendar/activities/{activity_id:int}/move"): {MANAGER, ADMIN},
    ("GET", "/calendar/feed"): {MANAGER, ADMIN},
    ("POST", "/calendar/feed"): {MANAGER, ADMIN},
    ("GET", "/calendar/ical/{token:str}"): EVERYONE,
}
