"""`/api/v1/orders`: orders for integrations — list, create (one or a batch), read, change, cancel, status steps,
history — and price quotes. The same domain functions as the dispatcher's pages; errors are problem details
naming the field (`dropoff.contact_phone`, `orders[3].weight_kg`)."""

from __future__ import annotations

from datetime import date, datetime

import msgspec
from litestar import Controller, Request, get, patch, post

from app.accounts.roles import ADMIN, DISPATCHER, MANAGER
from app.db import writing
from app.dispatch.assign import assign_orders, unassign_orders
from app.dispatch.day import company_today
from app.errors import InvalidInput
from app.i18n import gettext as _
from app.orders.listing import OrderFilter, list_orders
from app.orders.orders import cancel_order, change_status, create_order, get_order, quote, reopen_order, update_order
from app.orders.status import STATUSES, By
from app.orders.timeline import order_detail, timeline
from app.orders.visibility import order_scope, require_order_visible
from app.security import actor_of, allow


class PlaceIn(msgspec.Struct):
    address: str
    lat: float
    lon: float
    contact_name: str = ""
    contact_phone: str = ""


class OrderIn(msgspec.Struct):
    client_id: int
    dropoff: PlaceIn
    deliver_from: datetime
    deliver_to: datetime | None = None
    pickup: PlaceIn | None = None  # None: at the client's own address
    pickup_from: datetime | None = None
    pickup_to: datetime | None = None
    external_ref: str = ""
    service_minutes: int = 5
    weight_kg: float = 0.0
    volume_m3: float = 0.0
    pieces: int = 1
    cod_amount: int = 0  # minor units
    priority_time_cost: int | None = None  # 0 cheapest … 100 fastest; None: the client's default
    waiting_minutes: int = 0
    with_return: bool = False
    contact_email: str = ""
    notes: str = ""


class PlaceOut(msgspec.Struct):
    address: str
    lat: float
    lon: float
    contact_name: str
    contact_phone: str
    zone: str


class PriceLine(msgspec.Struct):
    kind: str
    amount: int
    quantity: float | None = None


class OrderOut(msgspec.Struct):
    id: int
    reference: str
    external_ref: str
    client_id: int
    client_name: str
    status: str
    pickup: PlaceOut
    dropoff: PlaceOut
    pickup_from: datetime | None
    pickup_to: datetime | None
    deliver_from: datetime | None
    deliver_to: datetime | None
    service_minutes: int
    weight_kg: float
    volume_m3: float
    pieces: int
    cod_amount: int
    price: int
    currency: str
    price_set_by_hand: bool
    price_breakdown: list[PriceLine]
    priority_time_cost: int
    tracking_token: str
    notes: str
    courier_name: str | None
    created_at: datetime
    updated_at: datetime


class OrderSummary(msgspec.Struct):
    id: int
    reference: str
    external_ref: str
    client_id: int
    client_name: str
    status: str
    dropoff_address: str
    deliver_from: datetime | None
    deliver_to: datetime | None
    price: int
    currency: str
    courier_name: str


class OrderPage(msgspec.Struct):
    items: list[OrderSummary]
    next_before: int | None


class BulkIn(msgspec.Struct):
    orders: list[OrderIn]


class BulkOut(msgspec.Struct):
    created: list[OrderOut]


class StatusIn(msgspec.Struct):
    status: str
    note: str = ""


class ReasonIn(msgspec.Struct):
    reason: str = ""
    status: str = "new"  # for a reopen: back to "new" or "assigned"


class EventOut(msgspec.Struct):
    id: int
    kind: str
    status: str
    from_status: str
    at: datetime
    user_name: str | None
    note: str
    lat: float | None
    lon: float | None


class QuoteOut(msgspec.Struct):
    total: int
    currency: str
    lines: list[PriceLine]
    distance_km: float


class AssignIn(msgspec.Struct):
    order_ids: list[int]
    courier_id: int
    day: date | None = None


class UnassignIn(msgspec.Struct):
    order_ids: list[int]


class Changed(msgspec.Struct):
    count: int


