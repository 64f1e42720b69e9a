"""The per-client archive of messages (the client's dossier shows it): newest first, a page at a time."""

from __future__ import annotations

from tables.notifications import Message

PAGE = 50


async def client_messages(counterparty_id: int, before_id: int | None = None, limit: int = PAGE) -> list[dict]:
    """One query whatever the page size; pass the last id shown as `before_id` for the next page."""
    query = Message.select(
        Message.id, Message.created_at, Message.sent_at, Message.trigger, Message.channel, Message.recipient,
        Message.subject, Message.body, Message.status, Message.reason, Message.send_after,
        Message.order.reference.as_alias("order_reference"),
    ).where(Message.counterparty == counterparty_id)
    if before_id:
        query = query.where(Message.id < before_id)
    return await query.order_by(Message.id, ascending=False).limit(limit)


async def order_messages(order_id: int) -> list[dict]:
    return await Message.select(Message.id, Message.created_at, Message.trigger, Message.channel, Message.recipient,
                                Message.status, Message.reason).where(Message.order == order_id).order_by(Message.id)
