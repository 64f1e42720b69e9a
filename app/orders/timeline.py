"""What the order page shows: the order with its places, client, courier and timeline (a fixed number of
queries, whatever the length of the history)."""

from __future__ import annotations

from app.errors import NotFound
from app.i18n import gettext as _
from tables.orders import Order, OrderEvent
from tables.routes import Stop

ORDER_COLUMNS = (
    Order.all_columns(),
    Order.client.name.as_alias("client_name"), Order.client.manager.as_alias("client_manager"),
    *[getattr(Order, kind).__getattribute__(field).as_alias(f"{kind}_{field}")
      for kind in ("pickup", "dropoff")
      for field in ("address", "lat", "lon", "contact_name", "contact_phone", "zone")],
)


async def order_detail(order_id: int) -> dict:
    order = await Order.select(*ORDER_COLUMNS).where(Order.id == order_id).output(load_json=True).first()
    if order is None:
        raise NotFound(_("This order does not exist."))
    stop = await Stop.select(Stop.id, Stop.sequence, Stop.planned_eta, Stop.route.day.as_alias("day"),
                             Stop.route.courier.id.as_alias("courier_id"),
                             Stop.route.courier.user.full_name.as_alias("courier_name")).where(
        Stop.order == order_id).first()
    order["stop"] = stop
    order["events"] = await timeline(order_id)
    return order


async def timeline(order_id: int) -> list[dict]:
    return await OrderEvent.select(
        OrderEvent.id, OrderEvent.status, OrderEvent.from_status, OrderEvent.kind, OrderEvent.at, OrderEvent.note,
        OrderEvent.lat, OrderEvent.lon, OrderEvent.user.full_name.as_alias("user_name"),
    ).where(OrderEvent.order == order_id).order_by(OrderEvent.at).order_by(OrderEvent.id)
