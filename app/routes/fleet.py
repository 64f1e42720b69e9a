"""The fleet pages: depots, vehicles and couriers, managed by admins and dispatchers."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from app.accounts.roles import ADMIN, DISPATCHER
from app.db import writing
from app.errors import InvalidInput
from app.fleet import (
    PAGES,
    VEHICLE_TYPES,
    carriers,
    couriers_without_profile,
    fleet_overview,
    get_courier,
    get_depot,
    get_vehicle,
    save_courier,
    save_depot,
    save_vehicle,
)
from app.routes.forms import form_of
from app.security import actor_of, allow
from app.templating import fragment, page, wants_fragment
from tables.fleet import Depot, Vehicle

KINDS = {
    "depots": (get_depot, save_depot, "fleet/depot_form.html"),
    "vehicles": (get_vehicle, save_vehicle, "fleet/vehicle_form.html"),
    "couriers": (get_courier, save_courier, "fleet/courier_form.html"),
}


def _money_text(value: int) -> str:
    return f"{value / 100:.2f}"


def values_of(kind: str, row) -> dict:
    values = row.to_dict()
    if kind == "vehicles":
        for name in ("cost_per_km", "cost_per_hour", "fixed_cost"):
            values[name] = _money_text(values[name])
    if kind == "couriers":
        values["shift_start"] = row.shift_start.strftime("%H:%M")
        values["shift_end"] = row.shift_end.strftime("%H:%M")
    return values


async def fleet_form(kind: str, row, values: dict, errors: dict, status_code: int = 200) -> Template:
    return page(KINDS[kind][2], status_code=status_code, row=row, values=values, errors=errors,
                vehicle_types=VEHICLE_TYPES, depots=await Depot.select(Depot.id, Depot.name).order_by(Depot.name),
                vehicles=await Vehicle.select(Vehicle.id, Vehicle.name).order_by(Vehicle.name),
                people=await couriers_without_profile() if kind == "couriers" and row is None else [],
                carriers=await carriers() if kind == "couriers" else [])


async def _values(request: Request) -> dict:
    form = await form_of(request)
    return {key: form.get(key) for key in form.keys() if key != "_csrf_token"}


class FleetController(Controller):
    path = "/fleet"
    opt = allow(DISPATCHER, ADMIN)
    include_in_schema = False

    @get("/")
    async def show_fleet(self, request: Request, part: str = "", after: str = "") -> Template:
        """The three lists, a page each; "Show more" asks for the next page of one (`part`) after its cursor."""
        part = part if part in PAGES else ""
        if part and wants_fragment(request):
            return fragment(f"fleet/_{part}_rows.html", **{part: await PAGES[part](after)},
                            vehicle_types=VEHICLE_TYPES)
        return page("fleet/fleet.html", **await fleet_overview(part, after), vehicle_types=VEHICLE_TYPES)

    @get("/{kind:str}/new")
    async def new_item(self, kind: str) -> Template:
        self._known(kind)
        return await fleet_form(kind, None, {"is_active": True, "vehicle_type": "van", "shift_start": "08:00",
                                             "shift_end": "18:00"}, {})

    @post("/{kind:str}")
    async def add_item(self, request: Request, kind: str) -> Template | Redirect:
        _get, save, _template = self._known(kind)
        values = await _values(request)
        try:
            async with writing():
                await save(actor_of(request), values)
        except InvalidInput as exc:
            return await fleet_form(kind, None, values, exc.errors, status_code=422)
        return Redirect(path="/fleet")

    @get("/{kind:str}/{item_id:int}")
    async def show_item(self, kind: str, item_id: int) -> Template:
        get_row, _save, _template = self._known(kind)
        row = await get_row(item_id)
        return await fleet_form(kind, row, values_of(kind, row), {})

    @post("/{kind:str}/{item_id:int}")
    async def save_item(self, request: Request, kind: str, item_id: int) -> Template | Redirect:
        get_row, save, _template = self._known(kind)
        row = await get_row(item_id)
        values = await _values(request)
        values.setdefault("is_active", "")
        try:
            async with writing():
                await save(actor_of(request), values, row)
        except InvalidInput as exc:
            return await fleet_form(kind, row, values, exc.errors, status_code=422)
        return Redirect(path="/fleet")

    @staticmethod
    def _known(kind: str):
        from app.errors import NotFound

        if kind not in KINDS:
            raise NotFound()
        return KINDS[kind]


HANDLERS = [FleetController]
