"""Creating, editing, cancelling an order and moving it through its statuses, each step audited and on the
order's timeline (`OrderEvent`). The price comes from the client's price list and follows its inputs, unless a
dispatcher set it by hand (audited too).
"""

from __future__ import annotations

import base64
import json
import math
import secrets
from dataclasses import replace
from datetime import datetime, timezone

from app.audit import Actor, insert, log, update
from app.db import for_update
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import gettext as _
from app.notifications.triggers import on_order_created, on_order_status
from app.orders.fields import Collector, zone_of
from app.orders.status import (
    CANCELLED,
    END_STATES,
    NEW,
    By,
    InvalidTransition,
    Outcome,
    can_reopen,
    decide,
)
from app.planning.settings import planning_settings
from app.pricing import PriceInputs
from app.pricing.lists import quote_for_client
from app.sync.changes import record_changes, record_order_change
from tables.counterparties import Counterparty
from tables.orders import Order, OrderEvent, Place
from tables.routes import Stop

ROAD_FACTOR = 1.3  # streets are longer than the straight line between two points
PRICE_INPUTS = ("client", "distance_km", "weight_kg", "volume_m3", "cod_amount", "waiting_minutes", "with_return",
                "deliver_to")
ORDER_FIELDS = ("external_ref", "pickup_from", "pickup_to", "deliver_from", "deliver_to", "service_minutes",
                "weight_kg", "volume_m3", "pieces", "cod_amount", "priority_time_cost", "notes", "waiting_minutes",
                "with_return", "contact_email")


def now() -> datetime:
    return datetime.now(timezone.utc)


def new_reference(moment: datetime | None = None) -> str:
    """'WB-261124-K3FA9Q2M': the day, then 40 random bits (a clash is ~1 in 10⁵ for 10,000 orders a day, and
    the unique index refuses it rather than mixing two orders)."""
    return f"WB-{(moment or now()):%y%m%d}-{base64.b32encode(secrets.token_bytes(5)).decode()}"


def road_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat, dlon = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(math.radians(lat1)) * math.cos(math.radians(lat2)) * math.sin(dlon / 2) ** 2
    return round(6371 * 2 * math.asin(math.sqrt(min(1.0, a))) * ROAD_FACTOR, 2)


def read_order(raw: dict, time_zone: str, clients: dict[int, dict], default_priority: int = 50) -> dict:
    """Clean values of an order from raw input; raises InvalidInput. `clients`: id -> client row, known ones;
    `default_priority`: the company's time-vs-cost priority for clients who chose none (app.planning.settings)."""
    fields = Collector(raw, time_zone)
    client_id = fields.optional_integer("client", low=1)
    client = clients.get(client_id) if client_id else None
    if client is None and "client" not in fields.errors:
        fields.errors["client"] = _("Choose the client.")
    values = {
        "client": client_id,
        "external_ref": fields.text("external_ref", 100),
        "pickup": fields.place("pickup", required=False),
        "dropoff": fields.place("dropoff", required=True),
        "pickup_from": fields.when("pickup_from"), "pickup_to": fields.when("pickup_to"),
        "deliver_from": fields.when("deliver_from"), "deliver_to": fields.when("deliver_to"),
        "service_minutes": fields.integer("service_minutes", 5, 0, 600),
        "weight_kg": fields.number("weight_kg", 0.0, 0, 50000),
        "volume_m3": fields.number("volume_m3", 0.0, 0, 500),
        "pieces": fields.integer("pieces", 1, 1, 10000),
        "cod_amount": fields.money("cod_amount"),
        "priority_time_cost": fields.optional_integer("priority_time_cost", 0, 100),
        "notes": fields.text("notes", 2000),
        "waiting_minutes": fields.integer("waiting_minutes", 0, 0, 1440),
        "with_return": fields.flag("with_return"),
        "contact_email": fields.email("contact_email"),
    }
    if values["deliver_from"] is None and "deliver_from" not in fields.errors:
        fields.errors["deliver_from"] = _("Enter when the delivery may start.")
    for start, end in (("pickup_from", "pickup_to"), ("deliver_from", "deliver_to")):
        if values[start] and values[end] and values[end] <= values[start]:
            fields.errors[end] = _("The window must end after it starts.")
    if client is not None:
        if values["priority_time_cost"] is None:
            values["priority_time_cost"] = client["priority_time_cost"] if client["priority_time_cost"] is not None \
                else default_priority
        pickup = values["pickup"]
        if not pickup["address"]:  # collected at the client's own address
            lat, lon = _coordinate(client["lat"]), _coordinate(client["lon"])
            if lat is None or lon is None:
                fields.errors["pickup_address"] = _("The client's card has no location: enter the pick-up address.")
            else:
                pickup.update(address=client["address"], lat=lat, lon=lon, contact_name=pickup["contact_name"] or
                              client["name"], contact_phone=pickup["contact_phone"] or client["phone"])
    if fields.errors:
        raise InvalidInput(fields.errors)
    return values


