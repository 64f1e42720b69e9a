"""Logging in with a personal login and password, with throttling of repeated failures."""

from __future__ import annotations

from app.accounts import throttle
from app.accounts.passwords import hash_password, needs_rehash, verify_password
from app.config import get_settings
from app.errors import InvalidInput, Throttled
from app.i18n import format_time
from app.i18n import gettext as _
from tables.accounts import User


async def authenticate(login: str, password: str, ip: str) -> User:
    """The active user with this login and password; a clear error otherwise, without saying which was wrong."""
    settings = get_settings()
    keys = throttle.keys_for(login, ip)
    if until := await throttle.locked_until(keys):
        raise Throttled(_("Too many failed attempts. Try again after %(time)s.", time=format_time(until)))
    user = await User.objects().where(User.login == login.strip().lower()).first()
    if not verify_password(user.password_hash if user else None, password) or not user.is_active:
        await throttle.record_failure(keys, settings.login_max_failures, settings.login_lock_minutes)
        raise InvalidInput({"login": _("Wrong login or password.")})
    await throttle.clear(login)
    if needs_rehash(user.password_hash):
        await User.update({User.password_hash: hash_password(password)}).where(User.id == user.id)
    return user
