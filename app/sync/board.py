"""What dispatch sees of the couriers' field work: the proof behind each order ("delivered, photo uploading")
and the problems sync raised (superseded or rejected actions, cash mismatches, reassigned orders, wrong clocks).

For the board (issue 4) and the tracking page (issue 7): plain queries, a constant number of them per call.
"""

from __future__ import annotations

from datetime import datetime

from app.i18n import gettext as _
from app.sync.blobs import present
from app.sync.reasons import RESULT_NAMES, explain
from tables.sync import DeliveryProof, SyncProblem

UPLOADED, UPLOADING = "uploaded", "uploading"


def proof_label(proof: dict) -> str:
    """"Delivered, photo uploading" and the like, in the reader's language."""
    waiting = [name for name, state in ((_("photo"), proof["photo"]), (_("signature"), proof["signature"]))
               if state == UPLOADING]
    done = _("Delivered") if proof["outcome"] == "delivered" else _("Failed attempt")
    if waiting:
        return _("%(done)s, %(what)s uploading", done=done, what=", ".join(waiting))
    return done


async def field_proofs(order_ids: list[int]) -> dict[int, dict]:
    """order id -> the latest proof the courier recorded: outcome, when (device time, clamped), recipient or
    reason, and whether its photo and signature have arrived (`uploaded`, `uploading`, or "" when none).
    Two queries whatever the number of orders."""
    if not order_ids:
        return {}
    rows = await DeliveryProof.select(
        DeliveryProof.order, DeliveryProof.outcome, DeliveryProof.happened_at, DeliveryProof.recipient_name,
        DeliveryProof.reason_code, DeliveryProof.note, DeliveryProof.photo_sha256, DeliveryProof.signature_sha256,
        DeliveryProof.courier,
    ).where(DeliveryProof.order.is_in(order_ids)).order_by(DeliveryProof.id)
    latest = {row["order"]: row for row in rows}
    arrived = await present([h for row in latest.values() for h in (row["photo_sha256"], row["signature_sha256"])])
    proofs = {}
    for order_id, row in latest.items():
        proof = {
            "outcome": row["outcome"], "happened_at": row["happened_at"], "recipient_name": row["recipient_name"],
            "reason_code": row["reason_code"], "note": row["note"], "courier": row["courier"],
            "photo_sha256": row["photo_sha256"], "signature_sha256": row["signature_sha256"],
            "photo": (UPLOADED if row["photo_sha256"] in arrived else UPLOADING) if row["photo_sha256"] else "",
            "signature": ((UPLOADED if row["signature_sha256"] in arrived else UPLOADING)
                          if row["signature_sha256"] else ""),
        }
        proof["label"] = proof_label(proof)
        proofs[order_id] = proof
    return proofs


async def sync_problems(courier_id: int | None = None, since: datetime | None = None, before_id: int | None = None,
                        limit: int = 50, open_only: bool = True) -> list[dict]:
    """Problems newest first (keyset by id), each explained in the reader's language; one query."""
    query = SyncProblem.select(
        SyncProblem.id, SyncProblem.courier, SyncProblem.courier.full_name.as_alias("courier_name"),
        SyncProblem.name, SyncProblem.kind, SyncProblem.reason, SyncProblem.params, SyncProblem.order,
        SyncProblem.order.reference.as_alias("reference"), SyncProblem.created_at, SyncProblem.mutation_id)
    if courier_id is not None:
        query = query.where(SyncProblem.courier == courier_id)
    if since is not None:
        query = query.where(SyncProblem.created_at >= since)
    if before_id is not None:
        query = query.where(SyncProblem.id < before_id)
    if open_only:
        query = query.where(SyncProblem.resolved_at.is_null())
    rows = await query.order_by(SyncProblem.id, ascending=False).limit(limit)
    for row in rows:
        params = row["params"]
        if isinstance(params, str):
            import json

            params = json.loads(params or "{}")
        row["params"] = params
        row["message"] = explain(row["reason"], params)
        row["kind_name"] = str(RESULT_NAMES.get(row["kind"], row["kind"]))
    return rows
