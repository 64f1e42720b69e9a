"""The VAPID key pair that signs our Web Push requests: generated on first use, kept in the database, so every
web and worker process (and every restart) signs with the same key that browsers subscribed with."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from piccolo.query.methods.insert import OnConflictAction
from py_vapid import Vapid

from tables.notifications import VapidKey

KEY_NAME = "default"
_cache: dict[str, tuple[str, str]] = {}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _generate() -> tuple[str, str]:
    vapid = Vapid()
    vapid.generate_keys()
    public = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return vapid.private_pem().decode(), _b64url(public)


async def vapid_keys() -> tuple[str, str]:
    """(private key PEM, public key as the browser's applicationServerKey)."""
    row = await VapidKey.select(VapidKey.private_pem, VapidKey.public_key).where(VapidKey.name == KEY_NAME).first()
    if row is None:
        private_pem, public = _generate()
        # Two processes starting together: the first insert wins, both then read the same row.
        await VapidKey.insert(VapidKey(name=KEY_NAME, private_pem=private_pem, public_key=public)).on_conflict(
            target=VapidKey.name, action=OnConflictAction.do_nothing)
        row = await VapidKey.select(VapidKey.private_pem, VapidKey.public_key).where(VapidKey.name == KEY_NAME).first()
    return row["private_pem"], row["public_key"]


async def public_key() -> str:
    return (await vapid_keys())[1]


def signer(private_pem: str) -> Vapid:
    return Vapid.from_pem(private_pem.encode())
