"""HTTP controllers, one module per area. Thin: parse, guard, call the domain, render.

Each module lists its handlers in `HANDLERS`; they are collected here, so adding an area is adding a module.
"""

import importlib
import pkgutil

ROUTE_HANDLERS = []
for _module in sorted(info.name for info in pkgutil.iter_modules(__path__)):
    ROUTE_HANDLERS.extend(getattr(importlib.import_module(f"{__name__}.{_module}"), "HANDLERS", []))
