"""Keyset pagination for lists sorted by a column and the id: one query a page, however deep the page.

The cursor is opaque text for a URL (the sort value and the id of the last row shown, JSON in base64url), so a
name with any character in it round-trips; a cursor that does not decode starts again at the first page.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from piccolo.columns import Column
from piccolo.query import Select


@dataclass(frozen=True)
class Page:
    rows: list[dict]
    after: str | None  # the cursor of the next page; None on the last one


def encode(value, row_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([value, row_id]).encode()).decode().rstrip("=")


def decode(cursor: str | None, value_type: type = str) -> tuple | None:
    if not cursor:
        return None
    try:
        value, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error):
        return None
    if type(row_id) is not int or type(value) is not value_type:  # a forged cursor must not reach the SQL
        return None
    return value, row_id


async def keyset_page(query: Select, key: Column, key_name: str, after: str | None = None,
                      limit: int = 50) -> Page:
    """The rows after the cursor in (key, id) order. `key_name`: the key's name (or alias) in the rows; the
    query must select the table's id."""
    row_id = query.table.id
    start = decode(after, key.value_type)
    if start is not None:
        value, last_id = start
        query = query.where((key > value) | ((key == value) & (row_id > last_id)))
    rows = await query.order_by(key).order_by(row_id).limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode(rows[-1][key_name], rows[-1]["id"]) if more else None)
