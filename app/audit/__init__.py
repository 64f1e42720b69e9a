"""The audit trail: every create, update and delete made through the domain layer, with its field diff.

The helpers here write the change *and* its entry; callers run them inside `app.db.writing()`, so both commit
together or neither does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from piccolo.table import Table

from tables.audit import AuditEntry

# Values never copied into the log; the entry says only that they changed.
SECRET_FIELDS = {"password_hash", "token_hash", "csrf_token"}


@dataclass(frozen=True)
class Actor:
    """Who is making a change, and from where. `user_id` is None for the system (seeds, workers, the clock)."""

    user_id: int | None
    ip: str = ""
    role: str = ""

    @classmethod
    def system(cls) -> "Actor":
        return cls(user_id=None, role="system")


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Table):
        return value.id
    return value


def record_type(table: type[Table] | Table) -> str:
    cls = table if isinstance(table, type) else type(table)
    return cls._meta.tablename


def row_values(row: Table) -> dict[str, Any]:
    values = {}
    for column in row._meta.columns:
        name = column._meta.name
        if name == "id":
            continue
        values[name] = _plain(getattr(row, name))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """Field -> [old, new] for the fields that changed; secrets show as '***'."""
    changes = {}
    for name in {**before, **after}:
        old, new = before.get(name), after.get(name)
        if _plain(old) != _plain(new):
            if name in SECRET_FIELDS:
                changes[name] = ["***", "***"]
            else:
                changes[name] = [_plain(old), _plain(new)]
    return changes


async def log(actor: Actor, action: str, table: type[Table] | Table, record_id: Any, changes: dict,
              summary: str = "") -> None:
    await AuditEntry.insert(
        AuditEntry(
            user=actor.user_id,
            action=action,
            record_type=record_type(table),
            record_id=str(record_id),
            summary=summary[:500],
            changes=changes,
            ip=actor.ip,
        )
    )


async def insert(actor: Actor, row: Table, summary: str = "") -> Table:
    await row.save()
    await log(actor, "create", row, row.id, diff({}, row_values(row)), summary)
    return row


async def update(actor: Actor, row: Table, values: dict[str, Any], summary: str = "") -> dict:
    """Set `values` on `row`, save only what changed, and log the diff. Returns the diff (empty: nothing saved)."""
    before = row_values(row)
    for name, value in values.items():
        setattr(row, name, value)
    changes = diff(before, {**before, **{name: _plain(value) for name, value in values.items()}})
    if changes:
        columns = [getattr(type(row), name) for name in values if name in changes]
        await row.save(columns=columns)
        await log(actor, "update", row, row.id, changes, summary)
    return changes


async def delete(actor: Actor, row: Table, summary: str = "") -> None:
    await log(actor, "delete", row, row.id, diff(row_values(row), {}), summary)
    await type(row).delete().where(type(row).id == row.id)
