"""Activities: the calls, meetings, e-mails, tasks and visits of the managers, with their reschedules."""

from piccolo.columns import Boolean, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tables.accounts import User
from tables.counterparties import Contact, Counterparty
from tables.orders import Order


class Activity(Table):
    kind = Varchar(length=20, default="call")  # call | meeting | email | task | visit
    counterparty = ForeignKey(Counterparty, null=True, index=True)
    contact = ForeignKey(Contact, null=True)
    order = ForeignKey(Order, null=True, index=True)
    subject = Varchar(length=200, default="")  # what it is about: a product, an offer, a complaint
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz(null=True, default=None)
    goal = Text(default="")
    result = Text(default="")
    performer = ForeignKey(User, index=True)
    author = ForeignKey(User, null=True)  # who set it; None: the system
    priority = Varchar(length=10, default="normal")  # low | normal | high | very_high
    state = Varchar(length=12, default="planned", index=True)  # planned | done | postponed | cancelled | rescheduled
    origin = Varchar(length=30, default="manual")  # manual | welcome | contract_expiry | failed_delivery | daily_list
    remind_at = Timestamptz(null=True, default=None, index=True)
    reminded_at = Timestamptz(null=True, default=None)
    remind_by_email = Boolean(default=False)
    done_at = Timestamptz(null=True, default=None)
    verified_by = ForeignKey(User, null=True)
    verified_at = Timestamptz(null=True, default=None)
    verification_note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class ActivityReschedule(Table):
    """Every move of an activity in time, so a reschedule never erases when it was first due."""

    activity = ForeignKey(Activity, index=True)
    old_starts_at = Timestamptz()
    new_starts_at = Timestamptz()
    reason = Varchar(length=200, default="")
    by = ForeignKey(User, null=True)
    at = Timestamptz(default=TimestamptzNow())


class CalendarFeed(Table):
    """A private iCal feed URL per user; only the hash of its token is kept."""

    user = ForeignKey(User, unique=True, index=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
