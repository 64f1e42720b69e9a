"""Orders: what a client asks us to carry, from where to where and when, with its status history."""

from piccolo.columns import JSON, Boolean, Bytea, DoublePrecision, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tables.accounts import User
from tables.counterparties import Counterparty


class Place(Table):
    address = Varchar(length=300)
    lat = DoublePrecision()
    lon = DoublePrecision()
    contact_name = Varchar(length=200, default="")
    contact_phone = Varchar(length=32, default="")
    zone = Varchar(length=40, default="", index=True)  # postcode, for price rules and board filters


class Order(Table, tablename="delivery_order"):
    reference = Varchar(length=30, unique=True, index=True)
    external_ref = Varchar(length=100, default="", index=True)
    client = ForeignKey(Counterparty, index=True)
    pickup = ForeignKey(Place)
    dropoff = ForeignKey(Place)
    pickup_from = Timestamptz(null=True, default=None)
    pickup_to = Timestamptz(null=True, default=None)
    deliver_from = Timestamptz(null=True, default=None, index=True)
    deliver_to = Timestamptz(null=True, default=None)
    service_minutes = Integer(default=5)
    weight_kg = DoublePrecision(default=0.0)
    volume_m3 = DoublePrecision(default=0.0)
    pieces = Integer(default=1)
    cod_amount = Integer(default=0)  # cash on delivery, minor units
    price = Integer(default=0)
    price_set_by_hand = Boolean(default=False)
    currency = Varchar(length=3, default="EUR")
    priority_time_cost = Integer(default=50)  # 0 = cheapest, 100 = fastest
    status = Varchar(length=20, default="new", index=True)
    tracking_token = Varchar(length=64, unique=True, index=True)
    notes = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    distance_km = DoublePrecision(default=0.0)
    waiting_minutes = Integer(default=0)
    with_return = Boolean(default=False)
    price_breakdown = JSON(default=[])  # [{"label": ..., "amount": ...}], from app.pricing
    contact_email = Varchar(length=254, default="")


class OrderEvent(Table):
    order = ForeignKey(Order, index=True)
    status = Varchar(length=20)
    at = Timestamptz(default=TimestamptzNow())
    user = ForeignKey(User, null=True)
    lat = DoublePrecision(null=True, default=None)
    lon = DoublePrecision(null=True, default=None)
    note = Text(default="")
    kind = Varchar(length=20, default="status")  # status | reopen | edit | price
    from_status = Varchar(length=20, default="")


class OrderImport(Table):
    """An uploaded file of orders between its dry run and the dispatcher's confirmation (then its outcome)."""

    file_name = Varchar(length=200)
    content = Bytea()
    uploaded_by = ForeignKey(User, null=True)
    uploaded_at = Timestamptz(default=TimestamptzNow())
    status = Varchar(length=12, default="previewed")  # previewed | done
    created_count = Integer(default=0)
    error_count = Integer(default=0)
