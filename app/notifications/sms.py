"""SMS through an HTTP gateway: one client with retries and back-off, and a provider adapter per gateway.

The gateway's URL, credentials and message format come from the settings (SMS_GATEWAY_URL, SMS_GATEWAY_USER,
SMS_GATEWAY_PASSWORD, SMS_SENDER, SMS_FORMAT, SMS_PROVIDER). Supporting another gateway is a small subclass of
`SmsProvider`: how to ask it to send, where it puts the message id, and how its delivery reports read.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import httpx

from app.config import Settings, get_settings
from app.notifications.errors import NotConfigured, PermanentFailure, TemporaryFailure

DELIVERED, FAILED, SENT = "delivered", "failed", "sent"
# httpx logs every request at INFO: a line per SMS in a worker's log, and measurable CPU at thousands a minute.
# The outbox archives each message's outcome instead.
logging.getLogger("httpx").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Outgoing:
    to: str  # E.164
    text: str
    reference: str  # our message id, echoed back in delivery reports by most gateways
    callback_url: str


class SmsProvider:
    """A gateway's dialect. Subclass and register in PROVIDERS."""

    name = "base"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def request(self, sms: Outgoing) -> dict:  # keyword arguments for httpx.AsyncClient.request
        raise NotImplementedError

    def message_id(self, response: httpx.Response) -> str:
        raise NotImplementedError

    def delivery_report(self, payload: dict) -> tuple[str, str, str] | None:
        """(gateway message id, our status: delivered | failed | sent, the gateway's words), or None to ignore."""
        raise NotImplementedError


class GenericGateway(SmsProvider):
    """A plain HTTP gateway: POST {from, to, text, reference, callback_url} as JSON or a form, HTTP basic auth;
    answers {"id": ...}; reports {"id", "status": delivered|undelivered|failed|expired|sent|queued, "error"}."""

    name = "generic"
    STATUS = {"delivered": DELIVERED, "undelivered": FAILED, "failed": FAILED, "expired": FAILED,
              "rejected": FAILED, "sent": SENT, "queued": SENT, "accepted": SENT}

    def request(self, sms: Outgoing) -> dict:
        fields = {"from": self.settings.sms_sender, "to": sms.to, "text": sms.text, "reference": sms.reference,
                  "callback_url": sms.callback_url}
        body = {"data": fields} if self.settings.sms_format == "form" else {"json": fields}
        return {"method": "POST", "url": self.settings.sms_gateway_url,
                "auth": (self.settings.sms_gateway_user, self.settings.sms_gateway_password), **body}

    def message_id(self, response: httpx.Response) -> str:
        return str(response.json()["id"])

    def delivery_report(self, payload: dict) -> tuple[str, str, str] | None:
        status = self.STATUS.get(str(payload.get("status", "")).lower())
        if not payload.get("id") or status is None:
            return None
        return str(payload["id"]), status, str(payload.get("error", ""))[:200]


class QueryStringGateway(GenericGateway):
    """The older kind of gateway: GET with everything in the query string and the credentials as parameters;
    answers "OK <id>" in plain text."""

    name = "query"

    def request(self, sms: Outgoing) -> dict:
        return {"method": "GET", "url": self.settings.sms_gateway_url,
                "params": {"user": self.settings.sms_gateway_user, "password": self.settings.sms_gateway_password,
                           "from": self.settings.sms_sender, "to": sms.to, "text": sms.text, "ref": sms.reference,
                           "dlr_url": sms.callback_url}}

    def message_id(self, response: httpx.Response) -> str:
        words = response.text.split()
        if len(words) != 2 or words[0] != "OK":
            raise PermanentFailure(f"gateway said {response.text[:100]!r}")
        return words[1]


PROVIDERS: dict[str, type[SmsProvider]] = {cls.name: cls for cls in (GenericGateway, QueryStringGateway)}


def provider(settings: Settings | None = None) -> SmsProvider:
    settings = settings or get_settings()
    return PROVIDERS.get(settings.sms_provider, GenericGateway)(settings)


_clients: dict[int, httpx.AsyncClient] = {}


# A few kept connections to the one gateway: httpcore scans every pooled connection on each request, so a pool
# grown to dozens costs more CPU per SMS than the request itself; eight match a worker process's threads.
POOL = httpx.Limits(max_connections=8, max_keepalive_connections=8)


def _client() -> httpx.AsyncClient:
    """One pooled client per event loop (worker threads each run their own loop)."""
    loop = id(asyncio.get_running_loop())
    if loop not in _clients:
        _clients[loop] = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0), limits=POOL)
    return _clients[loop]


async def send_sms(sms: Outgoing, attempts: int = 4, first_delay_s: float = 0.5) -> str:
    """Hand one SMS to the gateway; returns the gateway's message id.

    Busy or unreachable (5xx, 429, network): tried again after 0.5, 1, 2 s... Refused (other 4xx): for good.
    """
    settings = get_settings()
    if not settings.sms_gateway_url:
        raise NotConfigured("SMS_GATEWAY_URL is not set")
    gateway = provider(settings)
    delay, last = first_delay_s, ""
    for attempt in range(attempts):
        try:
            response = await _client().request(**gateway.request(sms))
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            if response.status_code < 300:
                return gateway.message_id(response)
            if response.status_code != 429 and response.status_code < 500:
                raise PermanentFailure(f"gateway refused: {response.status_code} {response.text[:120]}")
            last = f"gateway busy: {response.status_code}"
            retry_after = response.headers.get("retry-after", "")
            if retry_after.isdigit():
                delay = max(delay, min(float(retry_after), 30.0))
        if attempt < attempts - 1:
            await asyncio.sleep(delay)
            delay *= 2
    raise TemporaryFailure(last)
