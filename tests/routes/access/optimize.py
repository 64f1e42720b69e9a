"""Who may optimize a day: dispatchers and admins (pages and API)."""

from tests.routes.access import ADMIN, DISPATCHER

DESK = {DISPATCHER, ADMIN}

RULES = {
    ("GET", "/optimize"): DESK,
    ("POST", "/optimize"): DESK,
    ("GET", "/optimize/settings"): DESK,
    ("POST", "/optimize/settings"): DESK,
    ("GET", "/optimize/{job_id:int}"): DESK,
    ("GET", "/optimize/{job_id:int}/progress"): DESK,
    ("POST", "/optimize/{job_id:int}/accept"): DESK,
    ("POST", "/optimize/{job_id:int}/discard"): DESK,
    ("POST", "/optimize/{job_id:int}/cancel"): DESK,
    ("POST", "/api/v1/optimizations"): DESK,
    ("GET", "/api/v1/optimizations/{job_id:int}"): DESK,
    ("GET", "/api/v1/optimizations/settings"): DESK,
    ("PUT", "/api/v1/optimizations/settings"): DESK,
    ("POST", "/api/v1/optimizations/{job_id:int}/accept"): DESK,
    ("POST", "/api/v1/optimizations/{job_id:int}/discard"): DESK,
    ("POST", "/api/v1/optimizations/{job_id:int}/cancel"): DESK,
}
