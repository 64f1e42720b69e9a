"""Planning: the company's weights for the route optimizer."""

from piccolo.columns import ForeignKey, Integer, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tables.accounts import User


class PlanningSetting(Table):
    """One row (none until an admin or dispatcher first saves; the defaults in app/planning/settings.py apply)."""

    delay_cost_per_hour = Integer(default=2000)  # minor units: an hour of waiting for a time-first client
    default_priority = Integer(default=50)  # 0 = cheapest .. 100 = fastest, for clients who chose none
    updated_by = ForeignKey(User, null=True)
    updated_at = Timestamptz(default=TimestamptzNow())
