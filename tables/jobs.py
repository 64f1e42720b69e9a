"""Background jobs. Their state lives here, not only in the broker, so a restart re-sends unfinished work."""

from piccolo.columns import JSON, Integer, Real, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Job(Table):
    actor = Varchar(length=100, index=True)
    queue = Varchar(length=50, default="default")
    args = JSON(default="{}")
    status = Varchar(length=20, default="queued", index=True)
    attempts = Integer(default=0)
    progress = Real(default=0.0)
    result = JSON(default="null")
    error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
