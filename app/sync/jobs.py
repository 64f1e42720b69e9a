"""The sync's periodic job: trim the change log to its retention (phones with an older cursor reset)."""

from __future__ import annotations

from app.jobs import job_actor
from app.sync.changes import purge_change_log


@job_actor(queue_name="default")
async def purge_sync_change_log() -> dict:
    """Change rows older than seven days go; a phone that has not synced for that long takes a full snapshot."""
    return {"removed": await purge_change_log()}
