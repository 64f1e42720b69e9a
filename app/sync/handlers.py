"""One plain function per mutation a phone can send, and the conflict rules they apply.

A handler runs inside the push's transaction and answers `applied`, `superseded` (valid but stale) or
`rejected` (with a reason code). It never commits and never decides ordering: the push does that. Handlers are
kept for every schema version still in the field: an old phone's arguments are upgraded to the current shape
first (`UPGRADES`), so a phone offline across a deploy is still understood.

Rules (sync-protocol.md): order status goes through the shared state machine (`app.orders.status.decide`), rank
never goes down; GPS points, notes, proofs are append-only, keyed by (client_id, mutation_id); cash is a ledger
of entries whose sum is compared with the order's cash on delivery; an address is only ever a suggestion; a
courier's action on an order dispatch gave to someone else is accepted (it happened), flagged, and both told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Awaitable, Callable

import msgspec

from app.orders import status as machine
from app.sync.context import Context, Mutation, locked  # noqa: F401 - Mutation and locked are part of the API
from app.sync.reasons import APPLIED, FAIL_REASONS, REJECTED, SUPERSEDED
from tables.orders import Order, OrderEvent
from tables.sync import AddressSuggestion, CashEntry, CourierNote, DeliveryProof, GpsPoint

CURRENT_SCHEMA = 2
OLDEST_SCHEMA = 1
SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class Outcome:
    result: str
    reason: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    order_id: int | None = None


class BadArgs(Exception):
    pass


# ---- arguments (current schema) -------------------------------------------------------------------------------

class StopArgs(msgspec.Struct, kw_only=True):
    stop_id: int
    order_id: int | None = None
    lat: float | None = None
    lon: float | None = None


class DeliverArgs(StopArgs, kw_only=True):
    recipient_name: str
    photo_sha256: str = ""
    signature_sha256: str = ""


class FailArgs(StopArgs, kw_only=True):
    reason_code: str
    note: str = ""
    photo_sha256: str = ""


class CashArgs(msgspec.Struct):
    order_id: int
    amount: int
    currency: str
    method: str = "cash"


class GpsPointArgs(msgspec.Struct):
    lat: float
    lon: float
    ts: datetime | None = None
    accuracy: float | None = None


class GpsArgs(msgspec.Struct):
    points: list[GpsPointArgs]


class NoteArgs(msgspec.Struct):
    order_id: int
    text: str


class AddressArgs(msgspec.Struct):
    order_id: int
    address: str
    lat: float | None = None
    lon: float | None = None
    note: str = ""


def parse(args: Any, shape: type):
    try:
        return msgspec.convert(args, shape, strict=False)
    except msgspec.ValidationError as error:
        raise BadArgs(str(error)) from None


def check(condition: bool, detail: str) -> None:
    if not condition:
        raise BadArgs(detail)


def check_position(lat: float | None, lon: float | None) -> None:
    if lat is not None or lon is not None:
        check(lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180, "position")


def check_hash(value: str, name: str) -> None:
    check(not value or bool(SHA256.match(value)), name)


# ---- who holds an order ---------------------------------------------------------------------------------------

def courier_may_touch_order(ctx: Context, order_id: int) -> bool:
    """The courier holds the order now, or their phone was told of it before (it was reassigned since)."""
    return ctx.courier_id in ctx.owners.get(order_id, set()) or ("order", order_id) in ctx.held


async def stop_for_action(ctx: Context, mutation: Mutation, args) -> tuple[dict | None, Outcome | None]:
    """The stop a stop action names (`args.stop_id`, its position checked) with its order's state, or the
    outcome that ends the mutation (unknown, never yours). A stop dispatch moved to another courier is still
    acted on: it happened; both couriers are told. A stop removed with a cancel or an unassign is decided by its
    order."""
    check_position(args.lat, args.lon)
    stop_id = args.stop_id
    stop = await ctx.stop(stop_id)
    order_id = mutation.args.get("order_id") if isinstance(mutation.args, dict) else None
    if stop is None and isinstance(order_id, int):
        order = await ctx.order(order_id)
        if order is not None and ("order", order_id) in ctx.held:
            return {"id": None, "order_id": order_id, "kind": "dropoff", "arrived_at": None,
                    "owner": ctx.courier_id, "order": order}, None
    if stop is None:
        return None, Outcome(REJECTED, "unknown_stop", {"stop_id": stop_id})
    view = {**stop, "order": await ctx.order(stop["order_id"])}
    if stop["owner"] != ctx.courier_id:
        if ("stop", stop_id) not in ctx.held:
            return None, Outcome(REJECTED, "not_yours", {"stop_id": stop_id}, stop["order_id"])
        view["reassigned"] = True
    return view, None


def tell_reassigned(ctx: Context, mutation: Mutation, stop: dict) -> None:
    params = {"reference": stop["order"]["reference"]}
    ctx.flag(mutation, "reassigned", params, stop["order_id"])
    ctx.flag(None, "reassigned_to_you", params, stop["order_id"], courier_id=stop["owner"])


def move_order(ctx: Context, mutation: Mutation, stop: dict, target: str, args, note: str = "") -> Outcome:
    """Move the stop's order to `target` by the state machine's rules (app/orders/status.py)."""
    order = stop["order"]
    current = order["status"]
    try:
        decision = machine.decide(current, target, machine.By.COURIER)
    except machine.InvalidTransition:
        reason = "order_cancelled" if current == machine.CANCELLED else "invalid_transition"
        return Outcome(REJECTED, reason, {"current": current, "target": target}, stop["order_id"])
    if decision == machine.Outcome.SUPERSEDED:
        return Outcome(SUPERSEDED, "stale_status", {"current": current, "target": target}, stop["order_id"])
    if decision == machine.Outcome.APPLY:
        order["status"] = target
        ctx.status_changes[stop["order_id"]] = target
        ctx.add(OrderEvent, order=stop["order_id"], status=target, at=mutation.device_ts, user=ctx.courier_id,
                           lat=args.lat, lon=args.lon, note=note)
        ctx.audit(Order, stop["order_id"], {"status": [current, target]}, f"{mutation.name} from the phone")
        ctx.touched_orders.add(stop["order_id"])
        ctx.notify.append((stop["order_id"], target))
    if stop.get("reassigned"):
        tell_reassigned(ctx, mutation, stop)
    return Outcome(APPLIED, order_id=stop["order_id"])


# ---- the handlers -----------------------------------------------------------------------------------------------

async def stop_arrive(ctx: Context, mutation: Mutation) -> Outcome:
    args = parse(mutation.args, StopArgs)
    stop, ended = await stop_for_action(ctx, mutation, args)
    if ended:
        return ended
    if stop["id"] is None:
        return move_order(ctx, mutation, stop, machine.OUT_FOR_DELIVERY, args)
    if stop["arrived_at"] is not None:
        return Outcome(SUPERSEDED, "already_arrived", {}, stop["order_id"])
    ctx.stops[stop["id"]]["arrived_at"] = mutation.device_ts
    ctx.arrivals[stop["id"]] = mutation.device_ts
    ctx.touched_orders.add(stop["order_id"])
    if stop["kind"] != "pickup" and stop["order"]["status"] in (machine.ASSIGNED, machine.PICKED_UP):
        move_order(ctx, mutation, stop, machine.OUT_FOR_DELIVERY, args)
    elif stop.get("reassigned"):
        tell_reassigned(ctx, mutation, stop)
    return Outcome(APPLIED, order_id=stop["order_id"])


async def stop_pick_up(ctx: Context, mutation: Mutation) -> Outcome:
    args = parse(mutation.args, StopArgs)
    stop, ended = await stop_for_action(ctx, mutation, args)
    return ended or move_order(ctx, mutation, stop, machine.PICKED_UP, args)


async def close_stop(ctx: Context, mutation: Mutation, args, target: str, **proof) -> Outcome:
    """Delivered or failed: the order moves to `target`, and the proof is kept when the move applied."""
    stop, ended = await stop_for_action(ctx, mutation, args)
    if ended:
        return ended
    outcome = move_order(ctx, mutation, stop, target, args, proof.get("note", ""))
    if outcome.result == APPLIED:
        ctx.add(DeliveryProof, source=ctx.source(mutation), order=stop["order_id"], stop=stop["id"],
                courier=ctx.courier_id, outcome=target, lat=args.lat, lon=args.lon, happened_at=mutation.device_ts,
                **proof)
    return outcome


async def stop_deliver(ctx: Context, mutation: Mutation) -> Outcome:
    args = parse(mutation.args, DeliverArgs)
    check_hash(args.photo_sha256, "photo_sha256")
    check_hash(args.signature_sha256, "signature_sha256")
    check(0 < len(args.recipient_name.strip()) <= 200, "recipient_name")
    check(bool(args.photo_sha256 or args.signature_sha256), "proof")
    return await close_stop(ctx, mutation, args, machine.DELIVERED, recipient_name=args.recipient_name.strip(),
                            photo_sha256=args.photo_sha256, signature_sha256=args.signature_sha256)


async def stop_fail(ctx: Context, mutation: Mutation) -> Outcome:
    args = parse(mutation.args, FailArgs)
    check_hash(args.photo_sha256, "photo_sha256")
    check(args.reason_code in FAIL_REASONS, "reason_code")
    check(len(args.note) <= 2000, "note")
    return await close_stop(ctx, mutation, args, machine.FAILED, reason_code=args.reason_code, note=args.note,
                            photo_sha256=args.photo_sha256)


async def order_for_action(ctx: Context, order_id: int) -> tuple[dict | None, Outcome | None]:
    order = await ctx.order(order_id)
    if order is None:
        return None, Outcome(REJECTED, "unknown_order", {"order_id": order_id})
    if not courier_may_touch_order(ctx, order_id):
        return None, Outcome(REJECTED, "not_yours", {"order_id": order_id}, order_id)
    return order, None


async def cash_collect(ctx: Context, mutation: Mutation) -> Outcome:
    args = parse(mutation.args, CashArgs)
    check(args.amount != 0 and abs(args.amount) <= 10**10, "amount")
    check(bool(re.fullmatch(r"[A-Z]{3}", args.currency)), "currency")
    check(args.method in ("cash", "card"), "method")
    order, ended = await order_for_action(ctx, args.order_id)
    if ended:
        return ended
    collected = await ctx.cash_total(args.order_id, args.currency) + args.amount
    ctx.cash_totals[(args.order_id, args.currency)] = collected
    mismatch = args.currency != order["currency"] or collected != order["cod_amount"]
    ctx.add(CashEntry, source=ctx.source(mutation), order=args.order_id, courier=ctx.courier_id, amount=args.amount,
                      currency=args.currency, method=args.method, mismatch=mismatch, collected_at=mutation.device_ts)
    ctx.audit(CashEntry, args.order_id, {"amount": [None, args.amount], "currency": [None, args.currency]},
              f"cash collected for {order['reference']}")
    if mismatch:
        ctx.flag(mutation, "cash_mismatch", {"reference": order["reference"], "collected": collected,
                                             "expected": order["cod_amount"], "currency": args.currency},
                 args.order_id)
    return Outcome(APPLIED, order_id=args.order_id)


MAX_GPS_POINTS = 120


async def gps_track(ctx: Context, mutation: Mutation) -> Outcome:
    args = parse(mutation.args, GpsArgs)
    check(0 < len(args.points) <= MAX_GPS_POINTS, "points")
    for point in args.points:
        check_position(point.lat, point.lon)
    for index, point in enumerate(args.points):
        ctx.add(GpsPoint,
            source=f"{ctx.client_id}:{mutation.id}:{index}", courier=ctx.courier_id, lat=point.lat, lon=point.lon,
            accuracy_m=point.accuracy, recorded_at=clamp_like(point.ts, mutation.device_ts, ctx),
            received_at=ctx.received_at)
    return Outcome(APPLIED)


def clamp_like(ts: datetime | None, fallback: datetime, ctx: Context) -> datetime:
    """A point's own time, kept within the same bounds as the mutation's (never later than received + 2 min)."""
    if ts is None:
        return fallback
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=timezone.utc)
    from app.sync.push import clamp_device_time

    return clamp_device_time(ts, ctx.received_at, ctx.last_sync)


async def note_add(ctx: Context, mutation: Mutation) -> Outcome:
    args = parse(mutation.args, NoteArgs)
    check(0 < len(args.text.strip()) <= 2000, "text")
    _order, ended = await order_for_action(ctx, args.order_id)
    if ended:
        return ended
    ctx.add(CourierNote, source=ctx.source(mutation), order=args.order_id, courier=ctx.courier_id,
                        text=args.text.strip(), written_at=mutation.device_ts)
    return Outcome(APPLIED, order_id=args.order_id)


async def address_suggest(ctx: Context, mutation: Mutation) -> Outcome:
    args = parse(mutation.args, AddressArgs)
    check(3 <= len(args.address.strip()) <= 300, "address")
    check_position(args.lat, args.lon)
    check(len(args.note) <= 2000, "note")
    _order, ended = await order_for_action(ctx, args.order_id)
    if ended:
        return ended
    ctx.add(AddressSuggestion,
        source=ctx.source(mutation), order=args.order_id, courier=ctx.courier_id, address=args.address.strip(),
        lat=args.lat, lon=args.lon, note=args.note, suggested_at=mutation.device_ts)
    return Outcome(APPLIED, order_id=args.order_id)


# ---- old schema versions --------------------------------------------------------------------------------------

def deliver_v1(args: dict) -> dict:
    """Schema 1 (app before the deploy): `name`, `photo`, `signature`."""
    check(isinstance(args, dict), "args")
    return {"stop_id": args.get("stop_id"), "recipient_name": args.get("name", ""),
            "photo_sha256": args.get("photo", "") or "", "signature_sha256": args.get("signature", "") or "",
            "lat": args.get("lat"), "lon": args.get("lon")}


def cash_v1(args: dict) -> dict:
    """Schema 1: the amount in major units as a decimal string ("12.50")."""
    check(isinstance(args, dict), "args")
    try:
        amount = Decimal(str(args.get("amount"))) * 100
    except InvalidOperation:
        raise BadArgs("amount") from None
    check(amount == amount.to_integral_value(), "amount")
    return {**args, "amount": int(amount)}


Handler = Callable[[Context, Mutation], Awaitable[Outcome]]

HANDLERS: dict[str, Handler] = {
    "stop.arrive": stop_arrive,
    "stop.pick_up": stop_pick_up,
    "stop.deliver": stop_deliver,
    "stop.fail": stop_fail,
    "cash.collect": cash_collect,
    "gps.track": gps_track,
    "note.add": note_add,
    "address.suggest": address_suggest,
}

# (name, schema version) -> how that version's arguments become the current ones.
UPGRADES: dict[tuple[str, int], Callable[[dict], dict]] = {
    ("stop.deliver", 1): deliver_v1,
    ("cash.collect", 1): cash_v1,
}


async def run(ctx: Context, mutation: Mutation, schema_version: int) -> Outcome:
    """Apply one mutation. Bad arguments are `rejected`, never raised."""
    handler = HANDLERS.get(mutation.name)
    if handler is None:
        return Outcome(REJECTED, "unknown_mutation", {"name": mutation.name[:40]})
    try:
        for version in range(schema_version, CURRENT_SCHEMA):
            upgrade = UPGRADES.get((mutation.name, version))
            if upgrade:
                mutation.args = upgrade(mutation.args)
        return await handler(ctx, mutation)
    except BadArgs as error:
        return Outcome(REJECTED, "invalid_args", {"detail": str(error)[:120]})
