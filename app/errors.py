"""Errors the domain raises. Routes turn them into inline form errors (HTML) or problem details (API)."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """One or more fields are wrong; `errors` maps each field to a message the user can act on."""

    status_code = 422

    def __init__(self, errors: dict[str, str], message: str = "") -> None:
        from app.i18n import gettext as _

        super().__init__(message or _("Some fields need your attention."))
        self.errors = errors


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class Throttled(DomainError):
    status_code = 429