def raw_of(data: OrderIn) -> dict:
    """The API body as the domain's field names (the form's flat names)."""
    raw = {name: getattr(data, name) for name in (
        "deliver_from", "deliver_to", "pickup_from", "pickup_to", "external_ref", "service_minutes", "weight_kg",
        "volume_m3", "pieces", "cod_amount", "priority_time_cost", "waiting_minutes", "with_return", "contact_email",
        "notes")}
    raw["client"] = data.client_id
    for kind in ("pickup", "dropoff"):
        place = getattr(data, kind)
        if place is not None:
            raw.update({f"{kind}_{name}": getattr(place, name) for name in (
                "address", "lat", "lon", "contact_name", "contact_phone")})
    return raw


def api_field(name: str) -> str:
    for kind in ("pickup", "dropoff"):
        if name.startswith(f"{kind}_"):
            return f"{kind}.{name[len(kind) + 1:]}"
    return "client_id" if name == "client" else name


def api_errors(exc: InvalidInput, prefix: str = "") -> dict[str, str]:
    return {f"{prefix}{api_field(name)}": message for name, message in exc.errors.items()}


def order_out(order: dict) -> OrderOut:
    def place(kind: str) -> PlaceOut:
        return PlaceOut(**{name: order[f"{kind}_{name}"] for name in (
            "address", "lat", "lon", "contact_name", "contact_phone", "zone")})

    return OrderOut(
        id=order["id"], reference=order["reference"], external_ref=order["external_ref"], client_id=order["client"],
        client_name=order["client_name"], status=order["status"], pickup=place("pickup"), dropoff=place("dropoff"),
        pickup_from=order["pickup_from"], pickup_to=order["pickup_to"], deliver_from=order["deliver_from"],
        deliver_to=order["deliver_to"], service_minutes=order["service_minutes"], weight_kg=order["weight_kg"],
        volume_m3=order["volume_m3"], pieces=order["pieces"], cod_amount=order["cod_amount"], price=order["price"],
        currency=order["currency"], price_set_by_hand=order["price_set_by_hand"],
        price_breakdown=[PriceLine(**line) for line in order["price_breakdown"] or []],
        priority_time_cost=order["priority_time_cost"], tracking_token=order["tracking_token"],
        notes=order["notes"], courier_name=order["stop"]["courier_name"] if order["stop"] else None,
        created_at=order["created_at"], updated_at=order["updated_at"])


