"""The managers' CRM: the client list and search, registering a client, the dossier and its tabs, the daily
contact list, activities, plans against facts, contracts, documents, duplicates, import and export."""

from __future__ import annotations

from datetime import date, datetime, timezone
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import Parameter
from litestar.response import Redirect, Template

from app.accounts.roles import ADMIN, MANAGER
from app.crm import activities as acts
from app.crm import contracts as contract_domain
from app.crm import counterparties as cps
from app.crm import custom_fields, daily_list, dossier, plans, transfer
from app.crm.attachments import attach, get_attachment, owning_counterparty, path_of
from app.crm.duplicates import find_duplicates, merge
from app.crm.visibility import Viewer, require_visible, viewer_of
from app.dispatch.day import company_today
from app.errors import InvalidInput
from app.i18n import current_time_zone
from app.i18n import gettext as _
from app.routes.forms import current_user, form_of, optional_int, text
from app.security import actor_of, allow
from app.templating import page, page_or_fragment, wants_fragment
from tables.accounts import User

PAGE = 50


def parse_local(value: str) -> datetime | None:
    """A datetime-local field ('2026-11-24T10:30') in the reader's time zone, as an aware UTC datetime."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(current_time_zone()))
    return moment.astimezone(timezone.utc)


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


async def viewer(request: Request) -> Viewer:
    return await viewer_of(current_user(request))


def client_filter(q: str, manager: str, source: str, state: str, value: str, tag: str) -> cps.ClientFilter:
    return cps.ClientFilter(q=q.strip(), manager_id=optional_int(manager), source=source, state=state,
                            classifier_value=optional_int(value), tag=tag.strip())


def activity_input(form, counterparty_id: int | None = None) -> acts.ActivityInput:
    return acts.ActivityInput(
        kind=text(form, "kind", "call"), counterparty_id=counterparty_id or optional_int(form.get("counterparty")),
        contact_id=optional_int(form.get("contact")), order_id=optional_int(form.get("order")),
        subject=text(form, "subject"), starts_at=parse_local(text(form, "starts_at")),
        ends_at=parse_local(text(form, "ends_at")), goal=text(form, "goal"), priority=text(form, "priority", "normal"),
        performer_id=optional_int(form.get("performer")), remind_at=parse_local(text(form, "remind_at")),
        remind_by_email=text(form, "remind_by_email") == "1", custom=custom_fields.form_values(form))


class CrmController(Controller):
    path = "/crm"
    opt = allow(MANAGER, ADMIN)
    include_in_schema = False

    # ------------------------------------------------------------ list, search, register

    @get("/")
    async def show_clients(self, request: Request, q: str = "", manager: str = "", source: str = "",
                           client_state: Annotated[str, Parameter(query="state")] = "", value: str = "", tag: str = "", after_name: str = "",
                           after_id: str = "") -> Template:
        filters = client_filter(q, manager, source, client_state, value, tag)
        after = (after_name, optional_int(after_id) or 0) if after_id else None
        who = await viewer(request)
        clients, next_after = await cps.list_clients(who, filters, after=after, limit=PAGE)
        more = None
        if next_after:
            more = "/crm?" + urlencode({**filters.as_query(), "after_name": next_after[0], "after_id": next_after[1]})
        context = dict(clients=clients, filters=filters, more=more, export_query=urlencode(filters.as_query()))
        if wants_fragment(request):
            return page_or_fragment(request, "crm/clients.html", "crm/_client_rows.html", **context)
        return page("crm/clients.html", managers=await cps.managers(), sources=cps.SOURCES, states=cps.STATES,
                    values=await dossier.classifier_choices(), **context)

    @get("/new")
    async def new_client(self) -> Template:
        return await _registration_form({"kind": "company", "locale": "fr", "time_zone": current_time_zone(),
                                         "contact_every_days": "30"}, {})

    @post("/")
    async def register_client(self, request: Request) -> Template | Redirect:
        form = await form_of(request)
        card = {name: text(form, name) for name in cps.CARD_FIELDS if name in form}
        consents = {channel: text(form, f"consent_how_{channel}") or _("at registration")
                    for channel in cps.CHANNELS if text(form, f"consent_{channel}") == "1"}
        registration = cps.Registration(card=card, roles=set(form.getall("roles", [])) or {"client"},
                                        consents=consents, allow_duplicate=text(form, "allow_duplicate") == "1")
        try:
            row = await cps.register_client(actor_of(request), await viewer(request), registration)
        except InvalidInput as exc:
            return await _registration_form({**card, **{f"consent_{c}": "1" for c in consents}}, exc.errors,
                                            status_code=422)
        return Redirect(path=f"/crm/{row.id}")

    @get("/duplicates")
    async def check_duplicates(self, name: str = "", tax_id: str = "", phone: str = "", email: str = "") -> Template:
        phone = cps.normalise_phone(phone) or "" if phone else ""
        found = await find_duplicates(name, tax_id.strip().upper(), phone, email.strip()) if (
            len(name) >= 3 or tax_id or phone or email) else []
        return page("crm/_duplicates.html", duplicates=found)

    # ------------------------------------------------------------ the dossier

    @get("/{counterparty_id:int}")
    async def show_dossier(self, request: Request, counterparty_id: int, tab: str = "overview",
                           before: str = "") -> Template:
        tab = tab if tab in dossier.TABS else "overview"
        who = await viewer(request)
        client = await cps.get_counterparty(who, counterparty_id)
        context = await _tab_context(tab, counterparty_id, before, card=client.to_dict())
        if wants_fragment(request):
            return page("crm/_tabs.html", client=client, tab=tab, tabs=dossier.TABS, errors={}, **context)
        return page("crm/dossier.html", client=client, tab=tab, tabs=dossier.TABS, me=who,
                    errors={}, **context)

    @post("/{counterparty_id:int}")
    async def save_card(self, request: Request, counterparty_id: int) -> Template | Redirect:
        form = await form_of(request)
        values = {name: text(form, name) for name in cps.CARD_FIELDS if name in form}
        return await _dossier_action(request, counterparty_id, "overview", cps.update_card(
            actor_of(request), await viewer(request), counterparty_id, values, custom_fields.form_values(form)))

    @post("/{counterparty_id:int}/contacts")
    async def add_contact(self, request: Request, counterparty_id: int) -> Template | Redirect:
        form = await form_of(request)
        extra = dict(zip(form.getall("extra_name", []), form.getall("extra_value", [])))
        values = {name: text(form, name) for name in cps.CONTACT_FIELDS} | {"extra": extra}
        return await _dossier_action(request, counterparty_id, "contacts", cps.add_contact(
            actor_of(request), await viewer(request), counterparty_id, values, custom_fields.form_values(form)))

    @post("/{counterparty_id:int}/entities")
    async def add_entity(self, request: Request, counterparty_id: int) -> Template | Redirect:
        form = await form_of(request)
        return await _dossier_action(request, counterparty_id, "entities", cps.add_legal_entity(
            actor_of(request), await viewer(request), counterparty_id,
            {name: text(form, name) for name in cps.ENTITY_FIELDS}))

    @post("/{counterparty_id:int}/consents")
    async def change_consent(self, request: Request, counterparty_id: int) -> Template | Redirect:
        form = await form_of(request)
        return await _dossier_action(request, counterparty_id, "overview", cps.set_consent(
            actor_of(request), await viewer(request), counterparty_id, text(form, "channel"),
            text(form, "granted") == "1", text(form, "how")))

    @post("/{counterparty_id:int}/manager")
    async def change_manager(self, request: Request, counterparty_id: int) -> Template | Redirect:
        return await _person_action(request, counterparty_id, cps.assign_manager, "manager")

    @post("/{counterparty_id:int}/co-managers")
    async def add_co_manager(self, request: Request, counterparty_id: int) -> Template | Redirect:
        return await _person_action(request, counterparty_id, cps.add_co_manager, "manager")

    @post("/{counterparty_id:int}/co-managers/{manager_id:int}/remove")
    async def remove_co_manager(self, request: Request, counterparty_id: int, manager_id: int) -> Redirect:
        await cps.remove_co_manager(actor_of(request), await viewer(request), counterparty_id, manager_id)
        return Redirect(path=f"/crm/{counterparty_id}")

    @post("/{counterparty_id:int}/shares")
    async def share(self, request: Request, counterparty_id: int) -> Template | Redirect:
        return await _person_action(request, counterparty_id, cps.share_with, "user")

    @get("/{counterparty_id:int}/orders/pick")
    async def pick_order(self, request: Request, counterparty_id: int, reference: str = "") -> Template:
        """The activity form's order picker (HTMX): the client's orders matching what was typed."""
        await require_visible(await viewer(request), counterparty_id)
        return page("crm/_order_options.html", orders=await acts.orders_to_link(counterparty_id, reference),
                    chosen=None)

    @post("/{counterparty_id:int}/tags")
    async def change_tags(self, request: Request, counterparty_id: int) -> Redirect:
        form = await form_of(request)
        who = await viewer(request)
        await cps.set_tags(actor_of(request), who, counterparty_id, text(form, "tags").split(","))
        values = [v for v in (optional_int(x) for x in form.getall("values", [])) if v]
        await cps.set_classifications(actor_of(request), who, counterparty_id, values)
        return Redirect(path=f"/crm/{counterparty_id}")

    @post("/{counterparty_id:int}/documents")
    async def upload_document(self, request: Request, counterparty_id: int) -> Template | Redirect:
        await require_visible(await viewer(request), counterparty_id)
        form = await form_of(request)
        upload = form.get("file")
        try:
            if not isinstance(upload, UploadFile):
                raise InvalidInput({"file": _("Choose a file to upload.")})
            await attach(actor_of(request), "counterparty", counterparty_id, upload.filename or "file",
                         upload.content_type, await upload.read())
        except InvalidInput as exc:
            return await _dossier_with_errors(request, counterparty_id, "documents", exc.errors)
        return Redirect(path=f"/crm/{counterparty_id}?tab=documents")

    @get("/documents/{attachment_id:int}")
    async def download_document(self, request: Request, attachment_id: int) -> Response:
        row = await get_attachment(attachment_id)
        owner = await owning_counterparty(row)
        await require_visible(await viewer(request), owner or 0)
        return Response(content=path_of(row.sha256).read_bytes(), media_type="application/octet-stream",
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
                                 "X-Content-Type-Options": "nosniff"})

    @post("/{counterparty_id:int}/contracts")
    async def add_contract(self, request: Request, counterparty_id: int) -> Template | Redirect:
        form = await form_of(request)
        data = contract_domain.ContractInput(
            number=text(form, "number"), starts_on=parse_day(text(form, "starts_on")),
            ends_on=parse_day(text(form, "ends_on")), signed_on=parse_day(text(form, "signed_on")),
            terms=text(form, "terms"), remind_days_before=optional_int(form.get("remind_days_before")) or 30)
        try:
            row = await contract_domain.add_contract(actor_of(request), await viewer(request), counterparty_id, data)
            upload = form.get("file")
            if isinstance(upload, UploadFile) and upload.filename:
                await attach(actor_of(request), "contract", row.id, upload.filename, upload.content_type,
                             await upload.read())
        except InvalidInput as exc:
            return await _dossier_with_errors(request, counterparty_id, "contracts", exc.errors)
        return Redirect(path=f"/crm/{counterparty_id}?tab=contracts")

    @post("/contracts/{contract_id:int}/renew")
    async def renew_contract(self, request: Request, contract_id: int) -> Redirect:
        form = await form_of(request)
        row = await contract_domain.renew(actor_of(request), await viewer(request), contract_id,
                                          parse_day(text(form, "ends_on")), text(form, "number"))
        return Redirect(path=f"/crm/{row.counterparty}?tab=contracts")

    @post("/{counterparty_id:int}/merge")
    async def merge_into(self, request: Request, counterparty_id: int) -> Template | Redirect:
        form = await form_of(request)
        try:
            await merge(actor_of(request), await viewer(request), counterparty_id,
                        optional_int(form.get("other")) or 0)
        except InvalidInput as exc:
            return await _dossier_with_errors(request, counterparty_id, "overview", exc.errors)
        return Redirect(path=f"/crm/{counterparty_id}")

    # ------------------------------------------------------------ activities

    @post("/activities")
    async def plan_activity(self, request: Request) -> Template | Redirect:
        form = await form_of(request)
        data = activity_input(form)
        try:
            row = await acts.plan_activity(actor_of(request), await viewer(request), data)
        except InvalidInput as exc:
            if data.counterparty_id:
                return await _dossier_with_errors(request, data.counterparty_id, "activities", exc.errors, form)
            raise
        back = text(form, "back")
        return Redirect(path=back if back.startswith("/") and not back.startswith("//") else f"/crm/activities/{row.id}")

    @get("/activities/{activity_id:int}")
    async def show_activity(self, request: Request, activity_id: int) -> Template:
        return await _activity_page(request, activity_id, {})

    @post("/activities/{activity_id:int}/done")
    async def complete_activity(self, request: Request, activity_id: int) -> Template | Redirect:
        form = await form_of(request)
        try:
            await acts.complete(actor_of(request), await viewer(request), activity_id, text(form, "result"))
        except InvalidInput as exc:
            return await _activity_page(request, activity_id, exc.errors, status_code=422)
        return Redirect(path=f"/crm/activities/{activity_id}")

    @post("/activities/{activity_id:int}/reschedule")
    async def reschedule_activity(self, request: Request, activity_id: int) -> Template | Redirect:
        form = await form_of(request)
        new_start = parse_local(text(form, "starts_at"))
        try:
            if new_start is None:
                raise InvalidInput({"starts_at": _("Enter when it takes place.")})
            await acts.reschedule(actor_of(request), await viewer(request), activity_id, new_start,
                                  text(form, "reason"), postpone=text(form, "postpone") == "1")
        except InvalidInput as exc:
            return await _activity_page(request, activity_id, exc.errors, status_code=422)
        return Redirect(path=f"/crm/activities/{activity_id}")

    @post("/activities/{activity_id:int}/cancel")
    async def cancel_activity(self, request: Request, activity_id: int) -> Redirect:
        form = await form_of(request)
        await acts.cancel(actor_of(request), await viewer(request), activity_id, text(form, "reason"))
        return Redirect(path=f"/crm/activities/{activity_id}")

    @post("/activities/{activity_id:int}/verify")
    async def verify_activity(self, request: Request, activity_id: int) -> Template | Redirect:
        form = await form_of(request)
        try:
            await acts.verify(actor_of(request), await viewer(request), activity_id, text(form, "note"))
        except InvalidInput as exc:
            return await _activity_page(request, activity_id, exc.errors, status_code=422)
        return Redirect(path=f"/crm/activities/{activity_id}")

    @post("/activities/{activity_id:int}/documents")
    async def attach_to_activity(self, request: Request, activity_id: int) -> Template | Redirect:
        await acts.get_activity(await viewer(request), activity_id)
        form = await form_of(request)
        upload = form.get("file")
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise InvalidInput({"file": _("Choose a file to upload.")})
            await attach(actor_of(request), "activity", activity_id, upload.filename, upload.content_type,
                         await upload.read())
        except InvalidInput as exc:
            return await _activity_page(request, activity_id, exc.errors, status_code=422)
        return Redirect(path=f"/crm/activities/{activity_id}")

    @get("/verify")
    async def show_to_verify(self, request: Request) -> Template:
        return page("crm/verify.html", activities=await acts.to_verify(await viewer(request)))

    # ------------------------------------------------------------ the daily contact list

    @get("/today")
    async def show_daily_list(self, request: Request) -> Template:
        who = await viewer(request)
        return page("crm/today.html", items=await daily_list.my_list(who), day=company_today(),
                    reminders=await acts.due_reminders(who.user_id), errors={})

    @post("/today/{item_id:int}/call")
    async def plan_daily_call(self, request: Request, item_id: int) -> Redirect:
        form = await form_of(request)
        await daily_list.plan_call(actor_of(request), await viewer(request), item_id,
                                   parse_local(text(form, "starts_at")))
        return Redirect(path="/crm/today")

    @post("/today/{item_id:int}/result")
    async def record_daily_result(self, request: Request, item_id: int) -> Template | Redirect:
        form = await form_of(request)
        who = await viewer(request)
        try:
            await daily_list.record_result(actor_of(request), who, item_id, text(form, "result"))
        except InvalidInput as exc:
            return page("crm/today.html", status_code=422, items=await daily_list.my_list(who),
                        day=company_today(), reminders=[], errors={**exc.errors, "item": item_id})
        return Redirect(path="/crm/today")

    # ------------------------------------------------------------ plans and facts

    @get("/plans")
    async def show_plans(self, request: Request, manager: str = "", month: str = "") -> Template:
        return await _plans_page(request, manager, month, {})

    @post("/plans")
    async def set_target(self, request: Request) -> Template | Redirect:
        form = await form_of(request)
        start, end = plans.month_of(parse_day(f"{text(form, 'month')}-01") or company_today())
        try:
            await plans.set_target(actor_of(request), await viewer(request), optional_int(form.get("manager")) or 0,
                                   start, end, text(form, "metric"), optional_int(form.get("target")) or 0)
        except InvalidInput as exc:
            return await _plans_page(request, "", text(form, "month"), exc.errors, status_code=422)
        return Redirect(path=f"/crm/plans?month={start:%Y-%m}")

    # ------------------------------------------------------------ the admin's settings

    @get("/settings", opt=allow(ADMIN))
    async def show_settings(self) -> Template:
        return await _settings_page({})

    @post("/settings/fields", opt=allow(ADMIN))
    async def add_field(self, request: Request) -> Template | Redirect:
        form = await form_of(request)
        try:
            await custom_fields.define_field(actor_of(request), text(form, "entity"), text(form, "label"),
                                             text(form, "kind"), text(form, "choices").split(","),
                                             required=text(form, "required") == "1")
        except InvalidInput as exc:
            return await _settings_page(exc.errors, status_code=422)
        return Redirect(path="/crm/settings")

    @post("/settings/classifiers", opt=allow(ADMIN))
    async def add_classifier_value(self, request: Request) -> Template | Redirect:
        form = await form_of(request)
        try:
            await custom_fields.add_classifier_value(actor_of(request), text(form, "classifier"), text(form, "value"))
        except InvalidInput as exc:
            return await _settings_page(exc.errors, status_code=422)
        return Redirect(path="/crm/settings")

    @post("/settings/completeness", opt=allow(ADMIN))
    async def save_completeness(self, request: Request) -> Template | Redirect:
        from app.crm.completeness import CARD_REQUIREMENTS, save_setting

        form = await form_of(request)
        threshold = optional_int(form.get("threshold"))
        if threshold is None or not 0 <= threshold <= 100:
            return await _settings_page({"threshold": _("Enter a percentage between 0 and 100.")}, status_code=422)
        required = [name for name in form.getall("required", []) if name in CARD_REQUIREMENTS]
        await save_setting("required_fields", required)
        await save_setting("completeness_threshold", threshold)
        return Redirect(path="/crm/settings")

    # ------------------------------------------------------------ import and export

    @get("/export")
    async def export_clients(self, request: Request, format: str = "csv", q: str = "", manager: str = "",
                             source: str = "", client_state: Annotated[str, Parameter(query="state")] = "", value: str = "", tag: str = "") -> Response:
        filters = client_filter(q, manager, source, client_state, value, tag)
        content, media_type, name = await transfer.export_clients(await viewer(request), filters, format)
        return Response(content=content, media_type=media_type,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @get("/import")
    async def show_import(self) -> Template:
        return page("crm/import.html", report=None, errors={})

    @post("/import")
    async def import_clients(self, request: Request) -> Template:
        form = await form_of(request)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return page("crm/import.html", status_code=422, report=None,
                        errors={"file": _("Choose a CSV or XLSX file.")})
        try:
            report = await transfer.import_clients(actor_of(request), await viewer(request), upload.filename,
                                                   await upload.read(), dry_run=text(form, "apply") != "1")
        except InvalidInput as exc:
            return page("crm/import.html", status_code=422, report=None, errors=exc.errors)
        return page("crm/import.html", report=report, errors={})


async def _plans_page(request: Request, manager: str, month: str, errors: dict, status_code: int = 200) -> Template:
    who = await viewer(request)
    start, end = plans.month_of(parse_day(f"{month}-01") if month else company_today())
    manager_id = optional_int(manager)
    team = await plans.team_plan_vs_fact(who, start, end) if who.is_supervisor else []
    person = manager_id if (manager_id and (who.sees_all or manager_id in who.team)) else who.user_id
    return page("crm/plans.html", status_code=status_code, start=start, end=end, month=start.strftime("%Y-%m"),
                team=team, mine=await plans.plan_vs_fact(person, start, end),
                tasks=await plans.management_tasks(person, start, end), metrics=plans.METRICS,
                people=await _team_people(who), me=who, errors=errors)


async def _settings_page(errors: dict, status_code: int = 200) -> Template:
    from app.crm.completeness import CARD_REQUIREMENTS, DEFAULT_REQUIRED, setting
    from tables.crm import CustomFieldDef

    return page("crm/settings.html", status_code=status_code, errors=errors,
                fields=await CustomFieldDef.select().order_by(CustomFieldDef.entity).order_by(CustomFieldDef.position),
                entities=custom_fields.ENTITIES, kinds=custom_fields.FIELD_KINDS,
                values=await dossier.classifier_choices(), requirements=CARD_REQUIREMENTS,
                required=await setting("required_fields", DEFAULT_REQUIRED),
                threshold=await setting("completeness_threshold", 0))


async def _team_people(who: Viewer) -> list[dict]:
    query = User.select(User.id, User.full_name).where(User.role == MANAGER).order_by(User.full_name)
    if not who.sees_all:
        query = query.where(User.id.is_in(list(who.team)))
    return await query


async def _registration_form(values: dict, errors: dict, status_code: int = 200) -> Template:
    return page("crm/new.html", status_code=status_code, values=values, errors=errors, kinds=cps.KINDS,
                sources=cps.SOURCES, channels=cps.CHANNELS, states=cps.STATES)


async def _tab_context(tab: str, counterparty_id: int, before: str = "", card: dict | None = None,
                       typed: dict[int, str] | None = None, chosen_order: int | None = None) -> dict:
    """`typed`: custom field values just submitted, shown again with their errors; `chosen_order`: the order the
    activity form had picked."""
    if tab == "overview":
        data = await dossier.overview(counterparty_id, card)
        data["custom"] = custom_fields.with_values(data["custom"], {
            **{field["id"]: field["value"] for field in data["custom"]}, **(typed or {})})
        return {"data": data, "classifier_values": await dossier.classifier_choices(),
                "channels": cps.CHANNELS, "states": cps.STATES, "kinds": cps.KINDS,
                "managers": await cps.managers()}
    if tab == "contacts":
        return {"contacts": await dossier.contacts(counterparty_id),
                "custom": custom_fields.with_values(await custom_fields.fields_of("contact"), typed or {})}
    if tab == "entities":
        return {"entities": await dossier.entities(counterparty_id)}
    if tab == "orders":
        rows, next_before = await dossier.orders(counterparty_id, optional_int(before))
        return {"orders": rows, "next_before": next_before}
    if tab == "activities":
        rows, _next = await dossier.activities(counterparty_id)
        contacts = await dossier.contact_names(counterparty_id)
        return {"activities": rows, "contacts": contacts, "kinds": acts.KINDS, "priorities": acts.PRIORITIES,
                "states": acts.STATES,
                "orders": await acts.orders_to_link(counterparty_id, chosen=chosen_order),
                "custom": custom_fields.with_values(await custom_fields.fields_of("activity"), typed or {})}
    if tab == "messages":
        return {"messages": await dossier.messages(counterparty_id)}
    if tab == "documents":
        return {"documents": await dossier.documents(counterparty_id)}
    if tab == "contracts":
        return {"contracts": await dossier.contracts(counterparty_id), "today": company_today()}
    return {"entries": await dossier.history(counterparty_id)}


async def _dossier_with_errors(request: Request, counterparty_id: int, tab: str, errors: dict,
                               form=None) -> Template:
    who = await viewer(request)
    client = await cps.get_counterparty(who, counterparty_id)
    typed = custom_fields.form_values(form) if form is not None else {}
    context = await _tab_context(tab, counterparty_id, typed=typed,
                                 chosen_order=optional_int(form.get("order")) if form is not None else None)
    return page("crm/dossier.html", status_code=422, client=client, tab=tab, tabs=dossier.TABS, me=who,
                errors=errors, form=form or {}, **context)


async def _dossier_action(request: Request, counterparty_id: int, tab: str, action) -> Template | Redirect:
    """Await the form's domain call: back to the dossier's tab, or the tab again with the inline errors (and what
    was typed in the custom fields)."""
    try:
        await action
    except InvalidInput as exc:
        return await _dossier_with_errors(request, counterparty_id, tab, exc.errors, await form_of(request))
    return Redirect(path=f"/crm/{counterparty_id}" + ("" if tab == "overview" else f"?tab={tab}"))


async def _person_action(request: Request, counterparty_id: int, action, field: str) -> Template | Redirect:
    """An overview form naming one person (`field`): hand the client over, add a co-manager, share it."""
    form = await form_of(request)
    return await _dossier_action(request, counterparty_id, "overview", action(
        actor_of(request), await viewer(request), counterparty_id, optional_int(form.get(field)) or 0))


async def _activity_page(request: Request, activity_id: int, errors: dict, status_code: int = 200) -> Template:
    who = await viewer(request)
    row = await acts.get_activity(who, activity_id)
    details = await acts.activity_details(activity_id)
    supervisor = await User.select(User.supervisor).where(User.id == row.performer).first()
    may_verify = who.sees_all or (supervisor is not None and supervisor["supervisor"] == who.user_id)
    from tables.crm import Attachment

    documents = await Attachment.select(Attachment.id, Attachment.filename, Attachment.size).where(
        (Attachment.record_type == "activity") & (Attachment.record_id == activity_id)).order_by(Attachment.id)
    return page("crm/activity.html", status_code=status_code, activity=details, documents=documents,
                custom=[field for field in await dossier.custom_values("activity", activity_id) if field["value"]],
                moves=await acts.reschedule_history(activity_id), may_verify=may_verify, errors=errors,
                kinds=acts.KINDS, priorities=acts.PRIORITIES, states=acts.STATES)


HANDLERS = [CrmController]
