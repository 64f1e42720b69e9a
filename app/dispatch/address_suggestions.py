"""Couriers' fixes for drop-off addresses (the sync mutation `address.suggest`), and the dispatcher's answer:
accept (the drop-off Place takes the new address and position, the phones are told) or decline. Dispatcher wins:
a suggestion never changes an order by itself.

On accept the order is re-priced from its stored places (zone, distance, price unless set by hand), in the same
transaction and on the same timeline entry.
"""

from __future__ import annotations

from app.audit import Actor, update
from app.db import for_update
from app.errors import Conflict, NotFound
from app.i18n import gettext as _
from app.orders.orders import add_event, reprice_from_places
from app.sync.changes import record_order_change
from tables.orders import Order, Place
from tables.sync import AddressSuggestion

PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"

COLUMNS = (
    AddressSuggestion.id, AddressSuggestion.order, AddressSuggestion.address, AddressSuggestion.lat,
    AddressSuggestion.lon, AddressSuggestion.note, AddressSuggestion.suggested_at,
    AddressSuggestion.order.reference.as_alias("reference"),
    AddressSuggestion.order.dropoff.address.as_alias("current_address"),
    AddressSuggestion.courier.full_name.as_alias("courier_name"),
)


async def pending_suggestions(order_id: int | None = None, before_id: int | None = None,
                              limit: int = 50) -> list[dict]:
    """Pending suggestions newest first (keyset by id), each with its order's reference and current drop-off
    address and the courier's name: one query whatever their number."""
    query = AddressSuggestion.select(*COLUMNS).where(AddressSuggestion.status == PENDING)
    if order_id is not None:
        query = query.where(AddressSuggestion.order == order_id)
    if before_id is not None:
        query = query.where(AddressSuggestion.id < before_id)
    return await query.order_by(AddressSuggestion.id, ascending=False).limit(limit)


async def _pending(suggestion_id: int) -> AddressSuggestion:
    row = await for_update(AddressSuggestion.select(AddressSuggestion.status).where(
        AddressSuggestion.id == suggestion_id), AddressSuggestion).first()
    if row is None:
        raise NotFound(_("This address suggestion does not exist."))
    if row["status"] != PENDING:
        raise Conflict(_("This address suggestion was already answered."))
    return await AddressSuggestion.objects().where(AddressSuggestion.id == suggestion_id).first()


async def accept_suggestion(actor: Actor, suggestion_id: int) -> int:
    """The order's drop-off takes the suggested address (and position, when the courier sent one); audited, and
    logged for the phones. Call inside `app.db.writing()`. Returns the order id."""
    suggestion = await _pending(suggestion_id)
    order = await Order.objects().where(Order.id == suggestion.order).first()
    place = await Place.objects().where(Place.id == order.dropoff).first()
    values = {"address": suggestion.address}
    if suggestion.lat is not None and suggestion.lon is not None:
        values.update(lat=suggestion.lat, lon=suggestion.lon)
    changes = await update(actor, place, values, summary=f"dropoff of {order.reference}: courier's suggestion")
    await update(actor, suggestion, {"status": ACCEPTED}, summary=f"address suggestion for {order.reference}")
    if changes:
        changed = {f"dropoff_{name}" for name in changes} | set(await reprice_from_places(actor, order))
        await add_event(actor, order.id, order.status, kind="edit", from_status=order.status,
                        note=", ".join(sorted(changed)))
        await record_order_change(order.id)
    return order.id


async def decline_suggestion(actor: Actor, suggestion_id: int) -> int:
    """The suggestion is declined; the address stays as it is. Call inside `app.db.writing()`."""
    suggestion = await _pending(suggestion_id)
    await update(actor, suggestion, {"status": DECLINED}, summary=f"address suggestion for order {suggestion.order}")
    return suggestion.order
