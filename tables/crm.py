"""The CRM around the counterparty: contracts, plans, the daily contact list, custom fields, documents, settings."""

from piccolo.columns import JSON, Boolean, BigInt, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tables.accounts import User
from tables.activities import Activity
from tables.counterparties import Counterparty


class Contract(Table):
    counterparty = ForeignKey(Counterparty, index=True)
    number = Varchar(length=60)
    signed_on = Date(null=True, default=None)
    starts_on = Date()
    ends_on = Date(null=True, default=None, index=True)
    terms = Text(default="")
    remind_days_before = Integer(default=30)
    reminded_at = Timestamptz(null=True, default=None)
    renewed_from = Integer(null=True, default=None)  # the contract this one renews
    state = Varchar(length=12, default="active")  # active | renewed | ended
    created_at = Timestamptz(default=TimestamptzNow())


class Plan(Table):
    """A manager's target for one metric over one period (activities by kind, new clients, orders, revenue)."""

    manager = ForeignKey(User, index=True)
    period_start = Date()
    period_end = Date()
    metric = Varchar(length=30)  # activities:call ... | new_clients | orders | revenue
    target = BigInt(default=0)  # revenue in minor units
    set_by = ForeignKey(User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class ContactListItem(Table):
    """One client on one manager's daily contact list; done only once the result is recorded."""

    day = Date(index=True)
    counterparty = ForeignKey(Counterparty, index=True)
    manager = ForeignKey(User, index=True)
    reason = Varchar(length=30)  # silence | rhythm
    days_silent = Integer(default=0)
    state = Varchar(length=12, default="open")  # open | done | escalated
    activity = ForeignKey(Activity, null=True)
    result = Text(default="")
    carried_over = Integer(default=0)  # how many mornings it came back unfinished
    escalated_to = ForeignKey(User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class CustomFieldDef(Table):
    """A field an admin adds to counterparties, contacts or activities."""

    entity = Varchar(length=20)  # counterparty | contact | activity
    name = Varchar(length=60)
    label = Varchar(length=100)
    kind = Varchar(length=10, default="text")  # text | number | date | choice
    choices = JSON(default="[]")
    required = Boolean(default=False)
    position = Integer(default=0)


class CustomFieldValue(Table):
    field = ForeignKey(CustomFieldDef, index=True)
    record_id = Integer(index=True)
    value = Text(default="")


class Attachment(Table):
    """A document on any CRM record; the file sits under the data dir, named by its SHA-256."""

    record_type = Varchar(length=30)
    record_id = Integer(index=True)
    filename = Varchar(length=200)
    content_type = Varchar(length=100)
    size = Integer()
    sha256 = Varchar(length=64)
    uploaded_by = ForeignKey(User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class CrmSetting(Table):
    """Admin settings of the CRM: which card fields are required, the completeness threshold."""

    name = Varchar(length=60, unique=True)
    value = JSON(default="null")
