"""What the tracking page may show for one order, and what the client may leave on it.

Only this order, and only what a client should see: its status history (statuses and times, never notes or who),
the time window, a live ETA, how many stops are before it, the courier's position only while driving to it,
the proof after delivery. Instructions may be left until the courier sets out; a rating once, after delivery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from app import audit
from app.audit import Actor
from app.db import writing
from app.errors import Conflict, InvalidInput
from app.i18n import gettext as _
from app.orders.status import ASSIGNED, DELIVERED, FAILED, NEW, PICKED_UP
from app.tracking.eta import Progress, order_progress
from tables.orders import Order, OrderEvent
from tables.sync import Blob, DeliveryProof
from tables.tracking import DeliveryInstruction, DeliveryRating

# Before the courier sets out; and after a failed attempt, to arrange the next one.
INSTRUCTIONS_OPEN = frozenset({NEW, ASSIGNED, PICKED_UP, FAILED})
MAX_INSTRUCTIONS = 500
MAX_COMMENT = 1000


@dataclass
class TrackingView:
    order_id: int
    reference: str
    status: str
    client_locale: str
    client_time_zone: str
    deliver_from: datetime | None
    deliver_to: datetime | None
    address: str
    dropoff_lat: float
    dropoff_lon: float
    pieces: int
    cod_amount: int
    currency: str
    timeline: list[dict]
    progress: Progress
    instructions: str
    can_leave_instructions: bool
    proof: dict | None
    rating: dict | None
    can_rate: bool
    extra: dict = field(default_factory=dict)


async def order_header(order_id: int) -> dict:
    return await Order.select(
        Order.id, Order.reference, Order.status, Order.deliver_from, Order.deliver_to, Order.pieces,
        Order.cod_amount, Order.currency, Order.dropoff.address.as_alias("address"),
        Order.dropoff.lat.as_alias("dropoff_lat"), Order.dropoff.lon.as_alias("dropoff_lon"),
        Order.client.locale.as_alias("client_locale"), Order.client.time_zone.as_alias("client_time_zone"),
    ).where(Order.id == order_id).first()


async def delivery_proof(order_id: int) -> dict | None:
    """The courier's record of the delivery: when, who received it, and whether a photo is there to show."""
    proof = await DeliveryProof.select(
        DeliveryProof.recipient_name, DeliveryProof.photo_sha256, DeliveryProof.happened_at,
    ).where((DeliveryProof.order == order_id) & (DeliveryProof.outcome == DELIVERED)).order_by(
        DeliveryProof.happened_at, ascending=False).first()
    if proof is None:
        return None
    has_photo = bool(proof["photo_sha256"]) and await Blob.exists().where(Blob.sha256 == proof["photo_sha256"])
    return {"at": proof["happened_at"], "recipient_name": proof["recipient_name"], "has_photo": has_photo}


async def proof_photo(order_id: int) -> tuple[bytes, str] | None:
    proof = await DeliveryProof.select(DeliveryProof.photo_sha256).where(
        (DeliveryProof.order == order_id) & (DeliveryProof.outcome == DELIVERED) & (DeliveryProof.photo_sha256 != "")
    ).order_by(DeliveryProof.happened_at, ascending=False).first()
    if proof is None:
        return None
    blob = await Blob.select(Blob.data, Blob.content_type).where(Blob.sha256 == proof["photo_sha256"]).first()
    return (bytes(blob["data"]), blob["content_type"]) if blob else None


async def tracking_view(order_id: int, now: datetime | None = None) -> TrackingView:
    order = await order_header(order_id)
    timeline = await OrderEvent.select(OrderEvent.status, OrderEvent.at).where(
        (OrderEvent.order == order_id) & (OrderEvent.kind == "status")).order_by(OrderEvent.at, OrderEvent.id)
    progress = await order_progress(order_id, order["status"], now)
    instruction = await DeliveryInstruction.select(DeliveryInstruction.text).where(
        DeliveryInstruction.order == order_id).first()
    delivered = order["status"] == DELIVERED
    rating = await DeliveryRating.select(DeliveryRating.stars, DeliveryRating.comment).where(
        DeliveryRating.order == order_id).first() if delivered else None
    return TrackingView(
        order_id=order_id, reference=order["reference"], status=order["status"],
        client_locale=order["client_locale"], client_time_zone=order["client_time_zone"],
        deliver_from=order["deliver_from"], deliver_to=order["deliver_to"], address=order["address"],
        dropoff_lat=order["dropoff_lat"], dropoff_lon=order["dropoff_lon"], pieces=order["pieces"],
        cod_amount=order["cod_amount"], currency=order["currency"], timeline=timeline, progress=progress,
        instructions=instruction["text"] if instruction else "",
        can_leave_instructions=order["status"] in INSTRUCTIONS_OPEN,
        proof=await delivery_proof(order_id) if delivered else None,
        rating=rating, can_rate=delivered and rating is None,
    )


async def leave_instructions(actor: Actor, order_id: int, text: str) -> None:
    text = text.strip()
    if len(text) > MAX_INSTRUCTIONS:
        raise InvalidInput({"instructions": _("At most %(n)s characters, please.", n=MAX_INSTRUCTIONS)})
    async with writing():
        order = await Order.select(Order.status).where(Order.id == order_id).first()
        if order["status"] not in INSTRUCTIONS_OPEN:
            raise Conflict(_("The courier is already on the way; please call us to change the instructions."))
        row = await DeliveryInstruction.objects().where(DeliveryInstruction.order == order_id).first()
        if row is None:
            await audit.insert(actor, DeliveryInstruction(order=order_id, text=text), summary="client instructions")
        else:
            await audit.update(actor, row, {"text": text, "updated_at": datetime.now(timezone.utc)},
                               summary="client instructions")


async def rate_delivery(actor: Actor, order_id: int, stars: int | None, comment: str) -> None:
    comment = comment.strip()
    errors = {}
    if stars is None or not 1 <= stars <= 5:
        errors["stars"] = _("Choose from one to five stars.")
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("At most %(n)s characters, please.", n=MAX_COMMENT)
    if errors:
        raise InvalidInput(errors)
    async with writing():
        order = await Order.select(Order.status).where(Order.id == order_id).first()
        if order["status"] != DELIVERED:
            raise Conflict(_("You can rate the delivery once it is delivered."))
        if await DeliveryRating.exists().where(DeliveryRating.order == order_id):
            raise Conflict(_("Thank you, this delivery is already rated."))
        progress = await order_progress(order_id, order["status"])
        await audit.insert(actor, DeliveryRating(order=order_id, courier=progress.courier_user_id, stars=stars,
                                                 comment=comment), summary="client rating")
