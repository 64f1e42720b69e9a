"""The geocoder's answers, kept so the same address is asked of the outside service once (shared by every
web process)."""

from piccolo.columns import JSON, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class GeocodeCache(Table):
    query_key = Varchar(length=300, unique=True, index=True)  # normalised query + language
    results = JSON(default="[]")
    created_at = Timestamptz(default=TimestamptzNow())
