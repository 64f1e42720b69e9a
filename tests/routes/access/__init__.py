"""The allow-matrix, one module per area: each defines RULES = {(METHOD, path template): roles allowed}.

test_route_matrix.py merges every module here, so an area adds its routes' rules without touching others'.
"""

import importlib
import pkgutil

ANON, ADMIN, MANAGER, DISPATCHER, COURIER, ACCOUNTANT = (
    "anonymous", "admin", "manager", "dispatcher", "courier", "accountant")
STAFF = frozenset({ADMIN, MANAGER, DISPATCHER, COURIER, ACCOUNTANT})
EVERYONE = STAFF | {ANON}


def all_rules() -> dict[tuple[str, str], set[str]]:
    merged: dict[tuple[str, str], set[str]] = {}
    for info in pkgutil.iter_modules(__path__):
        rules = importlib.import_module(f"{__name__}.{info.name}").RULES
        overlap = set(merged) & set(rules)
        assert not overlap, f"rules given twice: {overlap}"
        merged.update(rules)
    return merged
