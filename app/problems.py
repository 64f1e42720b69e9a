"""Errors as users should see them: problem-details JSON (RFC 9457) on the API, friendly pages elsewhere.

No stack trace ever reaches a client; unexpected errors are logged with an id the page shows, so support can
find the log line.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from app.errors import DomainError, InvalidInput
from app.i18n import gettext as _

log = logging.getLogger("waybill")

PROBLEM_JSON = "application/problem+json"


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Please log in"),
        403: _("You do not have access to this"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("The upload is too large"),
        415: _("This type of file is not accepted"),
        422: _("Some fields need your attention"),
        429: _("Too many requests"),
        500: _("Something went wrong on our side"),
        503: _("Temporarily unavailable"),
    }


def _validation_errors(exc: ValidationException) -> list[dict[str, str]]:
    errors = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            errors.append({"field": str(item.get("key") or item.get("source") or ""),
                           "message": str(item.get("message", ""))})
    return errors


def problem(request: Request, status: int, detail: str = "", errors: list[dict] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": _titles().get(status, _("Error")), "status": status,
                            "instance": request.url.path}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def error_page(request: Request, status: int, detail: str = "", reference: str = "") -> Template:
    return Template(template_name="errors/error.html", status_code=status, media_type=MediaType.HTML,
                    context={"status": status, "title": _titles().get(status, _("Error")), "detail": detail,
                             "reference": reference})


def handle_exception(request: Request, exc: Exception) -> Response:
    reference = ""
    if isinstance(exc, InvalidInput):
        status, detail = 422, exc.message
        errors = [{"field": field, "message": message} for field, message in exc.errors.items()]
    elif isinstance(exc, DomainError):
        status, detail, errors = exc.status_code, exc.message, []
    elif isinstance(exc, ValidationException):
        status, detail, errors = 400, _("The request is not valid."), _validation_errors(exc)
    elif isinstance(exc, HTTPException):
        status, detail, errors = exc.status_code, "", []
        if status == 403 and "CSRF" in str(exc.detail):
            detail = _("Your form has expired. Reload the page and try again.")
        elif status == 401 and exc.detail and "token" in str(exc.detail).lower():
            detail = _("Invalid or revoked token.")
    else:
        status, errors = HTTP_500_INTERNAL_SERVER_ERROR, []
        reference = secrets.token_hex(4)
        log.exception("unhandled error %s on %s %s", reference, request.method, request.url.path)
        detail = _("Please try again. If it keeps happening, quote reference %(ref)s.", ref=reference)
    headers = getattr(exc, "headers", None) or None
    if is_api(request):
        return problem(request, status, detail, errors, headers=headers)
    if isinstance(exc, NotAuthorizedException) or status == 401:
        return Redirect(path=f"/login?next={quote(request.url.path)}")
    return error_page(request, status, detail, reference)
