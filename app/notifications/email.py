"""E-mail over SMTP: every message as plain text and HTML, sent from a worker (smtplib in a thread) on SMTP
sessions kept open between messages."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import threading
from dataclasses import dataclass
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, make_msgid, parseaddr
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urlparse

from app.config import get_settings
from app.notifications.errors import NotConfigured, PermanentFailure, TemporaryFailure

TIMEOUT_S = 20
MAX_IDLE = 16  # kept sessions per server (a worker process runs 8 threads by default)


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    user: str = ""
    password: str = ""
    tls: bool = False  # smtps:// : TLS from the first byte
    starttls: bool = False


def smtp_server(url: str | None) -> SmtpServer:
    if not url:
        raise NotConfigured("SMTP_URL is not set")
    parts = urlparse(url)
    query = parse_qs(parts.query)
    tls = parts.scheme == "smtps"
    return SmtpServer(host=parts.hostname or "127.0.0.1", port=parts.port or (465 if tls else 25),
                      user=unquote(parts.username or ""), password=unquote(parts.password or ""), tls=tls,
                      starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"))


@lru_cache(maxsize=1)
def _environment():
    from app.templating import make_environment

    return make_environment()


def html_body(subject: str, text: str, link: str, locale: str) -> str:
    return _environment().get_template("notifications/email.html").render(
        subject=subject, paragraphs=[p for p in text.split("\n") if p.strip()], link=link, locale=locale)


def _header(value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8").encode()


def _address(value: str) -> str:
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if address else value


def build_email(sender: str, to: str, subject: str, text: str, html: str) -> Message:
    """The compat32 MIME classes: the same multipart message as `EmailMessage`, built at a third of the cost
    (the modern policy parses every header it is given)."""
    message = MIMEMultipart("alternative")
    message["From"], message["To"], message["Subject"] = _address(sender), _address(to), _header(subject)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rsplit("@", 1)[-1] or "waybill")
    message.attach(MIMEText(text, "plain", "utf-8"))
    message.attach(MIMEText(html, "html", "utf-8"))
    return message


class _Session:
    """Remembers whether the server accepted a MAIL command: until it has, nothing of a message was sent."""

    mail_accepted = False

    def mail(self, *args, **kwargs):
        reply = super().mail(*args, **kwargs)
        self.mail_accepted = True
        return reply


class _Smtp(_Session, smtplib.SMTP):
    pass


class _SmtpSsl(_Session, smtplib.SMTP_SSL):
    pass


def _connect(server: SmtpServer) -> smtplib.SMTP:
    if server.tls:
        smtp = _SmtpSsl(server.host, server.port, timeout=TIMEOUT_S, context=ssl.create_default_context())
    else:
        smtp = _Smtp(server.host, server.port, timeout=TIMEOUT_S)
    try:
        if server.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if server.user:
            smtp.login(server.user, server.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


class _Connections:
    """Open SMTP sessions kept per server and reused message after message (a worker sends thousands: a new
    connection, greeting and log-in each time cost more than the message). Thread-safe: a session is taken out
    while a thread uses it."""

    def __init__(self) -> None:
        self._idle: dict[SmtpServer, list[smtplib.SMTP]] = {}
        self._lock = threading.Lock()

    def take(self, server: SmtpServer) -> tuple[smtplib.SMTP, bool]:
        """(a session, whether it was kept from before)."""
        with self._lock:
            idle = self._idle.get(server)
            if idle:
                return idle.pop(), True
        return _connect(server), False

    def give_back(self, server: SmtpServer, smtp: smtplib.SMTP) -> None:
        with self._lock:
            idle = self._idle.setdefault(server, [])
            if len(idle) < MAX_IDLE:
                idle.append(smtp)
                return
        _quit(smtp)

    def close_all(self) -> None:
        with self._lock:
            sessions = [smtp for idle in self._idle.values() for smtp in idle]
            self._idle.clear()
        for smtp in sessions:
            _quit(smtp)


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


_connections = _Connections()


def _send(server: SmtpServer, message: Message) -> None:
    """Send on a kept session. One the server closed while it was idle fails at its first command, before any of
    the message went out: then, and only then, the message is sent again on a new session (never twice)."""
    smtp, kept = _connections.take(server)
    smtp.mail_accepted = False
    try:
        smtp.send_message(message)
    except smtplib.SMTPServerDisconnected:
        smtp.close()
        if not kept or smtp.mail_accepted:
            raise
        smtp = _connect(server)
        try:
            smtp.send_message(message)
        except BaseException:
            smtp.close()
            raise
    except smtplib.SMTPRecipientsRefused:
        _connections.give_back(server, smtp)  # the session is fine (smtplib sent RSET)
        raise
    except BaseException:
        smtp.close()
        raise
    _connections.give_back(server, smtp)


async def send_email(to: str, subject: str, text: str, html: str) -> str:
    """Send one e-mail; returns its Message-ID. Refused recipients fail for good; a server away, for now."""
    settings = get_settings()
    message = build_email(settings.mail_from, to, subject, text, html)
    try:
        await asyncio.to_thread(_send, smtp_server(settings.smtp_url), message)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        raise PermanentFailure(f"refused: {exc}") from exc
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            raise PermanentFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        raise TemporaryFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
    return message["Message-ID"]
