"""Reading the audit log: filtered by person, record and dates, newest first, a page at a time (keyset on id)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from tables.audit import AuditEntry


@dataclass
class AuditFilter:
    user_id: int | None = None
    record_type: str = ""
    record_id: str = ""
    day_from: date | None = None
    day_to: date | None = None
    time_zone: str = "UTC"

    def _start_of(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=ZoneInfo(self.time_zone)).astimezone(timezone.utc)


async def audit_page(filters: AuditFilter, before_id: int | None = None, limit: int = 50) -> tuple[list[dict], int | None]:
    """One page of entries and the cursor for the next one (None on the last page)."""
    query = AuditEntry.select(
        AuditEntry.id, AuditEntry.at, AuditEntry.action, AuditEntry.record_type, AuditEntry.record_id,
        AuditEntry.summary, AuditEntry.changes, AuditEntry.ip, AuditEntry.user.login.as_alias("user_login"),
        AuditEntry.user.full_name.as_alias("user_name"),
    )
    conditions = []
    if before_id:
        conditions.append(AuditEntry.id < before_id)
    if filters.user_id:
        conditions.append(AuditEntry.user == filters.user_id)
    if filters.record_type:
        conditions.append(AuditEntry.record_type == filters.record_type)
    if filters.record_id:
        conditions.append(AuditEntry.record_id == filters.record_id)
    if filters.day_from:
        conditions.append(AuditEntry.at >= filters._start_of(filters.day_from))
    if filters.day_to:
        conditions.append(AuditEntry.at < filters._start_of(filters.day_to + timedelta(days=1)))
    for condition in conditions:
        query = query.where(condition)
    rows = await query.order_by(AuditEntry.id, ascending=False).limit(limit + 1)
    for row in rows:
        if isinstance(row["changes"], str):
            row["changes"] = json.loads(row["changes"] or "{}")
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1]["id"] if more else None)


def record_types() -> list[str]:
    """Every kind of record that can be audited: the tables (no scan of a large log to find them)."""
    from tables.piccolo_app import APP_CONFIG

    return sorted(table._meta.tablename for table in APP_CONFIG.table_classes)
