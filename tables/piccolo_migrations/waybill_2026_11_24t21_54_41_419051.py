"""CRM composite indexes (hand-written; Piccolo's columns declare single-column indexes only).

The calendar reads a performer's activities by time, the dossier a client's activities by time, a manager's list
their clients by name: each gets the index that answers it without a scan, on SQLite and PostgreSQL alike.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T21:54:41:420906"
VERSION = "1.38.0"
DESCRIPTION = "crm composite indexes"

INDEXES = [
    ("activity_performer_starts", "activity", "performer, starts_at"),
    ("activity_counterparty_starts", "activity", "counterparty, starts_at"),
    ("activity_performer_state_starts", "activity", "performer, state, starts_at"),
    ("counterparty_manager_name", "counterparty", "manager, name, id"),
    ("counterparty_name_id", "counterparty", "name, id"),
    ("audit_entry_record", "audit_entry", "record_type, record_id, id"),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="waybill", description=DESCRIPTION)

    async def create_indexes():
        from piccolo.conf.apps import Finder

        engine = Finder().get_engine()
        for name, table, columns in INDEXES:
            await engine.run_ddl(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})')

    async def drop_indexes():
        from piccolo.conf.apps import Finder

        engine = Finder().get_engine()
        for name, _table, _columns in INDEXES:
            await engine.run_ddl(f'DROP INDEX IF EXISTS "{name}"')

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
