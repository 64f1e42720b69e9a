"""Who may read the courier and carrier reports: dispatchers, administrators and the accountant, and of the managers
only those who supervise a team (tests/routes/test_reports.py); not couriers, not anonymous visitors. The matrix's
accounts supervise nobody, so a manager is refused here."""

from tests.routes.access import ACCOUNTANT, ADMIN, DISPATCHER

READERS = {DISPATCHER, ADMIN, ACCOUNTANT}

RULES = {
    ("GET", "/reports"): READERS,
    ("GET", "/reports/carriers"): READERS,
    ("GET", "/reports/couriers.csv"): READERS,
    ("GET", "/reports/carriers.csv"): READERS,
}
