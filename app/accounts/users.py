"""Creating and changing user accounts. Every change is audited in the same transaction."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from app import audit
from app.accounts import roles
from app.accounts.passwords import hash_password, password_problem, verify_password
from app.audit import Actor
from app.config import get_settings
from app.db import writing
from app.errors import InvalidInput, NotFound
from app.i18n import LANGUAGES, valid_time_zone
from app.i18n import gettext as _
from tables.accounts import ApiToken, User, WebSession

LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
THEMES = ("light", "dark", "contrast")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _profile_errors(values: dict) -> dict[str, str]:
    errors = {}
    if "full_name" in values and not values["full_name"].strip():
        errors["full_name"] = _("Enter the person's name.")
    if values.get("email") and not EMAIL_PATTERN.match(values["email"]):
        errors["email"] = _("Enter a valid e-mail address.")
    if "role" in values and values["role"] not in roles.ROLES:
        errors["role"] = _("Choose one of the roles.")
    if "locale" in values and values["locale"] not in LANGUAGES:
        errors["locale"] = _("Choose one of the languages.")
    if "time_zone" in values and not valid_time_zone(values["time_zone"]):
        errors["time_zone"] = _("Unknown time zone.")
    if "theme" in values and values["theme"] not in THEMES:
        errors["theme"] = _("Choose one of the themes.")
    return errors


async def get_user(user_id: int) -> User:
    user = await User.objects().where(User.id == user_id).first()
    if user is None:
        raise NotFound(_("No such user."))
    return user


async def supervises_anyone(user_id: int) -> bool:
    """Whether someone reports to this person (a manager who leads a team)."""
    return await User.exists().where((User.supervisor == user_id) & (User.is_active == True))  # noqa: E712


async def _check_supervisor(user_id: int | None, supervisor_id: int | None, errors: dict) -> None:
    if supervisor_id is None:
        return
    if supervisor_id == user_id:
        errors["supervisor"] = _("A person cannot supervise themselves.")
    elif not await User.exists().where(User.id == supervisor_id):
        errors["supervisor"] = _("No such user.")


async def create_user(actor: Actor, *, login: str, password: str, full_name: str, role: str, email: str = "",
                      phone: str = "", locale: str | None = None, time_zone: str | None = None,
                      supervisor_id: int | None = None) -> User:
    """A new personal account; language and time zone default to the company's."""
    settings = get_settings()
    locale, time_zone = locale or settings.default_locale, time_zone or settings.default_time_zone
    login = login.strip().lower()
    values = {"full_name": full_name.strip(), "role": role, "email": email.strip(), "locale": locale,
              "time_zone": time_zone}
    errors = _profile_errors(values)
    if not LOGIN_PATTERN.match(login):
        errors["login"] = _("Use 2–64 lower-case letters, digits, dots, dashes or underscores.")
    if problem := password_problem(password):
        errors["password"] = problem
    await _check_supervisor(None, supervisor_id, errors)
    if not errors.get("login") and await User.exists().where(User.login == login):
        errors["login"] = _("This login is taken.")
    if errors:
        raise InvalidInput(errors)
    async with writing():
        user = User(login=login, password_hash=hash_password(password), phone=phone.strip(),
                    supervisor=supervisor_id, **values)
        return await audit.insert(actor, user, summary=f"user {login}")


async def update_user(actor: Actor, user: User, values: dict) -> dict:
    """Change profile fields (name, e-mail, role, supervisor, locale, time zone, theme)."""
    allowed = {"full_name", "email", "phone", "role", "locale", "time_zone", "theme", "supervisor"}
    values = {name: value for name, value in values.items() if name in allowed}
    errors = _profile_errors(values)
    if "supervisor" in values:
        await _check_supervisor(user.id, values["supervisor"], errors)
    if errors:
        raise InvalidInput(errors)
    async with writing():
        return await audit.update(actor, user, values, summary=f"user {user.login}")


async def set_active(actor: Actor, user: User, active: bool) -> None:
    """Deactivating closes every session and revokes every token at once: the person is out immediately."""
    async with writing():
        await audit.update(actor, user, {"is_active": active}, summary=f"user {user.login}")
        if not active:
            await WebSession.delete().where(WebSession.user == user.id)
            await ApiToken.update({ApiToken.revoked_at: _now()}).where(
                (ApiToken.user == user.id) & ApiToken.revoked_at.is_null()
            )


async def reset_password(actor: Actor, user: User, new_password: str) -> None:
    """An admin sets a new password; the person's open sessions end."""
    if problem := password_problem(new_password):
        raise InvalidInput({"password": problem})
    async with writing():
        await audit.update(actor, user, {"password_hash": hash_password(new_password),
                                         "password_changed_at": _now()}, summary=f"password reset {user.login}")
        await WebSession.delete().where(WebSession.user == user.id)


async def change_own_password(actor: Actor, user: User, current: str, new_password: str, keep_session: str) -> None:
    """The person changes their own password; other sessions end, the current one stays."""
    errors = {}
    if not verify_password(user.password_hash, current):
        errors["current_password"] = _("This is not your current password.")
    if problem := password_problem(new_password):
        errors["new_password"] = problem
    if errors:
        raise InvalidInput(errors)
    async with writing():
        await audit.update(actor, user, {"password_hash": hash_password(new_password),
                                         "password_changed_at": _now()}, summary="password changed")
        await WebSession.delete().where((WebSession.user == user.id) & (WebSession.token_hash != keep_session))


async def list_users(after_login: str | None = None, limit: int = 50, role: str | None = None) -> list[dict]:
    """Users by login, a page at a time (keyset on login)."""
    query = User.select(User.id, User.login, User.full_name, User.role, User.is_active, User.email,
                        User.last_login_at, User.supervisor.full_name.as_alias("supervisor_name"))
    if after_login:
        query = query.where(User.login > after_login)
    if role:
        query = query.where(User.role == role)
    return await query.order_by(User.login).limit(limit)
