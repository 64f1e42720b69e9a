"""The courier's offline sync: phones (sync clients), every mutation they pushed, the change log phones pull,
and what the courier records in the field — GPS points, proof-of-delivery photos and signatures (blobs), cash
ledger entries, notes, address suggestions — plus the problems shown back to the courier and to dispatch.

Courier-owned rows are append-only and carry `source` = "<client_id>:<mutation_id>" (unique), so a repeat of a
mutation can never add a second row. See /work/shared/docs/sync-protocol.md.
"""

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    Bytea,
    DoublePrecision,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tables.accounts import User
from tables.orders import Order
from tables.routes import Stop


class SyncClient(Table):
    """One phone's outbox: its random id, whose it is, and the last mutation the server applied from it."""

    client_id = Varchar(length=64, unique=True, index=True)
    courier = ForeignKey(User, index=True)
    last_mutation_id = BigInt(default=0)
    last_seen_at = Timestamptz(null=True, default=None)
    clock_offset_s = Integer(default=0)  # device clock minus server clock at the last push
    clock_off = Boolean(default=False)  # off by more than 5 minutes
    created_at = Timestamptz(default=TimestamptzNow())


class MutationLog(Table):
    """Every mutation the server took from a phone, once: applied, superseded or rejected (with the reason)."""

    source = Varchar(length=100, unique=True)  # client_id:mutation_id
    client_id = Varchar(length=64, index=True)
    mutation_id = BigInt()
    courier = ForeignKey(User, index=True)
    name = Varchar(length=40)
    result = Varchar(length=12, index=True)  # applied | superseded | rejected
    reason = Varchar(length=60, default="")
    received_at = Timestamptz(default=TimestamptzNow())
    device_ts = Timestamptz(null=True, default=None)  # clamped; for display only


class SyncVersion(Table):
    """The one version counter: bumped inside every write transaction that changes what phones pull, so commit
    order is version order. `floor` is the oldest version the change log still holds (older cursors reset)."""

    value = BigInt(default=0)
    floor = BigInt(default=0)


class ChangeLog(Table):
    """What changed, at which version, for which courier's phone (`audience`); `deleted` = a tombstone: the
    row left that courier's scope (reassigned, cancelled, removed)."""

    version = BigInt(index=True)
    entity = Varchar(length=20)  # route | stop | order
    entity_id = BigInt(index=True)
    audience = ForeignKey(User, index=True)
    deleted = Boolean(default=False)
    changed_at = Timestamptz(default=TimestamptzNow(), index=True)


class Blob(Table):
    """A proof-of-delivery photo or signature, addressed by the SHA-256 of its bytes."""

    sha256 = Varchar(length=64, unique=True, index=True)
    content_type = Varchar(length=40)
    size = Integer()
    data = Bytea()
    uploaded_by = ForeignKey(User, null=True)
    uploaded_at = Timestamptz(default=TimestamptzNow())


class GpsPoint(Table):
    """A courier's position while on shift (append-only); feeds the board and ETAs."""

    source = Varchar(length=110, unique=True)  # client_id:mutation_id:index
    courier = ForeignKey(User, index=True)
    lat = DoublePrecision()
    lon = DoublePrecision()
    accuracy_m = DoublePrecision(null=True, default=None)
    recorded_at = Timestamptz(index=True)  # device time, clamped
    received_at = Timestamptz(default=TimestamptzNow())


class DeliveryProof(Table):
    """What the courier recorded at a stop: a delivery (recipient, photo, signature) or a failed attempt
    (reason code, note, photo). Photos and signatures are blob hashes; the blob may still be uploading."""

    source = Varchar(length=100, unique=True)
    order = ForeignKey(Order, index=True)
    stop = ForeignKey(Stop, null=True)
    courier = ForeignKey(User, index=True)
    outcome = Varchar(length=12)  # delivered | failed
    recipient_name = Varchar(length=200, default="")
    reason_code = Varchar(length=30, default="")
    note = Text(default="")
    photo_sha256 = Varchar(length=64, default="")
    signature_sha256 = Varchar(length=64, default="")
    lat = DoublePrecision(null=True, default=None)
    lon = DoublePrecision(null=True, default=None)
    happened_at = Timestamptz()  # device time, clamped
    received_at = Timestamptz(default=TimestamptzNow())


class CashEntry(Table):
    """The cash ledger: what a courier collected. Totals are sums; a correction is a new entry."""

    source = Varchar(length=100, unique=True)
    order = ForeignKey(Order, index=True)
    courier = ForeignKey(User, index=True)
    amount = BigInt()  # minor units, may be negative for a correction
    currency = Varchar(length=3)
    method = Varchar(length=10, default="cash")  # cash | card
    mismatch = Boolean(default=False)  # the order's total collected differs from its cash on delivery
    collected_at = Timestamptz()
    received_at = Timestamptz(default=TimestamptzNow())


class CourierNote(Table):
    source = Varchar(length=100, unique=True)
    order = ForeignKey(Order, index=True)
    courier = ForeignKey(User, index=True)
    text = Text()
    written_at = Timestamptz()
    received_at = Timestamptz(default=TimestamptzNow())


class AddressSuggestion(Table):
    """A courier's fix for a drop-off address; the dispatcher accepts or declines it (dispatcher wins)."""

    source = Varchar(length=100, unique=True)
    order = ForeignKey(Order, index=True)
    courier = ForeignKey(User, index=True)
    address = Varchar(length=300)
    lat = DoublePrecision(null=True, default=None)
    lon = DoublePrecision(null=True, default=None)
    note = Text(default="")
    status = Varchar(length=10, default="pending", index=True)  # pending | accepted | declined
    suggested_at = Timestamptz()


class SyncProblem(Table):
    """Something the courier did that the server superseded or rejected, or flagged for dispatch (cash
    mismatch, reassigned order, a phone clock that is off). Shown to the courier in their language (the
    reason is a code with params) and to the dispatcher."""

    courier = ForeignKey(User, index=True)
    client_id = Varchar(length=64, default="")
    mutation_id = BigInt(default=0)
    name = Varchar(length=40, default="")
    kind = Varchar(length=12)  # superseded | rejected | flag
    reason = Varchar(length=60)
    params = JSON(default="{}")
    order = ForeignKey(Order, null=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    resolved_at = Timestamptz(null=True, default=None)
