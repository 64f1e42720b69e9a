"""`/api/v1/crm`: clients (list and search, register, dossier), their activities, the daily list, export.

The same domain functions as the HTML pages, so the same visibility rules: a manager's token sees that manager's
clients, a supervisor's their team's, an admin's all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar.params import Parameter

from litestar import Controller, Request, Response, get, post

from app.accounts.roles import ADMIN, MANAGER
from app.crm import activities as acts
from app.crm import counterparties as cps
from app.crm import daily_list, dossier, transfer
from app.crm.visibility import viewer_of
from app.errors import InvalidInput
from app.i18n import gettext as _
from app.routes.forms import current_user
from app.security import actor_of, allow


class ClientRow(msgspec.Struct):
    id: int
    name: str
    kind: str
    phone: str
    email: str
    state: str
    manager_name: str | None
    completeness: int
    last_contact_at: datetime | None


class ClientPage(msgspec.Struct):
    items: list[ClientRow]
    next_after_name: str | None = None
    next_after_id: int | None = None


class Consent(msgspec.Struct):
    channel: str
    how: str = ""


class NewClient(msgspec.Struct):
    name: str
    marketing_source: str
    kind: str = "company"
    phone: str = ""
    email: str = ""
    tax_id: str = ""
    address: str = ""
    category: str = ""
    source_detail: str = ""
    locale: str = "en"
    time_zone: str = "UTC"
    roles: list[str] = msgspec.field(default_factory=lambda: ["client"])
    consents: list[Consent] = msgspec.field(default_factory=list)
    allow_duplicate: bool = False


class ContactOut(msgspec.Struct):
    id: int
    name: str
    position: str
    phone: str
    email: str
    extra: dict


class Dossier(msgspec.Struct):
    id: int
    name: str
    kind: str
    phone: str
    email: str
    tax_id: str
    state: str
    marketing_source: str
    manager: int | None  # the lead manager
    co_managers: list[int]
    completeness: int
    missing: list[str]
    consents: dict[str, bool]
    tags: list[str]
    contacts: list[ContactOut]


class NewActivity(msgspec.Struct):
    kind: str
    starts_at: datetime
    subject: str = ""
    counterparty: int | None = None
    contact: int | None = None
    ends_at: datetime | None = None
    goal: str = ""
    priority: str = "normal"
    performer: int | None = None
    remind_at: datetime | None = None
    order: int | None = None  # one of the client's orders
    custom: dict[str, str] = msgspec.field(default_factory=dict)  # admin-defined activity fields, by field id


class ActivityOut(msgspec.Struct):
    id: int
    kind: str
    subject: str
    starts_at: datetime
    state: str
    priority: str
    counterparty: int | None
    performer: int
    order: int | None = None


class Result(msgspec.Struct):
    result: str


class DailyItem(msgspec.Struct):
    id: int
    counterparty_id: int
    counterparty_name: str
    reason: str
    days_silent: int
    state: str


def _activity_out(row) -> ActivityOut:
    return ActivityOut(id=row.id, kind=row.kind, subject=row.subject, starts_at=row.starts_at, state=row.state,
                       priority=row.priority, counterparty=row.counterparty, performer=row.performer,
                       order=row.order)


class ApiCrmController(Controller):
    path = "/api/v1/crm"
    tags = ["crm"]
    opt = allow(MANAGER, ADMIN)

    @get("/clients", summary="Clients I see, searched and filtered, a page at a time")
    async def list_clients(self, request: Request, q: str = "", manager: int | None = None, source: str = "",
                           client_state: Annotated[str, Parameter(query="state")] = "", after_name: str = "", after_id: int | None = None,
                           limit: int = 50) -> ClientPage:
        who = await viewer_of(current_user(request))
        filters = cps.ClientFilter(q=q, manager_id=manager, source=source, state=client_state)
        after = (after_name, after_id) if after_id else None
        rows, next_after = await cps.list_clients(who, filters, after, limit=max(1, min(limit, 200)))
        return ClientPage(items=[msgspec.convert(row, ClientRow, strict=False) for row in rows],
                          next_after_name=next_after[0] if next_after else None,
                          next_after_id=next_after[1] if next_after else None)

    @post("/clients", status_code=201, summary="Register a client")
    async def register_client(self, request: Request, data: NewClient) -> Dossier:
        card = msgspec.structs.asdict(data)
        registration = cps.Registration(
            card={name: card[name] for name in cps.CARD_FIELDS if name in card}, roles=set(data.roles),
            consents={consent.channel: consent.how or _("via the API") for consent in data.consents},
            allow_duplicate=data.allow_duplicate)
        who = await viewer_of(current_user(request))
        row = await cps.register_client(actor_of(request), who, registration)
        return await self._dossier(request, row.id)

    @get("/clients/{client_id:int}", summary="A client's dossier")
    async def show_client(self, request: Request, client_id: int) -> Dossier:
        return await self._dossier(request, client_id)

    async def _dossier(self, request: Request, client_id: int) -> Dossier:
        who = await viewer_of(current_user(request))
        row = await cps.get_counterparty(who, client_id)
        data = await dossier.overview(client_id)
        contacts = await dossier.contacts(client_id)
        return Dossier(id=row.id, name=row.name, kind=row.kind, phone=row.phone, email=row.email, tax_id=row.tax_id,
                       state=row.state, marketing_source=row.marketing_source, manager=row.manager,
                       co_managers=[m["manager"] for m in data["managers"] if not m["lead"] and m["ended_at"] is None],
                       completeness=data["completeness"].percent, missing=data["completeness"].missing,
                       consents={c: v["granted"] for c, v in data["consents"].items()}, tags=data["tags"],
                       contacts=[ContactOut(id=c["id"], name=c["name"], position=c["position"], phone=c["phone"],
                                            email=c["email"], extra=c["extra"] or {}) for c in contacts])

    @get("/clients/export", summary="The filtered list as CSV or XLSX")
    async def export_clients(self, request: Request, format: str = "csv", q: str = "",
                             client_state: Annotated[str, Parameter(query="state")] = "") -> Response:
        who = await viewer_of(current_user(request))
        content, media_type, name = await transfer.export_clients(who, cps.ClientFilter(q=q, state=client_state), format)
        return Response(content=content, media_type=media_type,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @post("/activities", status_code=201, summary="Plan an activity")
    async def plan_activity(self, request: Request, data: NewActivity) -> ActivityOut:
        if data.starts_at.tzinfo is None:
            raise InvalidInput({"starts_at": _("Give the time zone (for example 2026-11-24T10:00:00+01:00).")})
        who = await viewer_of(current_user(request))
        row = await acts.plan_activity(actor_of(request), who, acts.ActivityInput(
            kind=data.kind, counterparty_id=data.counterparty, contact_id=data.contact, subject=data.subject,
            starts_at=data.starts_at, ends_at=data.ends_at, goal=data.goal, priority=data.priority,
            performer_id=data.performer, remind_at=data.remind_at, order_id=data.order,
            custom={int(key): value for key, value in data.custom.items() if key.isdigit()}))
        return _activity_out(row)

    @post("/activities/{activity_id:int}/done", status_code=200, summary="Record an activity's result")
    async def complete_activity(self, request: Request, activity_id: int, data: Result) -> ActivityOut:
        who = await viewer_of(current_user(request))
        return _activity_out(await acts.complete(actor_of(request), who, activity_id, data.result))

    @get("/today", summary="My daily contact list")
    async def daily_list(self, request: Request) -> list[DailyItem]:
        who = await viewer_of(current_user(request))
        return [msgspec.convert(row, DailyItem, strict=False) for row in await daily_list.my_list(who)]


HANDLERS = [ApiCrmController]
