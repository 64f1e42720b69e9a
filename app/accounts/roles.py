"""The five roles, where each lands after login, and what each may see in the navigation."""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import lazy_gettext as _l

ADMIN = "admin"
MANAGER = "manager"
DISPATCHER = "dispatcher"
COURIER = "courier"
ACCOUNTANT = "accountant"

ROLES = (ADMIN, MANAGER, DISPATCHER, COURIER, ACCOUNTANT)
STAFF = frozenset(ROLES)

ROLE_NAMES = {
    ADMIN: _l("Administrator"),
    MANAGER: _l("Manager"),
    DISPATCHER: _l("Dispatcher"),
    COURIER: _l("Courier"),
    ACCOUNTANT: _l("Accountant"),
}

HOME = {
    COURIER: "/courier",
    DISPATCHER: "/board",
    MANAGER: "/crm",
    ACCOUNTANT: "/finance",
    ADMIN: "/admin/users",
}


@dataclass(frozen=True)
class NavItem:
    path: str
    label: object
    roles: frozenset[str]
    supervisors: bool = False  # also for a manager who supervises other people


NAVIGATION = (
    NavItem("/courier", _l("My route"), frozenset({COURIER})),
    NavItem("/board", _l("Board"), frozenset({DISPATCHER, ADMIN})),
    NavItem("/orders", _l("Orders"), frozenset({DISPATCHER, ADMIN, MANAGER})),
    NavItem("/fleet", _l("Fleet"), frozenset({DISPATCHER, ADMIN})),
    NavItem("/pricing", _l("Price lists"), frozenset({DISPATCHER, ADMIN})),
    NavItem("/crm", _l("Clients"), frozenset({MANAGER, ADMIN})),
    NavItem("/calendar", _l("Calendar"), frozenset({MANAGER, ADMIN})),
    NavItem("/finance", _l("Finance"), frozenset({ACCOUNTANT, ADMIN})),
    NavItem("/reports", _l("Reports"), frozenset({DISPATCHER, ADMIN, ACCOUNTANT}), supervisors=True),
    NavItem("/admin/users", _l("Users"), frozenset({ADMIN})),
    NavItem("/admin/audit", _l("Audit log"), frozenset({ADMIN})),
    NavItem("/notifications/templates", _l("Client messages"), frozenset({ADMIN})),
)


def navigation_for(role: str, supervises: bool = False) -> list[NavItem]:
    """`supervises`: a manager who supervises other people (their team's leader) sees a little more."""
    return [item for item in NAVIGATION
            if role in item.roles or (supervises and role == MANAGER and item.supervisors)]


def home_for(role: str) -> str:
    return HOME.get(role, "/account")
