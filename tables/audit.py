"""The audit log: who changed which record, when, field by field. Written in the same transaction as the change."""

from piccolo.columns import JSON, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tables.accounts import User


class AuditEntry(Table):
    at = Timestamptz(default=TimestamptzNow(), index=True)
    user = ForeignKey(User, null=True, index=True)
    action = Varchar(length=20)
    record_type = Varchar(length=50, index=True)
    record_id = Varchar(length=50, index=True)
    summary = Text(default="")
    changes = JSON(default="{}")
    ip = Varchar(length=64, default="")
