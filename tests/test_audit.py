"""Audit entries are written in the same transaction as the change: a failure leaves neither."""

from __future__ import annotations

import pytest

from app import audit
from app.audit import Actor
from app.db import writing
from tables.audit import AuditEntry
from tables.counterparties import Counterparty


async def test_a_create_update_and_delete_each_leave_an_entry_with_the_diff():
    actor = Actor.system()
    async with writing():
        client = await audit.insert(actor, Counterparty(name="Boulangerie Martin", phone="+33140000000"))
    async with writing():
        changes = await audit.update(actor, client, {"name": "Boulangerie Martin SARL", "phone": "+33140000000"})
    assert changes == {"name": ["Boulangerie Martin", "Boulangerie Martin SARL"]}
    async with writing():
        await audit.delete(actor, client)
    entries = await AuditEntry.select(AuditEntry.action, AuditEntry.changes).order_by(AuditEntry.id).output(
        load_json=True)
    assert [entry["action"] for entry in entries] == ["create", "update", "delete"]
    assert entries[2]["changes"]["name"] == ["Boulangerie Martin SARL", None]


async def test_an_update_that_changes_nothing_writes_nothing():
    actor = Actor.system()
    async with writing():
        client = await audit.insert(actor, Counterparty(name="Optique Bernard"))
    async with writing():
        assert await audit.update(actor, client, {"name": "Optique Bernard"}) == {}
    assert await AuditEntry.count() == 1


async def test_a_failed_transaction_leaves_neither_the_change_nor_its_entry():
    actor = Actor.system()
    with pytest.raises(RuntimeError):
        async with writing():
            await audit.insert(actor, Counterparty(name="Ghost Ltd"))
            raise RuntimeError("the request failed half-way")
    assert await Counterparty.count() == 0
    assert await AuditEntry.count() == 0
