"""Notifications: what we told each client (or staff member), on which channel, and what they agreed to.

`Message` is the per-client archive: every message sent, delayed, failed or skipped, with the reason.
"""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tables.accounts import User
from tables.counterparties import Counterparty
from tables.orders import Order


class PushSubscription(Table):
    """A browser's Web Push endpoint: a client's (for one order) or a staff member's."""

    endpoint = Text(unique=True)
    p256dh = Varchar(length=200)
    auth = Varchar(length=100)
    order = ForeignKey(Order, null=True, index=True)
    user = ForeignKey(User, null=True, index=True)
    locale = Varchar(length=8, default="en")
    created_at = Timestamptz(default=TimestamptzNow())
    last_sent_at = Timestamptz(null=True, default=None)


class MessageTemplate(Table):
    """An admin's wording for one trigger on one channel in one language (else the built-in wording is used)."""

    trigger = Varchar(length=30, index=True)
    channel = Varchar(length=10)
    locale = Varchar(length=8)
    subject = Varchar(length=200, default="")
    body = Text()
    updated_at = Timestamptz(default=TimestamptzNow())


class Message(Table, tablename="notification_message"):
    """One message to one recipient on one channel: queued, delayed (quiet hours), sent, delivered, failed,
    or skipped (with the reason)."""

    counterparty = ForeignKey(Counterparty, null=True, index=True)
    order = ForeignKey(Order, null=True, index=True)
    user = ForeignKey(User, null=True, index=True)
    trigger = Varchar(length=30)
    channel = Varchar(length=10)
    recipient = Varchar(length=300, default="")
    locale = Varchar(length=8, default="en")
    subject = Varchar(length=200, default="")
    body = Text(default="")
    status = Varchar(length=12, default="queued", index=True)
    reason = Varchar(length=300, default="")
    provider_id = Varchar(length=100, default="", index=True)
    attempts = Integer(default=0)
    dedupe_key = Varchar(length=200, unique=True)
    send_after = Timestamptz(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class TriggerSetting(Table):
    """A trigger switched on or off on a channel, for the whole company (no counterparty) or for one client."""

    counterparty = ForeignKey(Counterparty, null=True, index=True)
    trigger = Varchar(length=30)
    channel = Varchar(length=10)
    enabled = Boolean(default=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class ChannelConsent(Table):
    """A client's yes or no to being written on a channel, with when and how it was given."""

    counterparty = ForeignKey(Counterparty, index=True)
    channel = Varchar(length=10)
    granted = Boolean(default=False)
    at = Timestamptz(default=TimestamptzNow())
    how = Varchar(length=200, default="")


class VapidKey(Table):
    """The Web Push signing key, generated on first use and kept, so every process signs with the same one."""

    name = Varchar(length=20, unique=True)
    private_pem = Text()
    public_key = Varchar(length=200)
    created_at = Timestamptz(default=TimestamptzNow())
