"""Counterparties: the companies and people we deliver for, carry with, or buy from, and their contacts."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tables.accounts import User
from tables.pricing import PriceList


class Counterparty(Table):
    kind = Varchar(length=10, default="company")  # company | person
    name = Varchar(length=200, index=True)
    is_client = Boolean(default=True)
    is_carrier = Boolean(default=False)
    is_supplier = Boolean(default=False)
    tax_id = Varchar(length=40, default="", index=True)
    email = Varchar(length=254, default="", index=True)  # lower-cased on write
    phone = Varchar(length=32, default="", index=True)  # E.164 on write
    address = Text(default="")
    lat = Varchar(length=20, default="")
    lon = Varchar(length=20, default="")
    locale = Varchar(length=8, default="en")
    time_zone = Varchar(length=64, default="UTC")
    category = Varchar(length=50, default="")
    marketing_source = Varchar(length=100, default="")
    priority_time_cost = Integer(null=True, default=None)  # 0 = cheapest, 100 = fastest
    manager = ForeignKey(User, null=True, index=True)
    price_list = ForeignKey(PriceList, null=True, default=None)  # None: the company's list applies
    notes = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    # CRM (issue 8): duplicate key, lifecycle, registration, the contact rhythm the daily list reads.
    name_key = Varchar(length=200, default="", index=True)  # normalised name: lower, no accents, no legal form
    state = Varchar(length=20, default="active", index=True)  # prospect | active | dormant | lost
    source_detail = Varchar(length=200, default="")  # "how did you hear of us", in the client's words
    website = Varchar(length=200, default="")
    registered_by = ForeignKey(User, null=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    last_contact_at = Timestamptz(null=True, default=None)
    last_order_at = Timestamptz(null=True, default=None)
    order_rhythm_days = Integer(null=True, default=None)  # median days between orders, when known
    contact_every_days = Integer(default=30)  # the longest silence allowed before a manager calls
    completeness = Integer(default=0)  # percent of required fields filled
    merged_into = Integer(null=True, default=None)  # set on the loser of a merge


class Contact(Table):
    counterparty = ForeignKey(Counterparty, index=True)
    name = Varchar(length=200)
    position = Varchar(length=100, default="")
    phone = Varchar(length=32, default="", index=True)
    email = Varchar(length=254, default="", index=True)
    is_primary = Boolean(default=False)
    extra = JSON(default="{}")  # any number of extra fields: {"Birthday": "12 May", "Telegram": "@x"}
    notes = Text(default="")


class LegalEntity(Table):
    """A company may invoice under several legal entities, each with its tax id and bank details."""

    counterparty = ForeignKey(Counterparty, index=True)
    name = Varchar(length=200)
    tax_id = Varchar(length=40, default="", index=True)
    registration_number = Varchar(length=60, default="")
    address = Text(default="")
    bank_name = Varchar(length=120, default="")
    iban = Varchar(length=42, default="")
    bic = Varchar(length=11, default="")


class NameWord(Table):
    """Each word of a counterparty's normalised name, so a search for any word of it is an index range, not a scan."""

    counterparty = ForeignKey(Counterparty, index=True)
    word = Varchar(length=60, index=True)


class CounterpartyTag(Table):
    counterparty = ForeignKey(Counterparty, index=True)
    tag = Varchar(length=50, index=True)


class Classifier(Table):
    """An admin-defined way of sorting clients: business sphere, segment, region..."""

    name = Varchar(length=100, unique=True)


class ClassifierValue(Table):
    classifier = ForeignKey(Classifier, index=True)
    name = Varchar(length=100)


class CounterpartyClassification(Table):
    counterparty = ForeignKey(Counterparty, index=True)
    value = ForeignKey(ClassifierValue, index=True)


class ManagerAssignment(Table):
    """Who held the client, from when to when (ended_at None: holds it now). Kept for staff who left.

    The lead manager (also on Counterparty.manager) comes first on the daily list; co-managers see and work the
    client too."""

    counterparty = ForeignKey(Counterparty, index=True)
    manager = ForeignKey(User, index=True)
    started_at = Timestamptz(default=TimestamptzNow())
    ended_at = Timestamptz(null=True, default=None)
    assigned_by = ForeignKey(User, null=True)
    lead = Boolean(default=True)  # False: a co-manager


class Share(Table):
    """A counterparty shown explicitly to a user who would not see it otherwise."""

    counterparty = ForeignKey(Counterparty, index=True)
    user = ForeignKey(User, index=True)
    shared_by = ForeignKey(User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
