"""The order's life as a state machine written as a plain table, shared by the dispatcher's screens, the
courier's offline sync and the API.

    new → assigned → picked up → out for delivery → delivered
                                                  ↘ failed attempt → re-attempt (assigned) | returned
    cancelled: by a dispatcher, before delivery.   reopen: a dispatcher's audited step back from an end state.

Couriers only move an order forwards. A courier's change that arrives after a later one (phones sync late) is
*superseded*, not an error: rank never goes down, except by a dispatcher's re-attempt or reopen. A delivery
with proof beats a concurrent cancel: cancelling a delivered order is refused ("already delivered").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l

NEW, ASSIGNED, PICKED_UP, OUT_FOR_DELIVERY = "new", "assigned", "picked_up", "out_for_delivery"
DELIVERED, FAILED, RETURNED, CANCELLED = "delivered", "failed", "returned", "cancelled"

STATUSES = (NEW, ASSIGNED, PICKED_UP, OUT_FOR_DELIVERY, DELIVERED, FAILED, RETURNED, CANCELLED)

STATUS_NAMES = {
    NEW: _l("New"),
    ASSIGNED: _l("Assigned"),
    PICKED_UP: _l("Picked up"),
    OUT_FOR_DELIVERY: _l("Out for delivery"),
    DELIVERED: _l("Delivered"),
    FAILED: _l("Failed attempt"),
    RETURNED: _l("Returned"),
    CANCELLED: _l("Cancelled"),
}

# Progress of an order: a courier's update never lowers it.
RANK = {NEW: 0, ASSIGNED: 1, PICKED_UP: 2, OUT_FOR_DELIVERY: 3, DELIVERED: 4, FAILED: 4, RETURNED: 5,
        CANCELLED: 6}

END_STATES = frozenset({DELIVERED, RETURNED, CANCELLED})
OPEN_STATES = frozenset({NEW, ASSIGNED, PICKED_UP, OUT_FOR_DELIVERY, FAILED})


class By(str, Enum):
    """Who makes a transition."""

    DISPATCH = "dispatch"  # a dispatcher or admin (or the optimizer acting for them)
    COURIER = "courier"
    SYSTEM = "system"


# (from, to) -> who may make that step. Anything absent is not a step of the machine.
TRANSITIONS: dict[tuple[str, str], frozenset[By]] = {
    (NEW, ASSIGNED): frozenset({By.DISPATCH, By.SYSTEM}),
    (ASSIGNED, NEW): frozenset({By.DISPATCH}),  # unassign
    (ASSIGNED, PICKED_UP): frozenset({By.COURIER}),
    (ASSIGNED, OUT_FOR_DELIVERY): frozenset({By.COURIER}),
    (PICKED_UP, OUT_FOR_DELIVERY): frozenset({By.COURIER}),
    (ASSIGNED, DELIVERED): frozenset({By.COURIER}),
    (PICKED_UP, DELIVERED): frozenset({By.COURIER}),
    (OUT_FOR_DELIVERY, DELIVERED): frozenset({By.COURIER}),
    (ASSIGNED, FAILED): frozenset({By.COURIER}),
    (PICKED_UP, FAILED): frozenset({By.COURIER}),
    (OUT_FOR_DELIVERY, FAILED): frozenset({By.COURIER}),
    (FAILED, ASSIGNED): frozenset({By.DISPATCH}),  # re-attempt
    (FAILED, RETURNED): frozenset({By.COURIER, By.DISPATCH}),
    (NEW, CANCELLED): frozenset({By.DISPATCH}),
    (ASSIGNED, CANCELLED): frozenset({By.DISPATCH}),
    (PICKED_UP, CANCELLED): frozenset({By.DISPATCH}),
    (OUT_FOR_DELIVERY, CANCELLED): frozenset({By.DISPATCH}),
    (FAILED, CANCELLED): frozenset({By.DISPATCH}),
}

# A dispatcher's audited reopen: from an end state (or a failed attempt) back to work.
REOPEN_FROM = frozenset({DELIVERED, FAILED, RETURNED, CANCELLED})
REOPEN_TO = frozenset({NEW, ASSIGNED})


class Outcome(str, Enum):
    APPLY = "apply"
    SUPERSEDED = "superseded"  # valid but stale: a later status is already recorded
    SAME = "same"  # already in that status: nothing to do (a repeat)


@dataclass(frozen=True)
class InvalidTransition(Exception):
    current: str
    target: str
    reason: str

    def __str__(self) -> str:
        return self.reason


def status_name(status: str) -> str:
    return str(STATUS_NAMES.get(status, status))


def decide(current: str, target: str, by: By) -> Outcome:
    """What to do with a request to move an order from `current` to `target`; raises InvalidTransition."""
    if target not in STATUSES:
        raise InvalidTransition(current, target, _("Unknown status %(status)s.", status=target))
    if current == target:
        return Outcome.SAME
    allowed = TRANSITIONS.get((current, target))
    if allowed and by in allowed:
        return Outcome.APPLY
    if by == By.COURIER and current != CANCELLED and RANK[target] <= RANK[current] and target != CANCELLED:
        return Outcome.SUPERSEDED
    if target == CANCELLED and current == DELIVERED:
        raise InvalidTransition(current, target, _("This order is already delivered; it cannot be cancelled."))
    if current == CANCELLED and by == By.COURIER:
        raise InvalidTransition(current, target, _("This order was cancelled by dispatch."))
    raise InvalidTransition(current, target, _("An order cannot go from “%(current)s” to “%(target)s”.",
                                               current=status_name(current), target=status_name(target)))


def can_reopen(current: str, target: str) -> bool:
    return current in REOPEN_FROM and target in REOPEN_TO


def next_steps(current: str, by: By) -> list[str]:
    """The statuses a person in this position may move the order to (for buttons and menus)."""
    return [to for (frm, to), who in TRANSITIONS.items() if frm == current and by in who]
