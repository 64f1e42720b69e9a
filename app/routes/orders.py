"""Orders on the dispatcher's screens: the list, the form with its live price, the order page and its steps."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from app.accounts.roles import ADMIN, DISPATCHER, MANAGER
from app.config import get_settings
from app.db import writing
from app.audit import insert, update
from app.errors import DomainError, InvalidInput, NotFound
from app.orders.exporting import export_csv, export_xlsx
from app.orders.importing import commit_import, plan_import, read_rows, template_csv, template_xlsx
from app.geocoding import GeocoderUnavailable, geocode
from app.i18n import current_locale, current_time_zone, local_time
from app.i18n import gettext as _
from app.orders.fields import Collector
from app.orders.listing import OrderFilter, list_orders
from app.orders.orders import (
    cancel_order,
    change_status,
    get_order,
    quote,
    reopen_order,
    set_price_by_hand,
    update_order,
    create_order,
)
from app.dispatch.address_suggestions import pending_suggestions
from app.dispatch.assign import unassign_orders
from app.orders.status import NEW, STATUSES, By, next_steps
from app.orders.timeline import order_detail
from app.orders.visibility import may_change_orders, order_scope, require_order_visible
from app.pricing import line_name
from app.routes.forms import current_user, form_of, optional_int, text
from app.security import actor_of, allow
from app.sync.board import field_proofs
from app.sync.reasons import FAIL_REASONS
from app.templating import fragment, page, page_or_fragment
from tables.counterparties import Counterparty
from tables.orders import OrderImport

PAGE = 50
# Fields the price does not depend on: a typo in them must not hide the live price while the form is filled in.
NOT_PRICED = {"external_ref", "pickup_contact_name", "pickup_contact_phone", "dropoff_contact_name",
              "dropoff_contact_phone", "contact_email", "notes"}
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content: bytes, file_name: str, media_type: str) -> Response:
    return Response(content=content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{file_name}"'})

FORM_FIELDS = (
    "client", "external_ref", "pickup_address", "pickup_lat", "pickup_lon", "pickup_contact_name",
    "pickup_contact_phone", "dropoff_address", "dropoff_lat", "dropoff_lon", "dropoff_contact_name",
    "dropoff_contact_phone", "pickup_from", "pickup_to", "deliver_from", "deliver_to", "service_minutes",
    "weight_kg", "volume_m3", "pieces", "cod_amount", "priority_time_cost", "notes", "waiting_minutes",
    "with_return", "contact_email",
)


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


async def form_values(request: Request) -> dict:
    form = await form_of(request)
    return {name: text(form, name) for name in FORM_FIELDS}


async def client_choices() -> list[dict]:
    return await Counterparty.select(Counterparty.id, Counterparty.name, Counterparty.priority_time_cost).where(
        Counterparty.is_client == True).order_by(Counterparty.name).limit(1000)  # noqa: E712


def _local_input(value) -> str:
    return local_time(value, current_time_zone()).strftime("%Y-%m-%dT%H:%M") if value else ""


def values_of(order: dict) -> dict:
    """An order as the form shows it: local times, money in major units."""
    values = {name: order.get(name, "") for name in FORM_FIELDS}
    values["client"] = order["client"]
    for name in ("pickup_from", "pickup_to", "deliver_from", "deliver_to"):
        values[name] = _local_input(order[name])
    values["cod_amount"] = f"{order['cod_amount'] / 100:.2f}" if order["cod_amount"] else ""
    values["with_return"] = "1" if order["with_return"] else ""
    return values


async def order_form(values: dict, errors: dict, order: dict | None = None, status_code: int = 200,
                     priced=None) -> Template:
    return page("orders/form.html", status_code=status_code, values=values, errors=errors, order=order,
                clients=await client_choices(), quote=priced, line_name=line_name, tile_url=get_settings().tile_url)


class OrdersController(Controller):
    path = "/orders"
    opt = allow(DISPATCHER, ADMIN)
    include_in_schema = False

    @get("/", opt=allow(DISPATCHER, ADMIN, MANAGER))
    async def show_orders(self, request: Request, status: str = "", client: str = "", day: str = "", q: str = "",
                          before: str = "") -> Template:
        user = current_user(request)
        filters = OrderFilter(status=status if status in STATUSES else "", client_id=optional_int(client),
                              day=parse_day(day), search=q.strip())
        rows = await list_orders(filters, before_id=optional_int(before), limit=PAGE + 1,
                                 scope=await order_scope(user))
        next_before = rows[PAGE - 1]["id"] if len(rows) > PAGE else None
        return page_or_fragment(request, "orders/list.html", "orders/_rows.html", orders=rows[:PAGE],
                                next_before=next_before, filters=filters, clients=await client_choices(),
                                can_change=may_change_orders(user))

    @get("/new")
    async def new_order(self, client: str = "") -> Template:
        return await order_form({"client": optional_int(client), "service_minutes": "5", "pieces": "1"}, {})

    @post("/")
    async def add_order(self, request: Request) -> Template | Redirect:
        values = await form_values(request)
        try:
            async with writing():
                order = await create_order(actor_of(request), values, current_time_zone())
        except InvalidInput as exc:
            return await order_form(values, exc.errors, status_code=422)
        return Redirect(path=f"/orders/{order.id}")

    @post("/quote")
    async def show_quote(self, request: Request) -> Template:
        """The live price breakdown beside the form, for the fields as they are now."""
        values = {name: value for name, value in (await form_values(request)).items() if name not in NOT_PRICED}
        try:
            _values, priced = await quote(values, current_time_zone())
        except InvalidInput as exc:
            return fragment("orders/_quote.html", quote=None, errors=exc.errors, line_name=line_name)
        return fragment("orders/_quote.html", quote=priced, errors={}, line_name=line_name)

    @get("/geocode")
    async def find_address(self, q: str = "") -> dict:
        """Addresses matching what was typed, for the form's "Find" button (JSON)."""
        try:
            places = await geocode(q, current_locale())
        except GeocoderUnavailable:
            return {"results": [], "message": _("No geocoder is available: drag the pin on the map instead.")}
        return {"results": [asdict(place) for place in places],
                "message": "" if places else _("Nothing found: check the address, or drag the pin.")}

    @get("/import")
    async def show_import(self) -> Template:
        return page("orders/import.html", plan=None, upload=None, errors={}, created=None)

    @get("/import/template.csv")
    async def download_csv_template(self) -> Response:
        return download(template_csv(), "orders-template.csv", CSV)

    @get("/import/template.xlsx")
    async def download_xlsx_template(self) -> Response:
        return download(template_xlsx(), "orders-template.xlsx", XLSX)

    @post("/import")
    async def dry_run_import(self, request: Request) -> Template:
        """The dry run: what the file would create, and every bad row; nothing is created yet."""
        form = await form_of(request)
        upload = form.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            return page("orders/import.html", status_code=422, plan=None, upload=None, created=None,
                        errors={"file": _("Choose a file to import.")})
        content = await upload.read()
        try:
            plan = await plan_import(read_rows(upload.filename, content), current_time_zone())
        except InvalidInput as exc:
            return page("orders/import.html", status_code=422, plan=None, upload=None, errors=exc.errors,
                        created=None)
        async with writing():
            saved = await insert(actor_of(request), OrderImport(
                file_name=upload.filename[:200], content=content, uploaded_by=actor_of(request).user_id,
                error_count=len(plan.errors)), summary=f"import {upload.filename} (dry run)")
        return page("orders/import.html", plan=plan, upload=saved, errors={}, created=None)

    @post("/import/{import_id:int}/confirm")
    async def confirm_import(self, request: Request, import_id: int) -> Template:
        upload = await OrderImport.objects().where(OrderImport.id == import_id).first()
        if upload is None:
            raise NotFound(_("This import no longer exists; upload the file again."))
        plan = await plan_import(read_rows(upload.file_name, upload.content), current_time_zone())
        async with writing():
            created = await commit_import(actor_of(request), plan)
            await update(actor_of(request), upload, {"status": "done", "created_count": len(created)},
                         summary=f"import {upload.file_name}: {len(created)} orders")
        return page("orders/import.html", plan=plan, upload=None, errors={}, created=len(created))

    @get("/export.csv", opt=allow(DISPATCHER, ADMIN, MANAGER))
    async def export_orders_csv(self, request: Request, status: str = "", client: str = "", day: str = "",
                                q: str = "") -> Response:
        content = await export_csv(OrderFilter(status=status, client_id=optional_int(client), day=parse_day(day),
                                               search=q.strip()), scope=await order_scope(current_user(request)))
        return download(content, "orders.csv", CSV)

    @get("/export.xlsx", opt=allow(DISPATCHER, ADMIN, MANAGER))
    async def export_orders_xlsx(self, request: Request, status: str = "", client: str = "", day: str = "",
                                 q: str = "") -> Response:
        content = await export_xlsx(OrderFilter(status=status, client_id=optional_int(client), day=parse_day(day),
                                                search=q.strip()), scope=await order_scope(current_user(request)))
        return download(content, "orders.xlsx", XLSX)

    @get("/{order_id:int}", opt=allow(DISPATCHER, ADMIN, MANAGER))
    async def show_order(self, request: Request, order_id: int) -> Template:
        user = current_user(request)
        await require_order_visible(user, order_id)
        order = await order_detail(order_id)
        can_change = may_change_orders(user)
        return page("orders/order.html", order=order, line_name=line_name, can_change=can_change,
                    steps=next_steps(order["status"], By.DISPATCH), errors={},
                    proof=(await field_proofs([order_id])).get(order_id), fail_reasons=FAIL_REASONS,
                    suggestions=await pending_suggestions(order_id) if can_change else [])

    @get("/{order_id:int}/edit")
    async def edit_order(self, order_id: int) -> Template:
        order = await order_detail(order_id)
        return await order_form(values_of(order), {}, order=order)

    @post("/{order_id:int}")
    async def save_order(self, request: Request, order_id: int) -> Template | Redirect:
        values = await form_values(request)
        order = await get_order(order_id)
        try:
            async with writing():
                await update_order(actor_of(request), order, values, current_time_zone())
        except InvalidInput as exc:
            return await order_form(values, exc.errors, order=await order_detail(order_id), status_code=422)
        return Redirect(path=f"/orders/{order_id}")

    @post("/{order_id:int}/status")
    async def move_order(self, request: Request, order_id: int) -> Template | Redirect:
        form = await form_of(request)
        target, note = text(form, "status"), text(form, "note")
        if target == NEW:  # back to "new" is an unassign: the order leaves its route too
            return await self._step(request, order_id, lambda actor, order: unassign_orders(actor, [order.id]))
        return await self._step(request, order_id, lambda actor, order: change_status(
            actor, order, target, By.DISPATCH, note=note))

    @post("/{order_id:int}/cancel")
    async def cancel(self, request: Request, order_id: int) -> Template | Redirect:
        reason = text(await form_of(request), "reason")
        return await self._step(request, order_id, lambda actor, order: cancel_order(actor, order, reason))

    @post("/{order_id:int}/reopen")
    async def reopen(self, request: Request, order_id: int) -> Template | Redirect:
        form = await form_of(request)
        target, reason = text(form, "status", "new"), text(form, "reason")
        return await self._step(request, order_id, lambda actor, order: reopen_order(actor, order, target, reason))

    @post("/{order_id:int}/price")
    async def set_price(self, request: Request, order_id: int) -> Template | Redirect:
        form = await form_of(request)
        fields = Collector({"price": text(form, "price")})
        amount = fields.money("price") if text(form, "price") else None
        if fields.errors:
            return await self._order_page(order_id, fields.errors)
        reason = text(form, "reason")
        return await self._step(request, order_id, lambda actor, order: set_price_by_hand(actor, order, amount,
                                                                                             reason))

    async def _step(self, request: Request, order_id: int, action) -> Template | Redirect:
        order = await get_order(order_id)
        try:
            async with writing():
                await action(actor_of(request), order)
        except InvalidInput as exc:
            return await self._order_page(order_id, exc.errors)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return await self._order_page(order_id, {"status": exc.message}, status_code=exc.status_code)
        return Redirect(path=f"/orders/{order_id}")

    async def _order_page(self, order_id: int, errors: dict, status_code: int = 422) -> Template:
        order = await order_detail(order_id)
        return page("orders/order.html", status_code=status_code, order=order, line_name=line_name,
                    can_change=True, steps=next_steps(order["status"], By.DISPATCH), errors=errors)


HANDLERS = [OrdersController]
