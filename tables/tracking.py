"""What a client leaves on the tracking page (instructions, a rating) and the page's request counters."""

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tables.accounts import User
from tables.orders import Order


class DeliveryInstruction(Table):
    """The client's note for the courier ("leave it with the concierge"), editable until the courier sets out."""

    order = ForeignKey(Order, unique=True, index=True)
    text = Text()
    updated_at = Timestamptz(default=TimestamptzNow())


class DeliveryRating(Table):
    """1-5 stars and a comment after delivery; feeds the courier and carrier reports."""

    order = ForeignKey(Order, unique=True, index=True)
    courier = ForeignKey(User, null=True, index=True)
    stars = Integer()
    comment = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class TrackingRevocation(Table):
    """A tracking token a dispatcher revoked: it never opens the page again (the order gets a new one)."""

    token = Varchar(length=64, unique=True, index=True)
    order = ForeignKey(Order, index=True)
    revoked_at = Timestamptz(default=TimestamptzNow())
    revoked_by = ForeignKey(User, null=True)


class RequestCounter(Table):
    """A fixed-window request counter (the tracking page's rate limit), shared by every web process."""

    key = Varchar(length=200, unique=True, index=True)
    hits = Integer(default=0)
    window_started_at = Timestamptz(default=TimestamptzNow())
