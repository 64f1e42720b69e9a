"""The administrator's pages: people and their access, and the audit log."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from app.accounts import roles
from app.accounts.users import create_user, get_user, list_users, reset_password, set_active, update_user
from app.audit.browse import AuditFilter, audit_page, record_types
from app.config import get_settings
from app.errors import InvalidInput
from app.i18n import LANGUAGES, current_time_zone
from app.routes.account import COMMON_TIME_ZONES
from app.routes.forms import form_of, optional_int, text
from app.security import actor_of, allow
from app.templating import page, page_or_fragment
from tables.accounts import User


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


async def _staff_choices() -> list[dict]:
    return await User.select(User.id, User.full_name, User.role).where(User.is_active == True).order_by(  # noqa: E712
        User.full_name)


async def _user_form(user: User | None, values: dict, errors: dict, status_code: int = 200,
                     saved: bool = False) -> Template:
    return page("admin/user_form.html", status_code=status_code, user=user, values=values, errors=errors,
                roles=roles.ROLES, languages=LANGUAGES, time_zones=COMMON_TIME_ZONES,
                staff=await _staff_choices(), saved=saved)


class AdminController(Controller):
    path = "/admin"
    opt = allow(roles.ADMIN)
    include_in_schema = False

    @get("/users")
    async def show_users(self, request: Request, after: str = "", role: str = "") -> Template:
        rows = await list_users(after_login=after or None, role=role or None, limit=51)
        next_after = rows[49]["login"] if len(rows) > 50 else None
        return page_or_fragment(request, "admin/users.html", "admin/_user_rows.html", users=rows[:50],
                                next_after=next_after, role=role, roles=roles.ROLES)

    @get("/users/new")
    async def new_user(self) -> Template:
        settings = get_settings()
        return await _user_form(None, {"locale": settings.default_locale, "time_zone": settings.default_time_zone,
                                       "role": roles.COURIER}, {})

    @post("/users")
    async def add_user(self, request: Request) -> Template | Redirect:
        form = await form_of(request)
        values = {name: text(form, name) for name in ("login", "full_name", "email", "phone", "role", "locale",
                                                       "time_zone")}
        try:
            user = await create_user(actor_of(request), password=form.get("password", ""),
                                     supervisor_id=optional_int(form.get("supervisor")), **values)
        except InvalidInput as exc:
            return await _user_form(None, values, exc.errors, status_code=422)
        return Redirect(path=f"/admin/users/{user.id}")

    @get("/users/{user_id:int}")
    async def show_user(self, user_id: int) -> Template:
        user = await get_user(user_id)
        return await _user_form(user, user.to_dict(), {})

    @post("/users/{user_id:int}")
    async def save_user(self, request: Request, user_id: int) -> Template:
        user = await get_user(user_id)
        form = await form_of(request)
        values = {name: text(form, name) for name in ("full_name", "email", "phone", "role", "locale", "time_zone")}
        values["supervisor"] = optional_int(form.get("supervisor"))
        try:
            await update_user(actor_of(request), user, values)
        except InvalidInput as exc:
            return await _user_form(user, {**user.to_dict(), **values}, exc.errors, status_code=422)
        return await _user_form(user, user.to_dict(), {}, saved=True)

    @post("/users/{user_id:int}/active")
    async def change_active(self, request: Request, user_id: int) -> Redirect:
        form = await form_of(request)
        await set_active(actor_of(request), await get_user(user_id), text(form, "active") == "1")
        return Redirect(path=f"/admin/users/{user_id}")

    @post("/users/{user_id:int}/password")
    async def set_password(self, request: Request, user_id: int) -> Template | Redirect:
        user = await get_user(user_id)
        form = await form_of(request)
        try:
            await reset_password(actor_of(request), user, form.get("password", ""))
        except InvalidInput as exc:
            return await _user_form(user, user.to_dict(), exc.errors, status_code=422)
        return await _user_form(user, user.to_dict(), {}, saved=True)

    @get("/audit")
    async def show_audit(self, request: Request, user: str = "", record_type: str = "", record_id: str = "",
                         day_from: str = "", day_to: str = "", before: str = "") -> Template:
        filters = AuditFilter(user_id=optional_int(user), record_type=record_type, record_id=record_id,
                              day_from=_parse_day(day_from), day_to=_parse_day(day_to),
                              time_zone=current_time_zone())
        entries, next_before = await audit_page(filters, before_id=optional_int(before))
        return page_or_fragment(request, "admin/audit.html", "admin/_audit_rows.html", entries=entries,
                                next_before=next_before, filters=filters, staff=await _staff_choices(),
                                record_types=record_types(), query=dict(request.query_params))


HANDLERS = [AdminController]
