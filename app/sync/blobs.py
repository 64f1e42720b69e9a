"""Proof-of-delivery photos and signatures, stored by the SHA-256 of their bytes.

The phone uploads them on their own queue (a slow photo never holds back a status change); a mutation names a
blob by its hash, and until the bytes arrive dispatch sees "photo uploading". Storing is idempotent.
"""

from __future__ import annotations

import hashlib
import re

from app.db import writing
from app.errors import DomainError, InvalidInput
from app.i18n import gettext as _
from tables.sync import Blob, DeliveryProof

MAX_BYTES = 1024 * 1024  # the phone compresses photos to at most 1 MB
SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
}
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class TooLarge(DomainError):
    status_code = 413


class UnsupportedType(DomainError):
    status_code = 415


def check_blob(sha256: str, content_type: str, data: bytes) -> str:
    """The normalised content type, or an error naming what is wrong."""
    if not SHA256.match(sha256 or ""):
        raise InvalidInput({"sha256": _("Not a SHA-256 hash.")})
    if len(data) > MAX_BYTES:
        raise TooLarge(_("A photo may be at most 1 MB."))
    if not data:
        raise InvalidInput({"body": _("The file is empty.")})
    kind = (content_type or "").split(";")[0].strip().lower()
    magic = SIGNATURES.get(kind)
    if magic is None:
        raise UnsupportedType(_("Only JPEG, PNG and WebP images are accepted."))
    if not any(data.startswith(prefix) for prefix in magic) or (kind == "image/webp" and data[8:12] != b"WEBP"):
        raise UnsupportedType(_("The file is not the image type it claims to be."))
    if hashlib.sha256(data).hexdigest() != sha256:
        raise InvalidInput({"sha256": _("The file does not match its hash; send it again.")})
    return kind


async def store_blob(sha256: str, content_type: str, data: bytes, uploaded_by: int | None) -> bool:
    """Store the blob; returns False when it was already there (nothing written)."""
    kind = check_blob(sha256, content_type, data)
    if await Blob.exists().where(Blob.sha256 == sha256):
        return False
    async with writing():
        await Blob.insert(Blob(sha256=sha256, content_type=kind, size=len(data), data=data,
                               uploaded_by=uploaded_by)).on_conflict(target=Blob.sha256, action="DO NOTHING")
    return True


async def blob(sha256: str) -> dict | None:
    """The blob's bytes and type, for the board, the tracking page and proof display."""
    return await Blob.select(Blob.sha256, Blob.content_type, Blob.size, Blob.data).where(
        Blob.sha256 == sha256).first()


async def present(hashes: list[str]) -> set[str]:
    hashes = [value for value in hashes if value]
    if not hashes:
        return set()
    return {row["sha256"] for row in await Blob.select(Blob.sha256).where(Blob.sha256.is_in(hashes))}


async def proof_hashes(order_id: int) -> list[str]:
    rows = await DeliveryProof.select(DeliveryProof.photo_sha256, DeliveryProof.signature_sha256).where(
        DeliveryProof.order == order_id)
    return [value for row in rows for value in (row["photo_sha256"], row["signature_sha256"]) if value]
