"""Price lists: the company's list and per-client lists, each a set of rules the pricing function reads."""

from piccolo.columns import Boolean, DoublePrecision, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class PriceList(Table):
    name = Varchar(length=100)
    currency = Varchar(length=3, default="EUR")
    is_company_default = Boolean(default=False, index=True)  # the list used when a client has none
    notes = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class PriceRule(Table):
    """One line of a price list. `kind` says what it prices (see app/pricing for the meaning of each field):
    base, distance, weight, volume, zone, urgency, cod_fee, waiting, return, minimum."""

    price_list = ForeignKey(PriceList, index=True)
    kind = Varchar(length=20)
    band_from = DoublePrecision(default=0.0)  # km / kg / m3 / hours of notice; inclusive
    band_to = DoublePrecision(null=True, default=None)  # exclusive; None = no upper bound
    zone = Varchar(length=40, default="")  # postcode prefix the drop-off must start with
    amount = Integer(default=0)  # fixed amount, minor units
    per_unit = Integer(default=0)  # minor units per km / kg / m3 / waiting minute
    percent_bp = Integer(default=0)  # basis points (1% = 100), e.g. of the cash collected
    position = Integer(default=0)
