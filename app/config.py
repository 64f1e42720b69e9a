"""Settings read once from the environment.

Everything that differs between a laptop and production (database, broker, secrets, outside services) comes
from here, so no other module reads `os.environ`.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _data_dir() -> Path:
    return Path(os.environ.get("WAYBILL_DATA_DIR", ROOT / "var"))


def _secret_key(data_dir: Path) -> str:
    """Use SECRET_KEY, else one generated on first run and kept in the data dir (so sessions survive restarts)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str | None
    redis_url: str | None
    secret_key: str
    base_url: str = "http://127.0.0.1:8000"
    secure_cookies: bool = False
    default_locale: str = "en"
    default_time_zone: str = "UTC"
    default_currency: str = "EUR"
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    session_days: int = 14
    geocoder_url: str | None = None
    osrm_url: str | None = None
    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    debug: bool = False
    # Notifications and the tracking page (issue 7).
    smtp_url: str | None = None  # smtp://user:password@host:port (smtps:// for TLS, ?starttls=1)
    mail_from: str = "Waybill <noreply@localhost>"
    sms_gateway_url: str | None = None
    sms_gateway_user: str = ""
    sms_gateway_password: str = ""
    sms_provider: str = "generic"  # a class in app/notifications/sms.py PROVIDERS
    sms_sender: str = "Waybill"
    sms_format: str = "json"  # generic gateway: json | form
    sms_callback_secret: str = ""
    push_ttl_s: int = 4 * 3600
    push_timeout_s: float = 10.0
    vapid_subject: str = "mailto:admin@localhost"
    quiet_hours: str = "21:00-08:00"  # in the client's time zone; "" = none
    arriving_soon_minutes: int = 15
    arriving_soon_stops: int | None = None  # also when this many stops (or fewer) remain before the client's
    tracking_days_after_delivery: int = 7
    tracking_requests_per_minute: int = 60
    extra: dict = field(default_factory=dict)

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "waybill.sqlite"

    @property
    def uses_postgres(self) -> bool:
        return bool(self.database_url and self.database_url.startswith(("postgres://", "postgresql://")))


def load_settings() -> Settings:
    data_dir = _data_dir()
    base_url = os.environ.get("BASE_URL", "http://127.0.0.1:8000")
    return Settings(
        data_dir=data_dir,
        database_url=os.environ.get("DATABASE_URL") or None,
        redis_url=os.environ.get("REDIS_URL") or None,
        secret_key=_secret_key(data_dir),
        base_url=base_url,
        secure_cookies=base_url.startswith("https://"),
        default_locale=os.environ.get("WAYBILL_LOCALE", "en"),
        default_time_zone=os.environ.get("WAYBILL_TIME_ZONE", "Europe/Paris"),
        default_currency=os.environ.get("WAYBILL_CURRENCY", "EUR"),
        geocoder_url=os.environ.get("GEOCODER_URL") or None,
        osrm_url=os.environ.get("OSRM_URL") or None,
        tile_url=os.environ.get("TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        debug=os.environ.get("WAYBILL_DEBUG") == "1",
        smtp_url=os.environ.get("SMTP_URL") or None,
        mail_from=os.environ.get("MAIL_FROM", "Waybill <noreply@localhost>"),
        sms_gateway_url=os.environ.get("SMS_GATEWAY_URL") or None,
        sms_gateway_user=os.environ.get("SMS_GATEWAY_USER", ""),
        sms_gateway_password=os.environ.get("SMS_GATEWAY_PASSWORD", ""),
        sms_provider=os.environ.get("SMS_PROVIDER", "generic"),
        sms_sender=os.environ.get("SMS_SENDER", "Waybill"),
        sms_format=os.environ.get("SMS_FORMAT", "json"),
        sms_callback_secret=os.environ.get("SMS_CALLBACK_SECRET", ""),
        vapid_subject=os.environ.get("VAPID_SUBJECT", "mailto:admin@localhost"),
        quiet_hours=os.environ.get("QUIET_HOURS", "21:00-08:00"),
        arriving_soon_minutes=int(os.environ.get("ARRIVING_SOON_MINUTES", "15")),
        arriving_soon_stops=int(os.environ["ARRIVING_SOON_STOPS"]) if os.environ.get("ARRIVING_SOON_STOPS") else None,
    )


_settings: Settings | None = None


def get_settings() -> Settings:
    global _settings
    if _settings is None:
        _settings = load_settings()
    return _settings


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment between runs)."""
    global _settings
    _settings = None
