"""Why the server superseded, rejected or flagged a courier's action: stable codes (stored, sent to the phone)
with the sentence shown to the courier and the dispatcher in their own language."""

from __future__ import annotations

from app.i18n import lazy_gettext as _l
from app.orders.status import status_name

APPLIED, SUPERSEDED, REJECTED, DUPLICATE, GAP, FLAG = (
    "applied", "superseded", "rejected", "duplicate", "gap", "flag")

REASONS = {
    "invalid_args": _l("The phone sent something the server could not read (%(detail)s)."),
    "unknown_mutation": _l("This version of the app sent an action the server does not know: %(name)s."),
    "unknown_stop": _l("This stop no longer exists."),
    "unknown_order": _l("This order no longer exists."),
    "not_yours": _l("This stop was never on your route."),
    "stale_status": _l("The order was already “%(current)s”; your “%(target)s” came later and was kept as "
                       "history only."),
    "already_arrived": _l("Your arrival at this stop was already recorded."),
    "invalid_transition": _l("The order is “%(current)s”; it cannot become “%(target)s”."),
    "order_cancelled": _l("Dispatch cancelled this order before your action reached the server."),
    "reassigned": _l("Dispatch gave order %(reference)s to another courier; your action was kept and dispatch "
                     "was told."),
    "reassigned_to_you": _l("Order %(reference)s was delivered by another courier before it came to you."),
    "cash_mismatch": _l("Cash for order %(reference)s: %(collected)s collected, %(expected)s expected."),
    "clock_off": _l("The phone's clock is off by %(minutes)s minutes; please set it to automatic."),
    "server_error": _l("The server could not process this action; dispatch has been told."),
}

FAIL_REASONS = {
    "not_home": _l("Nobody at home"),
    "refused": _l("Refused by the recipient"),
    "wrong_address": _l("Wrong or incomplete address"),
    "closed": _l("Business closed"),
    "no_access": _l("Could not get in"),
    "damaged": _l("Parcel damaged"),
    "other": _l("Other"),
}

# What the end-of-shift summary calls each kind of action still waiting on the phone.
MUTATION_NAMES = {
    "stop.arrive": _l("Arrivals"),
    "stop.pick_up": _l("Pick-ups"),
    "stop.deliver": _l("Deliveries"),
    "stop.fail": _l("Failed attempts"),
    "cash.collect": _l("Payments"),
    "gps.track": _l("Positions"),
    "note.add": _l("Notes"),
    "address.suggest": _l("Address suggestions"),
}

RESULT_NAMES = {
    SUPERSEDED: _l("Kept as history"),
    REJECTED: _l("Not applied"),
    FLAG: _l("For dispatch"),
}


def explain(reason: str, params: dict | None = None) -> str:
    """The reason as a sentence in the current request's language."""
    params = dict(params or {})
    for key in ("current", "target"):
        if key in params:
            params[key] = status_name(params[key])
    template = REASONS.get(reason)
    if template is None:
        return reason
    try:
        return str(template) % params if params else str(template).replace("%%", "%")
    except (KeyError, ValueError, TypeError):
        return str(template)