class ApiOrdersController(Controller):
    path = "/api/v1"
    tags = ["orders"]
    opt = allow(DISPATCHER, ADMIN)

    @get("/orders", opt=allow(DISPATCHER, ADMIN, MANAGER),
         summary="List orders, newest first, a page at a time (keyset: pass next_before back); a manager sees "
                 "the orders of their clients")
    async def list_orders(self, request: Request, status: str = "", client_id: int | None = None,
                          day: date | None = None, q: str = "", before: int | None = None,
                          limit: int = 50) -> OrderPage:
        limit = max(1, min(limit, 200))
        filters = OrderFilter(status=status if status in STATUSES else "", client_id=client_id, day=day,
                              search=q.strip())
        rows = await list_orders(filters, before_id=before, limit=limit + 1,
                                 scope=await order_scope(request.scope["user"]))
        items = [OrderSummary(id=row["id"], reference=row["reference"], external_ref=row["external_ref"],
                              client_id=row["client_id"], client_name=row["client_name"], status=row["status"],
                              dropoff_address=row["address"], deliver_from=row["deliver_from"],
                              deliver_to=row["deliver_to"], price=row["price"], currency=row["currency"],
                              courier_name=row["courier_name"]) for row in rows[:limit]]
        return OrderPage(items=items, next_before=rows[limit - 1]["id"] if len(rows) > limit else None)

    @post("/orders", status_code=201, summary="Create an order; it is priced from the client's price list")
    async def create_order(self, request: Request, data: OrderIn) -> OrderOut:
        try:
            async with writing():
                order = await create_order(actor_of(request), raw_of(data), "UTC", by="api")
        except InvalidInput as exc:
            raise InvalidInput(api_errors(exc)) from exc
        return order_out(await order_detail(order.id))

    @post("/orders/bulk", status_code=201, summary="Create many orders: all of them, or none if one is wrong")
    async def create_orders(self, request: Request, data: BulkIn) -> BulkOut:
        if not data.orders or len(data.orders) > 1000:
            raise InvalidInput({"orders": _("Send between 1 and 1000 orders.")})
        created, errors = [], {}
        async with writing():
            for index, item in enumerate(data.orders):
                try:
                    created.append(await create_order(actor_of(request), raw_of(item), "UTC", by="api"))
                except InvalidInput as exc:
                    errors.update(api_errors(exc, prefix=f"orders[{index}]."))
            if errors:
                raise InvalidInput(errors)
        return BulkOut(created=[order_out(await order_detail(order.id)) for order in created])

    @get("/orders/{order_id:int}", opt=allow(DISPATCHER, ADMIN, MANAGER),
         summary="One order with its places, price breakdown and courier")
    async def show_order(self, request: Request, order_id: int) -> OrderOut:
        await require_order_visible(request.scope["user"], order_id)
        return order_out(await order_detail(order_id))

    @patch("/orders/{order_id:int}", summary="Change an order (the whole body, as for create); re-priced unless "
                                              "its price was set by hand")
    async def change_order(self, request: Request, order_id: int, data: OrderIn) -> OrderOut:
        order = await get_order(order_id)
        try:
            async with writing():
                await update_order(actor_of(request), order, raw_of(data), "UTC")
        except InvalidInput as exc:
            raise InvalidInput(api_errors(exc)) from exc
        return order_out(await order_detail(order_id))

    @post("/orders/{order_id:int}/cancel", status_code=200, summary="Cancel an order (not once delivered)")
    async def cancel_order(self, request: Request, order_id: int, data: ReasonIn) -> OrderOut:
        async with writing():
            await cancel_order(actor_of(request), await get_order(order_id), data.reason)
        return order_out(await order_detail(order_id))

    @post("/orders/{order_id:int}/reopen", status_code=200, summary="Reopen a finished order (audited, with a reason)")
    async def reopen_order(self, request: Request, order_id: int, data: ReasonIn) -> OrderOut:
        async with writing():
            await reopen_order(actor_of(request), await get_order(order_id), data.status, data.reason)
        return order_out(await order_detail(order_id))

    @post("/orders/{order_id:int}/status", status_code=200, summary="A dispatcher's step of the state machine")
    async def change_status(self, request: Request, order_id: int, data: StatusIn) -> OrderOut:
        async with writing():
            if data.status == "new":  # back to "new" is an unassign: the order leaves its route too
                await unassign_orders(actor_of(request), [order_id])
            else:
                await change_status(actor_of(request), await get_order(order_id), data.status, By.DISPATCH,
                                    data.note)
        return order_out(await order_detail(order_id))

    @get("/orders/{order_id:int}/events", opt=allow(DISPATCHER, ADMIN, MANAGER),
         summary="The order's status history (its timeline)")
    async def list_events(self, request: Request, order_id: int) -> list[EventOut]:
        await require_order_visible(request.scope["user"], order_id)
        await get_order(order_id)
        return [EventOut(**row) for row in await timeline(order_id)]

    @post("/quotes", status_code=200, summary="The price an order would get, with its breakdown; nothing is saved")
    async def quote_price(self, data: OrderIn) -> QuoteOut:
        try:
            values, priced = await quote(raw_of(data), "UTC")
        except InvalidInput as exc:
            raise InvalidInput(api_errors(exc)) from exc
        return QuoteOut(total=priced.total, currency=priced.currency,
                        lines=[PriceLine(**line) for line in priced.breakdown()], distance_km=values["distance_km"])

    @post("/dispatch/assign", status_code=200, summary="Assign orders to a courier's route (all or none)")
    async def assign(self, request: Request, data: AssignIn) -> Changed:
        async with writing():
            count = await assign_orders(actor_of(request), data.order_ids, data.courier_id,
                                        data.day or company_today())
        return Changed(count=count)

    @post("/dispatch/unassign", status_code=200, summary="Take orders off their routes (all or none)")
    async def unassign(self, request: Request, data: UnassignIn) -> Changed:
        async with writing():
            count = await unassign_orders(actor_of(request), data.order_ids)
        return Changed(count=count)


HANDLERS = [ApiOrdersController]
