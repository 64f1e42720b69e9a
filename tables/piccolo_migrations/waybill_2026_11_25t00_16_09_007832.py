"""CRM indexes for co-managers and name search (hand-written, like the composite indexes before them).

A team's co-managed clients are an index range on (manager, lead, ended_at); a name search either probes
(counterparty, word) for each client a manager's list walks, or gathers (word, counterparty) for an admin.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T00:16:09:007832"
VERSION = "1.38.0"
DESCRIPTION = "crm co-manager and name search indexes"

INDEXES = [
    ("manager_assignment_holder", "manager_assignment", "manager, lead, ended_at, counterparty"),
    ("name_word_counterparty_word", "name_word", "counterparty, word"),
    ("name_word_word_counterparty", "name_word", "word, counterparty"),
    ("share_user_counterparty", "share", '"user", counterparty'),
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
