"""Who may read the courier and carrier reports: dispatchers, administrators (the managers' supervisors) and the
accountant; not couriers, not managers, not anonymous visitors."""

from tests.routes.access import ACCOUNTANT, ADMIN, DISPATCHER

READERS = {DISPATCHER, ADMIN, ACCOUNTANT}

RULES = {
    ("GET", "/reports"): READERS,
    ("GET", "/reports/carriers"): READERS,
    ("GET", "/reports/couriers.csv"): READERS,
    ("GET", "/reports/carriers.csv"): READERS,
}
