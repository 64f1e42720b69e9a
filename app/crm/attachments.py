"""Documents attached to CRM records: size- and type-checked on upload, kept under the data dir by SHA-256."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from app import audit
from app.audit import Actor
from app.config import get_settings
from app.db import writing
from app.errors import InvalidInput, NotFound
from app.i18n import gettext as _
from tables.crm import Attachment

MAX_BYTES = 10 * 1024 * 1024
# Files a browser could run or that carry code are refused whatever they are called.
REFUSED_EXTENSIONS = {".exe", ".dll", ".bat", ".cmd", ".com", ".msi", ".scr", ".js", ".vbs", ".ps1", ".sh",
                      ".jar", ".html", ".htm", ".svg", ".xhtml", ".php"}
# When a file says it is one of these, its first bytes must agree.
MAGIC = {"application/pdf": [b"%PDF"], "image/png": [b"\x89PNG"], "image/jpeg": [b"\xff\xd8\xff"],
         "image/gif": [b"GIF8"],
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [b"PK"],
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [b"PK"], "application/zip": [b"PK"]}
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!")
RECORD_TYPES = ("counterparty", "contract", "activity", "contact")


def storage_dir() -> Path:
    return get_settings().data_dir / "attachments"


def path_of(sha256: str) -> Path:
    return storage_dir() / sha256[:2] / sha256


def safe_filename(name: str) -> str:
    name = Path(name.replace("\\", "/")).name
    return re.sub(r"[^\w.\- ]+", "_", name).strip(" .")[:200] or "file"


def check_upload(filename: str, content_type: str, data: bytes) -> None:
    if not data:
        raise InvalidInput({"file": _("Choose a file to upload.")})
    if len(data) > MAX_BYTES:
        raise InvalidInput({"file": _("The file is larger than %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024))})
    if Path(filename).suffix.lower() in REFUSED_EXTENSIONS or data.startswith(EXECUTABLE_MAGIC):
        raise InvalidInput({"file": _("This type of file is not accepted.")})
    expected = MAGIC.get(content_type)
    if expected and not any(data.startswith(magic) for magic in expected):
        raise InvalidInput({"file": _("The file's content does not match its type.")})


async def attach(actor: Actor, record_type: str, record_id: int, filename: str, content_type: str,
                 data: bytes) -> Attachment:
    """Callers check the user may see the record first."""
    if record_type not in RECORD_TYPES:
        raise InvalidInput({"record_type": _("Unknown record.")})
    filename = safe_filename(filename)
    content_type = (content_type or "application/octet-stream").split(";")[0].strip().lower()[:100]
    check_upload(filename, content_type, data)
    digest = hashlib.sha256(data).hexdigest()
    path = path_of(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)
    async with writing():
        return await audit.insert(actor, Attachment(record_type=record_type, record_id=record_id, filename=filename,
                                                    content_type=content_type, size=len(data), sha256=digest,
                                                    uploaded_by=actor.user_id))


async def get_attachment(attachment_id: int) -> Attachment:
    row = await Attachment.objects().where(Attachment.id == attachment_id).first()
    if row is None or not path_of(row.sha256).exists():
        raise NotFound(_("No such document."))
    return row


async def owning_counterparty(row: Attachment) -> int | None:
    """The counterparty whose visibility governs this document."""
    from tables.activities import Activity
    from tables.counterparties import Contact
    from tables.crm import Contract

    if row.record_type == "counterparty":
        return row.record_id
    if row.record_type == "activity":
        found = await Activity.select(Activity.counterparty).where(Activity.id == row.record_id).first()
        return found["counterparty"] if found else None
    table = {"contract": Contract, "activity": Activity, "contact": Contact}[row.record_type]
    found = await table.select(table.counterparty).where(table.id == row.record_id).first()
    return found["counterparty"] if found else None
