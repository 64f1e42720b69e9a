"""People who log in: personal accounts, their browser sessions, API tokens and failed-login counters."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class User(Table, tablename="app_user"):
    login = Varchar(length=64, unique=True, index=True)
    password_hash = Text()
    full_name = Varchar(length=200)
    email = Varchar(length=254, default="")
    phone = Varchar(length=32, default="")
    role = Varchar(length=20, index=True)
    locale = Varchar(length=8, default="en")
    time_zone = Varchar(length=64, default="UTC")
    theme = Varchar(length=20, default="light")
    supervisor = ForeignKey("self", null=True)
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)
    password_changed_at = Timestamptz(default=TimestamptzNow())


class WebSession(Table):
    """A browser session. Only a hash of the cookie value is stored, so a database leak opens no session."""

    token_hash = Varchar(length=64, unique=True, index=True)
    user = ForeignKey(User, index=True)
    csrf_token = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)
    user_agent = Varchar(length=300, default="")
    ip = Varchar(length=64, default="")


class ApiToken(Table):
    """A personal bearer token for /api/v1; the plain value is shown once, the hash is kept."""

    user = ForeignKey(User, index=True)
    name = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True, index=True)
    prefix = Varchar(length=12)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class LoginThrottle(Table):
    """Failed logins per account and per address; kept in the database so every web process sees them."""

    key = Varchar(length=200, unique=True, index=True)
    failures = Integer(default=0)
    window_started_at = Timestamptz(default=TimestamptzNow())
    locked_until = Timestamptz(null=True, default=None)


class UserPreference(Table):
    """Small per-user settings that are not worth a column (board filters, last tab...)."""

    user = ForeignKey(User, index=True)
    name = Varchar(length=64)
    value = JSON(default="null")