def _coordinate(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


CLIENT_COLUMNS = (Counterparty.id, Counterparty.name, Counterparty.address, Counterparty.lat, Counterparty.lon,
                  Counterparty.phone, Counterparty.priority_time_cost, Counterparty.is_client)


async def clients_by_id(ids: set[int]) -> dict[int, dict]:
    ids = {client_id for client_id in ids if client_id}
    if not ids:
        return {}
    rows = await Counterparty.select(*CLIENT_COLUMNS).where(Counterparty.id.is_in(list(ids)))
    return {row["id"]: row for row in rows}


def _client_id(raw: dict) -> int | None:
    try:
        return int(str(raw.get("client") or "").strip())
    except ValueError:
        return None


def price_inputs(values: dict, ordered_at: datetime) -> PriceInputs:
    deadline = values.get("deliver_to") or None
    notice = (deadline - ordered_at).total_seconds() / 3600 if deadline else None
    return PriceInputs(distance_km=values["distance_km"], weight_kg=values["weight_kg"],
                       volume_m3=values["volume_m3"], zone=values["dropoff"]["zone"], notice_hours=notice,
                       cod_amount=values["cod_amount"], waiting_minutes=values["waiting_minutes"],
                       with_return=values["with_return"])


def with_distance(values: dict) -> dict:
    pickup, dropoff = values["pickup"], values["dropoff"]
    values["distance_km"] = road_km(pickup["lat"], pickup["lon"], dropoff["lat"], dropoff["lon"])
    return values


async def quote(raw: dict, time_zone: str) -> tuple[dict, object]:
    """The price an order with these fields would get, without saving anything (the form's live breakdown and
    the API's price quote)."""
    values = with_distance(read_order(raw, time_zone, await clients_by_id({_client_id(raw) or 0}),
                                      (await planning_settings()).default_priority))
    return values, await quote_for_client(values["client"], price_inputs(values, now()), "EUR")


async def create_order(actor: Actor, raw: dict, time_zone: str = "UTC", by: str = "") -> Order:
    """Validates, prices and saves a new order with its two places and its first timeline event."""
    values, priced = await quote(raw, time_zone)
    if values["external_ref"] and await Order.exists().where(Order.external_ref == values["external_ref"]):
        raise InvalidInput({"external_ref": _("An order with this external reference already exists.")})
    pickup = await insert(actor, Place(**values["pickup"]))
    dropoff = await insert(actor, Place(**values["dropoff"]))
    order = Order(reference=new_reference(), client=values["client"], pickup=pickup.id, dropoff=dropoff.id,
                  tracking_token=secrets.token_urlsafe(24), status=NEW, price=priced.total,
                  currency=priced.currency, price_breakdown=priced.breakdown(), distance_km=values["distance_km"],
                  **{name: values[name] for name in ORDER_FIELDS})
    await insert(actor, order, summary=f"order {order.reference}")
    await add_event(actor, order.id, NEW, note=by)
    await on_order_created(order.id)  # the client's "accepted" message with the tracking link (issue 7)
    return order


async def add_event(actor: Actor, order_id: int, status: str, kind: str = "status", from_status: str = "",
                    note: str = "", lat: float | None = None, lon: float | None = None) -> None:
    await OrderEvent.insert(OrderEvent(order=order_id, status=status, user=actor.user_id, kind=kind,
                                       from_status=from_status, note=note[:1000], lat=lat, lon=lon))


async def get_order(order_id: int) -> Order:
    order = await Order.objects().where(Order.id == order_id).first()
    if order is None:
        raise NotFound(_("This order does not exist."))
    return order


async def get_order_by_reference(reference: str) -> Order:
    order = await Order.objects().where(Order.reference == reference).first()
    if order is None:
        raise NotFound(_("This order does not exist."))
    return order


async def update_order(actor: Actor, order: Order, raw: dict, time_zone: str = "UTC") -> dict:
    """Saves the edited fields; the price follows its inputs unless it was set by hand. Returns the diff."""
    if order.status in END_STATES:
        raise Conflict(_("A delivered, returned or cancelled order cannot be edited; reopen it first."))
    values, priced = await quote({**raw, "client": order.client}, time_zone)
    if values["external_ref"] and await Order.exists().where(
            (Order.external_ref == values["external_ref"]) & (Order.id != order.id)):
        raise InvalidInput({"external_ref": _("An order with this external reference already exists.")})
    changes: dict = {}
    for kind in ("pickup", "dropoff"):
        place = await Place.objects().where(Place.id == getattr(order, kind)).first()
        place_changes = await update(actor, place, values[kind], summary=f"{kind} of {order.reference}")
        changes.update({f"{kind}_{name}": change for name, change in place_changes.items()})
    new = {name: values[name] for name in (*ORDER_FIELDS, "client", "distance_km")}
    if not order.price_set_by_hand:
        new.update(price=priced.total, currency=priced.currency, price_breakdown=priced.breakdown())
    new["updated_at"] = now()
    order_changes = await update(actor, order, new, summary=f"order {order.reference}")
    order_changes.pop("updated_at", None)
    changes.update(order_changes)
    if changes:
        await add_event(actor, order.id, order.status, kind="edit", from_status=order.status,
                        note=", ".join(sorted(changes)))
        await record_order_change(order.id)
    return changes


async def set_price_by_hand(actor: Actor, order: Order, amount: int | None, reason: str = "") -> None:
    """A dispatcher's own price (kept when inputs change), or None to go back to the price list's."""
    if amount is None:
        priced = await quote_for_client(order.client, await stored_price_inputs(order), order.currency)
        await update(actor, order, {"price": priced.total, "price_set_by_hand": False,
                                    "price_breakdown": priced.breakdown(), "updated_at": now()},
                     summary=f"price of {order.reference} from the price list")
    else:
        if amount < 0:
            raise InvalidInput({"price": _("Must be zero or more.")})
        await update(actor, order, {"price": amount, "price_set_by_hand": True,
                                    "price_breakdown": [{"kind": "by_hand", "amount": amount, "quantity": None}],
                                    "updated_at": now()}, summary=f"price of {order.reference} set by hand: {reason}")
    await add_event(actor, order.id, order.status, kind="price", from_status=order.status, note=reason)


async def reprice_from_places(actor: Actor, order: Order) -> dict:
    """After a place changed outside the order form (a courier's address fix the dispatcher accepted): the zones,
    the distance and the price follow the stored places, as an edit would make them. A price set by hand stays;
    an ended order is refused as for edits. Every change is audited; returns the diff for the caller's timeline
    entry (the caller also tells the phones)."""
    if order.status in END_STATES:
        raise Conflict(_("A delivered, returned or cancelled order cannot be edited; reopen it first."))
    places = {row.id: row for row in await Place.objects().where(Place.id.is_in([order.pickup, order.dropoff]))}
    changes: dict = {}
    for kind in ("pickup", "dropoff"):
        place = places[getattr(order, kind)]
        zone = zone_of(place.address) or place.zone  # an address without a postcode keeps its zone
        place_changes = await update(actor, place, {"zone": zone}, summary=f"{kind} zone of {order.reference}")
        changes.update({f"{kind}_{name}": change for name, change in place_changes.items()})
    pickup, dropoff = places[order.pickup], places[order.dropoff]
    new: dict = {"distance_km": road_km(pickup.lat, pickup.lon, dropoff.lat, dropoff.lon)}
    if not order.price_set_by_hand:
        inputs = replace(await stored_price_inputs(order, dropoff.zone), distance_km=new["distance_km"])
        priced = await quote_for_client(order.client, inputs, order.currency)
        new.update(price=priced.total, currency=priced.currency)
        if priced.breakdown() != _loaded(order.price_breakdown):  # a row read back holds it as JSON text
            new["price_breakdown"] = priced.breakdown()
    order_changes = await update(actor, order, new, summary=f"order {order.reference} re-priced from its places")
    if changes or order_changes:
        order.updated_at = now()
        await order.save(columns=[Order.updated_at])
    return {**changes, **order_changes}


def _loaded(value):
    return json.loads(value or "null") if isinstance(value, str) else value


async def stored_price_inputs(order: Order, zone: str | None = None) -> PriceInputs:
    """The price inputs the order has in the database; `zone`: the drop-off's, when the caller has it."""
    if zone is None:
        dropoff = await Place.select(Place.zone).where(Place.id == order.dropoff).first()
        zone = dropoff["zone"] if dropoff else ""
    notice = (order.deliver_to - order.created_at).total_seconds() / 3600 if order.deliver_to else None
    return PriceInputs(distance_km=order.distance_km, weight_kg=order.weight_kg, volume_m3=order.volume_m3,
                       zone=zone, notice_hours=notice, cod_amount=order.cod_amount,
                       waiting_minutes=order.waiting_minutes, with_return=order.with_return)


async def refresh_status(order: Order) -> None:
    row = await for_update(Order.select(Order.status).where(Order.id == order.id), Order).first()
    if row is None:
        raise NotFound(_("No such order."))
    order.status = row["status"]


async def change_status(actor: Actor, order: Order, target: str, by: By, note: str = "",
                        lat: float | None = None, lon: float | None = None) -> Outcome:
    """One step of the state machine (app/orders/status.py), with its event; raises Conflict when refused.

    The decision is taken on the status as it is now, read under a row lock inside the caller's transaction, not
    on the copy the caller loaded earlier: a courier's delivery that committed meanwhile must win over a cancel."""
    await refresh_status(order)
    try:
        outcome = decide(order.status, target, by)
    except InvalidTransition as exc:
        raise Conflict(exc.reason) from exc
    if outcome is Outcome.APPLY:
        previous = order.status
        await update(actor, order, {"status": target, "updated_at": now()},
                     summary=f"order {order.reference}: {previous} → {target}")
        await add_event(actor, order.id, target, from_status=previous, note=note, lat=lat, lon=lon)
        await record_order_change(order.id)
        await on_order_status(order.id, target)  # the client's message for this moment, if any (issue 7)
    return outcome


async def cancel_order(actor: Actor, order: Order, reason: str = "") -> None:
    """A dispatcher's cancel: the order leaves its route (the courier's phone learns it on the next sync)."""
    await change_status(actor, order, CANCELLED, By.DISPATCH, note=reason)
    stops = await Stop.objects().where(Stop.order == order.id)
    for stop in stops:
        await log(actor, "delete", stop, stop.id, {"order": [order.id, None]}, summary=f"cancelled {order.reference}")
        await Stop.delete().where(Stop.id == stop.id)
    await record_changes("stop", [stop.id for stop in stops], deleted=True)


async def reopen_order(actor: Actor, order: Order, target: str = NEW, reason: str = "") -> None:
    """The audited step back from an end state (or a failed attempt), with a reason on the timeline."""
    await refresh_status(order)
    if not can_reopen(order.status, target):
        raise Conflict(_("Only a delivered, failed, returned or cancelled order can be reopened."))
    if not reason.strip():
        raise InvalidInput({"reason": _("Say why the order is reopened.")})
    previous = order.status
    await update(actor, order, {"status": target, "updated_at": now()},
                 summary=f"reopen {order.reference}: {previous} → {target}")
    await add_event(actor, order.id, target, kind="reopen", from_status=previous, note=reason.strip())
    await record_order_change(order.id)
