"""E-mail over SMTP: every message as plain text and HTML, sent from a worker (smtplib in a thread)."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urlparse

from app.config import get_settings
from app.notifications.errors import NotConfigured, PermanentFailure, TemporaryFailure

TIMEOUT_S = 20


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


def build_email(sender: str, to: str, subject: str, text: str, html: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">") or "waybill")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def _send(server: SmtpServer, message: EmailMessage) -> None:
    if server.tls:
        smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_S, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_S)
    with smtp:
        if server.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if server.user:
            smtp.login(server.user, server.password)
        smtp.send_message(message)


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
