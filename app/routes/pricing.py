"""The price list pages: the company's list and the clients' lists, their rules, and which clients use them."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from app.accounts.roles import ADMIN, DISPATCHER
from app.db import writing
from app.errors import InvalidInput
from app.orders.fields import Collector
from app.pricing import KIND_NAMES
from app.pricing.lists import (
    add_rule,
    attach_to_client,
    clients_of,
    create_price_list,
    get_price_list,
    list_price_lists,
    make_company_default,
    remove_rule,
    rules_page,
    update_price_list,
)
from app.routes.forms import form_of, optional_int, text
from app.security import actor_of, allow
from app.templating import fragment, page, page_or_fragment, wants_fragment
from tables.counterparties import Counterparty


def rule_values(form) -> dict:
    """A rule from the form: amounts in major units (2.50), percent as 1.5 → basis points."""
    fields = Collector({name: text(form, name) for name in (
        "kind", "band_from", "band_to", "zone", "amount", "per_unit", "percent")})
    values = {"kind": fields.text("kind", 20), "band_from": fields.number("band_from", 0.0),
              "band_to": fields.number("band_to", None) if text(form, "band_to") else None,  # type: ignore[arg-type]
              "zone": fields.text("zone", 40), "amount": fields.money("amount"), "per_unit": fields.money("per_unit"),
              "percent_bp": int(round(fields.number("percent", 0.0, 0, 1000) * 100))}
    if fields.errors:
        raise InvalidInput(fields.errors)
    return values


PARTS = {"rules": rules_page, "clients": clients_of}  # the paged lists of a price list's page


async def list_page(price_list, errors: dict | None = None, values: dict | None = None,
                    status_code: int = 200, part: str = "", after: str = "") -> Template:
    """The price list's page; `part`'s list (rules or clients) starts after the cursor."""
    lists = {name: await page_of(price_list.id, after if name == part else None) for name, page_of in PARTS.items()}
    choices = await Counterparty.select(Counterparty.id, Counterparty.name).where(
        Counterparty.is_client == True).order_by(Counterparty.name).limit(1000)  # noqa: E712
    return page("pricing/price_list.html", status_code=status_code, price_list=price_list, kinds=KIND_NAMES,
                errors=errors or {}, values=values or {}, client_choices=choices, **lists)


class PricingController(Controller):
    path = "/pricing"
    opt = allow(DISPATCHER, ADMIN)
    include_in_schema = False

    @get("/")
    async def show_price_lists(self, request: Request, after: str = "") -> Template:
        return page_or_fragment(request, "pricing/price_lists.html", "pricing/_price_list_rows.html",
                                price_lists=await list_price_lists(after), errors={}, values={})

    @post("/")
    async def add_price_list(self, request: Request) -> Template | Redirect:
        form = await form_of(request)
        values = {"name": text(form, "name"), "currency": text(form, "currency", "EUR")}
        try:
            async with writing():
                row = await create_price_list(actor_of(request), values["name"], values["currency"],
                                              company_default=text(form, "company") == "1")
        except InvalidInput as exc:
            return page("pricing/price_lists.html", status_code=422, price_lists=await list_price_lists(),
                        errors=exc.errors, values=values)
        return Redirect(path=f"/pricing/{row.id}")

    @get("/{list_id:int}")
    async def show_price_list(self, request: Request, list_id: int, part: str = "", after: str = "") -> Template:
        price_list = await get_price_list(list_id)
        if part in PARTS and wants_fragment(request):
            return fragment(f"pricing/_{part}_rows.html", price_list=price_list, kinds=KIND_NAMES,
                            **{part: await PARTS[part](list_id, after)})
        return await list_page(price_list, part=part, after=after)

    @post("/{list_id:int}")
    async def save_price_list(self, request: Request, list_id: int) -> Template | Redirect:
        row = await get_price_list(list_id)
        form = await form_of(request)
        try:
            async with writing():
                await update_price_list(actor_of(request), row, text(form, "name"), text(form, "currency"),
                                        text(form, "notes"))
        except InvalidInput as exc:
            return await list_page(row, exc.errors, status_code=422)
        return Redirect(path=f"/pricing/{list_id}")

    @post("/{list_id:int}/default")
    async def make_default(self, request: Request, list_id: int) -> Redirect:
        row = await get_price_list(list_id)
        async with writing():
            await make_company_default(actor_of(request), row)
        return Redirect(path=f"/pricing/{list_id}")

    @post("/{list_id:int}/rules")
    async def add_price_rule(self, request: Request, list_id: int) -> Template | Redirect:
        row = await get_price_list(list_id)
        form = await form_of(request)
        try:
            async with writing():
                await add_rule(actor_of(request), row, rule_values(form))
        except InvalidInput as exc:
            return await list_page(row, exc.errors, {name: text(form, name) for name in form.keys()},
                                   status_code=422)
        return Redirect(path=f"/pricing/{list_id}")

    @post("/{list_id:int}/rules/{rule_id:int}/delete")
    async def delete_price_rule(self, request: Request, list_id: int, rule_id: int) -> Redirect:
        row = await get_price_list(list_id)
        async with writing():
            await remove_rule(actor_of(request), row, rule_id)
        return Redirect(path=f"/pricing/{list_id}")

    @post("/{list_id:int}/clients")
    async def attach_client(self, request: Request, list_id: int) -> Template | Redirect:
        row = await get_price_list(list_id)
        form = await form_of(request)
        client_id = optional_int(text(form, "client"))
        if client_id is None:
            return await list_page(row, {"client": "—"}, status_code=422)
        async with writing():
            await attach_to_client(actor_of(request), client_id, None if text(form, "detach") == "1" else row.id)
        return Redirect(path=f"/pricing/{list_id}")


HANDLERS = [PricingController]
