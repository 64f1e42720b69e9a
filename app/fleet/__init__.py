"""The fleet: depots, vehicles (type, capacity, costs) and couriers (a user, a vehicle, a depot, shift hours).

Each `save_*` validates the fields (raw text or typed values), then creates or updates the row with its audit
entry; InvalidInput names every wrong field. The lists come a page at a time (app/keyset.py), one query each.
"""

from __future__ import annotations

from datetime import time

from app.audit import Actor, insert, update
from app.errors import InvalidInput, NotFound
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.keyset import Page, keyset_page
from app.orders.fields import Collector
from tables.accounts import User
from tables.counterparties import Counterparty
from tables.fleet import Courier, Depot, Vehicle

CARRIERS = (Counterparty.is_carrier == True) & Counterparty.merged_into.is_null()  # noqa: E712
PAGE = 50
VEHICLE_TYPES = {"bike": _l("Cargo bike"), "car": _l("Car"), "van": _l("Van"), "truck": _l("Truck")}


async def _get(table, row_id: int):
    row = await table.objects().where(table.id == row_id).first()
    if row is None:
        raise NotFound(_("This record does not exist."))
    return row


async def get_depot(depot_id: int) -> Depot:
    return await _get(Depot, depot_id)


async def get_vehicle(vehicle_id: int) -> Vehicle:
    return await _get(Vehicle, vehicle_id)


async def get_courier(courier_id: int) -> Courier:
    return await _get(Courier, courier_id)


async def _store(actor: Actor, fields: Collector, table, values: dict, row, summary: str):
    """The one ending of every save: refuse with every named field, else insert or update, audited."""
    if fields.errors:
        raise InvalidInput(fields.errors)
    if row is None:
        return await insert(actor, table(**values), summary=summary)
    await update(actor, row, values, summary=summary)
    return row


async def _must_name(fields: Collector, values: dict, name: str, table, message: str, allowed=None) -> None:
    """A chosen id (when one is chosen) must name a row of `table` that `allowed` admits."""
    if not values[name] or name in fields.errors:
        return
    clause = table.id == values[name]
    if not await table.exists().where(clause if allowed is None else clause & allowed):
        fields.errors[name] = message


async def save_depot(actor: Actor, raw: dict, depot: Depot | None = None) -> Depot:
    fields = Collector(raw)
    values = {"name": fields.text("name", 100, required=True, label=_("Give the depot a name.")),
              "address": fields.text("address", 300),
              "lat": fields.number("lat", None, -90, 90), "lon": fields.number("lon", None, -180, 180)}
    for name in ("lat", "lon"):
        if values[name] is None and name not in fields.errors:
            fields.errors[name] = _("Place the depot on the map (latitude and longitude).")
    return await _store(actor, fields, Depot, values, depot, f"depot {values['name']}")


async def save_vehicle(actor: Actor, raw: dict, vehicle: Vehicle | None = None) -> Vehicle:
    fields = Collector(raw)
    values = {
        "name": fields.text("name", 100, required=True, label=_("Give the vehicle a name.")),
        "plate": fields.text("plate", 20), "vehicle_type": fields.text("vehicle_type", 20),
        "capacity_kg": fields.number("capacity_kg", 0.0, 0, 100000),
        "capacity_m3": fields.number("capacity_m3", 0.0, 0, 1000),
        "cost_per_km": fields.money("cost_per_km"), "cost_per_hour": fields.money("cost_per_hour"),
        "fixed_cost": fields.money("fixed_cost"), "depot": fields.optional_integer("depot", 1),
        "is_active": fields.flag("is_active") if "is_active" in raw else True,
    }
    if values["vehicle_type"] not in VEHICLE_TYPES:
        fields.errors["vehicle_type"] = _("Choose the type of vehicle.")
    await _must_name(fields, values, "depot", Depot, _("Choose one of the depots."))
    return await _store(actor, fields, Vehicle, values, vehicle, f"vehicle {values['name']}")


def _clock(fields: Collector, name: str, default: time) -> time:
    value = fields.raw.get(name)
    if isinstance(value, time):
        return value
    if not value:
        return default
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError:
        fields.errors[name] = _("Enter a time such as 08:00.")
        return default


async def _courier_user(fields: Collector) -> int | None:
    """A new profile's person: an account with the courier role that has no profile yet."""
    user_id = fields.optional_integer("user", 1)
    user = await User.objects().where(User.id == user_id).first() if user_id else None
    if user is None or user.role != "courier":
        fields.errors["user"] = _("Choose a person with the courier role.")
    elif await Courier.exists().where(Courier.user == user.id):
        fields.errors["user"] = _("This person already has a courier profile.")
    return user_id


async def save_courier(actor: Actor, raw: dict, courier: Courier | None = None) -> Courier:
    fields = Collector(raw)
    values = {"vehicle": fields.optional_integer("vehicle", 1), "depot": fields.optional_integer("depot", 1),
              "carrier": fields.optional_integer("carrier", 1),
              "shift_start": _clock(fields, "shift_start", time(8)), "shift_end": _clock(fields, "shift_end", time(18)),
              "is_active": fields.flag("is_active") if "is_active" in raw else True}
    if courier is None:
        values["user"] = await _courier_user(fields)
    if values["shift_end"] <= values["shift_start"] and "shift_end" not in fields.errors:
        fields.errors["shift_end"] = _("The shift must end after it starts.")
    await _must_name(fields, values, "vehicle", Vehicle, _("Choose one of the vehicles."))
    await _must_name(fields, values, "depot", Depot, _("Choose one of the depots."))
    await _must_name(fields, values, "carrier", Counterparty,
                     _("Choose one of the carriers, or none for our own staff."), CARRIERS)
    summary = f"courier profile of user {values['user']}" if courier is None else f"courier {courier.id}"
    return await _store(actor, fields, Courier, values, courier, summary)


async def depots_page(after: str | None = None, limit: int = PAGE) -> Page:
    return await keyset_page(Depot.select(), Depot.name, "name", after, limit)


async def vehicles_page(after: str | None = None, limit: int = PAGE) -> Page:
    query = Vehicle.select(Vehicle.all_columns(), Vehicle.depot.name.as_alias("depot_name"))
    return await keyset_page(query, Vehicle.name, "name", after, limit)


async def couriers_page(after: str | None = None, limit: int = PAGE) -> Page:
    query = Courier.select(Courier.all_columns(), Courier.user.full_name.as_alias("name"),
                           Courier.user.login.as_alias("login"), Courier.vehicle.name.as_alias("vehicle_name"),
                           Courier.depot.name.as_alias("depot_name"), Courier.carrier.name.as_alias("carrier_name"))
    return await keyset_page(query, Courier.user.full_name, "name", after, limit)


PAGES = {"depots": depots_page, "vehicles": vehicles_page, "couriers": couriers_page}


async def fleet_overview(part: str = "", after: str | None = None) -> dict:
    """A page of each list for the fleet page (one query each); `part`'s list starts after the cursor."""
    return {kind: await page_of(after if kind == part else None) for kind, page_of in PAGES.items()}


async def carriers() -> list[dict]:
    """The subcontracted carriers a courier may work for (merged-away duplicates left out)."""
    return await Counterparty.select(Counterparty.id, Counterparty.name).where(CARRIERS).order_by(Counterparty.name)


async def couriers_without_profile() -> list[dict]:
    return await User.select(User.id, User.full_name, User.login).where(
        (User.role == "courier") & User.id.not_in(Courier.select(Courier.user))).order_by(User.full_name)
