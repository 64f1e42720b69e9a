"""Local fakes of the outside services, on 127.0.0.1: an SMTP server (aiosmtpd), an SMS gateway and a Web Push
service (small HTTP servers in a thread). Each counts what it received."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpInbox:
    messages: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append({"to": envelope.rcpt_tos, "message": parsed, "peer": session.peer})
        return "250 OK"


class FakeSmtp:
    def __init__(self) -> None:
        self.inbox = SmtpInbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "FakeSmtp":
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{self.port}"
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def restart(self) -> None:
        """Stop and start again on the same port: every open session is dropped, as a server's idle timeout does."""
        self.controller.stop()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()


class _Server:
    """A ThreadingHTTPServer on a free port; subclasses give `handle(handler, body) -> (status, headers, bytes)`."""

    def __init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, out = owner.handle(self, body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_POST = do_GET = _serve  # noqa: N815

            def log_message(self, *args):
                pass

        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeSmsGateway(_Server):
    """Accepts POST {from, to, text, reference, callback_url} with basic auth; `fail_first` answers 503 first."""

    def __init__(self, user: str = "acme", password: str = "s3cret", fail_first: int = 0) -> None:
        super().__init__()
        self.user, self.password, self.fail_first = user, password, fail_first
        self.received: list[dict] = []
        self.attempts = 0

    def handle(self, handler, body):
        with self.lock:
            self.attempts += 1
            if self.attempts <= self.fail_first:
                return 503, {"content-type": "text/plain"}, b"busy"
            expected = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            if handler.headers.get("authorization") != expected:
                return 401, {}, b"who are you"
            message = json.loads(body)
            message_id = f"gw-{len(self.received) + 1}"
            self.received.append({**message, "id": message_id})
            return 200, {"content-type": "application/json"}, json.dumps({"id": message_id}).encode()


class FakePushService(_Server):
    """A push service that decrypts what it gets with the browser's private key, as the phone would."""

    def __init__(self, gone: set[str] | None = None) -> None:
        super().__init__()
        self.received: list[dict] = []
        self.browsers: dict[str, "Browser"] = {}
        self.gone = gone or set()

    def browser(self, name: str) -> "Browser":
        browser = Browser(f"{self.url}/push/{name}")
        self.browsers[f"/push/{name}"] = browser
        return browser

    def handle(self, handler, body):
        import http_ece

        path = handler.path
        if path in self.gone:
            return 410, {}, b"gone"
        browser = self.browsers.get(path)
        if browser is None:
            return 404, {}, b"unknown"
        text = http_ece.decrypt(body, private_key=browser.private_key, auth_secret=browser.auth_secret,
                                version="aes128gcm")
        with self.lock:
            self.received.append({"path": path, "payload": json.loads(text), "ttl": handler.headers.get("ttl"),
                                  "authorization": handler.headers.get("authorization", ""),
                                  "encoding": handler.headers.get("content-encoding")})
        return 201, {}, b""


@dataclass
class Browser:
    """A browser's side of a subscription: its own key pair and auth secret (RFC 8291)."""

    endpoint: str

    def __post_init__(self) -> None:
        import os

        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        self.private_key = ec.generate_private_key(ec.SECP256R1())
        public = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                             serialization.PublicFormat.UncompressedPoint)
        self.auth_secret = os.urandom(16)
        self.p256dh = base64.urlsafe_b64encode(public).rstrip(b"=").decode()
        self.auth = base64.urlsafe_b64encode(self.auth_secret).rstrip(b"=").decode()

    def subscription(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
