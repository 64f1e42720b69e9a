"""Many rows into one table at once, inside the current write transaction, without building a Piccolo object
per row (a push of 200 GPS batches and log lines would spend most of its time there).

The statement is sent once with all the rows (`executemany`) on the transaction's own connection, so the rows
commit or roll back with everything else the push did. Columns left out get the column's default.
"""

from __future__ import annotations

import json
from typing import Any

from piccolo.columns import JSON, JSONB
from piccolo.table import Table

from app.db import engine, is_sqlite


def _default(column) -> Any:
    value = column.get_default_value()
    return value.python() if hasattr(value, "python") else value


async def insert_rows(table: type[Table], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if engine().current_transaction.get() is None:  # outside a transaction: the plain (slower) way
        await table.insert(*[table(**row) for row in rows])
        return
    columns = [column for column in table._meta.columns if column._meta.name != "id"]
    defaults = {column._meta.name: _default(column) for column in columns}
    as_text = {column._meta.name for column in columns if isinstance(column, (JSON, JSONB))}
    values = []
    for row in rows:
        line = []
        for column in columns:
            name = column._meta.name
            value = row.get(name, defaults[name])
            if name in as_text and not isinstance(value, str):
                value = json.dumps(value, default=str)
            line.append(value)
        values.append(tuple(line))
    names = ", ".join(f'"{column._meta.db_column_name}"' for column in columns)
    db = engine()
    transaction = db.current_transaction.get()
    if transaction is None:
        raise RuntimeError("insert_rows runs inside app.db.writing()")
    if is_sqlite(db):
        marks = ", ".join("?" for _ in columns)
    else:
        marks = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    await transaction.connection.executemany(
        f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ({marks})', values)


async def update_by_id(table: type[Table], column_name: str, values: dict[int, Any],
                       also: dict[str, Any] | None = None) -> None:
    """Set `column_name` to a different value per row id (one statement), and `also` the same on all of them."""
    if not values:
        return
    db = engine()
    transaction = db.current_transaction.get()
    if transaction is None:
        raise RuntimeError("update_by_id runs inside app.db.writing()")
    sqlite = is_sqlite(db)
    params: list[Any] = []

    def mark(value: Any, cast: str = "") -> str:
        params.append(value)
        return "?" if sqlite else f"${len(params)}{cast}"

    column = getattr(table, column_name)
    cast = "" if sqlite else f"::{column.column_type}"
    ids = sorted(values)
    cases = " ".join(f"WHEN {mark(row_id)} THEN {mark(values[row_id], cast)}" for row_id in ids)
    sets = [f'"{column._meta.db_column_name}" = CASE "id" {cases} END']
    for name, value in (also or {}).items():
        other = getattr(table, name)
        sets.append(f'"{other._meta.db_column_name}" = {mark(value, "" if sqlite else "::" + other.column_type)}')
    where = ", ".join(mark(row_id) for row_id in ids)
    sql = f'UPDATE "{table._meta.tablename}" SET {", ".join(sets)} WHERE "id" IN ({where})'
    if sqlite:
        await transaction.connection.execute(sql, params)
    else:
        await transaction.connection.execute(sql, *params)


def marks(values: list) -> str:
    """"{}, {}, ..." for a raw query's IN list (never empty: an empty list matches nothing)."""
    return ", ".join("{}" for _ in values) if values else "NULL"


async def select_raw(table: type[Table], sql: str, *args: Any, lock: str = "") -> list[dict]:
    """A plain SELECT with `{}` placeholders, for the push's hot reads (Piccolo's query builder costs ~2 ms per
    joined select; this costs a tenth). `lock`: the table alias to lock FOR UPDATE on PostgreSQL."""
    if lock and not is_sqlite():
        sql += f" FOR UPDATE OF {lock}"
    return await table.raw(sql, *args)
