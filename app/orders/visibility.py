"""Who sees which orders: dispatchers and admins all of them, a manager the orders of the clients they see in
the CRM (their own, their team's, shared with them). Managers only read orders; dispatch changes them."""

from __future__ import annotations

from app.accounts.roles import ADMIN, DISPATCHER
from app.crm.visibility import viewer_of, visible_counterparties
from app.errors import NotFound
from app.i18n import gettext as _
from tables.accounts import User
from tables.counterparties import Counterparty
from tables.orders import Order

DESK = (DISPATCHER, ADMIN)


def may_change_orders(user: User) -> bool:
    return user.role in DESK


async def order_scope(user: User):
    """A WHERE clause on Order for what the user may see (None: everything)."""
    if user.role in DESK:
        return None
    clause = visible_counterparties(await viewer_of(user))
    if clause is None:
        return None
    return Order.client.is_in(Counterparty.select(Counterparty.id).where(clause))


async def require_order_visible(user: User, order_id: int) -> None:
    """Not found rather than forbidden, so nobody can probe which orders exist."""
    scope = await order_scope(user)
    if scope is not None and not await Order.exists().where((Order.id == order_id) & scope):
        raise NotFound(_("This order does not exist."))
