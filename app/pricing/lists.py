"""Price lists in the database: which list prices a client's orders, and the quote for an order's inputs.

The seeds' rule: the price list attached to the client's dossier is used; the company's list applies when the
client has none.
"""

from __future__ import annotations

from app.audit import Actor, delete, insert, update
from app.errors import InvalidInput, NotFound
from app.i18n import gettext as _
from app.keyset import Page, keyset_page
from app.pricing import KINDS, PriceInputs, Quote, Rule, price
from tables.counterparties import Counterparty
from tables.pricing import PriceList, PriceRule

PAGE = 50
RULE_FIELDS = ("kind", "band_from", "band_to", "zone", "amount", "per_unit", "percent_bp")


async def company_price_list() -> dict | None:
    return await PriceList.select().where(PriceList.is_company_default == True).first()  # noqa: E712


async def price_list_for_client(client_id: int | None) -> dict | None:
    """The client's own list, else the company's (two queries at most)."""
    if client_id:
        row = await Counterparty.select(Counterparty.price_list).where(Counterparty.id == client_id).first()
        if row and row["price_list"]:
            found = await PriceList.select().where(PriceList.id == row["price_list"]).first()
            if found:
                return found
    return await company_price_list()


def rule_of(row: dict) -> Rule:
    return Rule(kind=row["kind"], band_from=row["band_from"] or 0.0, band_to=row["band_to"], zone=row["zone"] or "",
                amount=row["amount"], per_unit=row["per_unit"], percent_bp=row["percent_bp"])


async def rules_of(price_list_id: int) -> list[Rule]:
    rows = await PriceRule.select().where(PriceRule.price_list == price_list_id).order_by(PriceRule.position,
                                                                                          PriceRule.id)
    return [rule_of(row) for row in rows]


class PriceBook:
    """Rules of several lists loaded once, for pricing many orders (imports, bulk API) without a query each."""

    def __init__(self) -> None:
        self.company: dict | None = None
        self.lists: dict[int, dict] = {}
        self.rules: dict[int, list[Rule]] = {}
        self.client_list: dict[int, int | None] = {}

    @classmethod
    async def load(cls) -> "PriceBook":
        book = cls()
        for row in await PriceList.select():
            book.lists[row["id"]] = row
            book.rules[row["id"]] = []
            if row["is_company_default"]:
                book.company = row
        for row in await PriceRule.select().order_by(PriceRule.position, PriceRule.id):
            book.rules.setdefault(row["price_list"], []).append(rule_of(row))
        return book

    async def know_clients(self, client_ids: set[int]) -> None:
        missing = [client_id for client_id in client_ids if client_id not in self.client_list]
        if missing:
            rows = await Counterparty.select(Counterparty.id, Counterparty.price_list).where(
                Counterparty.id.is_in(missing))
            self.client_list.update({row["id"]: row["price_list"] for row in rows})

    def list_for(self, client_id: int) -> dict | None:
        list_id = self.client_list.get(client_id)
        return self.lists.get(list_id) if list_id else self.company

    def quote(self, client_id: int, inputs: PriceInputs, currency: str) -> Quote:
        chosen = self.list_for(client_id)
        if chosen is None:
            return Quote(total=0, currency=currency, lines=[])
        return price(self.rules.get(chosen["id"], []), inputs, chosen["currency"])


async def quote_for_client(client_id: int | None, inputs: PriceInputs, currency: str) -> Quote:
    chosen = await price_list_for_client(client_id)
    if chosen is None:
        return Quote(total=0, currency=currency, lines=[])
    return price(await rules_of(chosen["id"]), inputs, chosen["currency"])


# --- managing lists (the pricing pages) -------------------------------------------------------------------

async def list_price_lists(after: str | None = None, limit: int = PAGE) -> Page:
    """Price lists by name, a page at a time (a client may have its own, so there can be many)."""
    return await keyset_page(PriceList.select(), PriceList.name, "name", after, limit)


async def rules_page(price_list_id: int, after: str | None = None, limit: int = PAGE) -> Page:
    """A list's rules in the order the pricing applies them, a page at a time."""
    query = PriceRule.select().where(PriceRule.price_list == price_list_id)
    return await keyset_page(query, PriceRule.position, "position", after, limit)


async def get_price_list(list_id: int) -> PriceList:
    row = await PriceList.objects().where(PriceList.id == list_id).first()
    if row is None:
        raise NotFound(_("This price list does not exist."))
    return row


def _list_errors(name: str, currency: str) -> dict[str, str]:
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the price list a name.")
    if len(currency) != 3 or not currency.isalpha():
        errors["currency"] = _("Use a three-letter currency code such as EUR.")
    return errors


async def create_price_list(actor: Actor, name: str, currency: str, company_default: bool = False,
                            notes: str = "") -> PriceList:
    currency = currency.strip().upper()
    if errors := _list_errors(name, currency):
        raise InvalidInput(errors)
    row = PriceList(name=name.strip(), currency=currency, is_company_default=False, notes=notes)
    await insert(actor, row, summary=f"price list {row.name}")
    if company_default:
        await make_company_default(actor, row)
    return row


async def update_price_list(actor: Actor, row: PriceList, name: str, currency: str, notes: str) -> None:
    currency = currency.strip().upper()
    if errors := _list_errors(name, currency):
        raise InvalidInput(errors)
    await update(actor, row, {"name": name.strip(), "currency": currency, "notes": notes})


async def make_company_default(actor: Actor, row: PriceList) -> None:
    """Only one list is the company's: the previous one stops being it."""
    for previous in await PriceList.objects().where(
            (PriceList.is_company_default == True) & (PriceList.id != row.id)):  # noqa: E712
        await update(actor, previous, {"is_company_default": False})
    await update(actor, row, {"is_company_default": True}, summary="company price list")


def clean_rule(values: dict) -> dict:
    """Checks a rule's fields (already numbers or text); raises InvalidInput naming each bad field."""
    errors = {}
    kind = values.get("kind", "")
    if kind not in KINDS:
        errors["kind"] = _("Choose what this rule prices.")
    band_from, band_to = values.get("band_from") or 0.0, values.get("band_to")
    if band_from < 0:
        errors["band_from"] = _("Must be zero or more.")
    if band_to is not None and band_to <= band_from:
        errors["band_to"] = _("The band must end above where it starts.")
    for name in ("amount", "per_unit", "percent_bp"):
        if (values.get(name) or 0) < 0:
            errors[name] = _("Must be zero or more.")
    if kind == "zone" and not (values.get("zone") or "").strip():
        errors["zone"] = _("Enter the postcode prefix of the zone.")
    if errors:
        raise InvalidInput(errors)
    return {"kind": kind, "band_from": float(band_from), "band_to": band_to, "zone": (values.get("zone") or "").strip(),
            "amount": int(values.get("amount") or 0), "per_unit": int(values.get("per_unit") or 0),
            "percent_bp": int(values.get("percent_bp") or 0)}


async def add_rule(actor: Actor, price_list: PriceList, values: dict) -> PriceRule:
    clean = clean_rule(values)
    last = await PriceRule.select(PriceRule.position).where(PriceRule.price_list == price_list.id).order_by(
        PriceRule.position, ascending=False).first()
    row = PriceRule(price_list=price_list.id, position=(last["position"] + 1) if last else 0, **clean)
    await insert(actor, row, summary=f"rule {clean['kind']} on price list {price_list.name}")
    return row


async def remove_rule(actor: Actor, price_list: PriceList, rule_id: int) -> None:
    row = await PriceRule.objects().where((PriceRule.id == rule_id) & (PriceRule.price_list == price_list.id)).first()
    if row is None:
        raise NotFound(_("This rule does not exist."))
    await delete(actor, row, summary=f"rule {row.kind} on price list {price_list.name}")


async def attach_to_client(actor: Actor, client_id: int, price_list_id: int | None) -> None:
    client = await Counterparty.objects().where(Counterparty.id == client_id).first()
    if client is None:
        raise NotFound(_("This client does not exist."))
    await update(actor, client, {"price_list": price_list_id}, summary="client price list")


async def clients_of(price_list_id: int, after: str | None = None, limit: int = PAGE) -> Page:
    """The clients this list prices, by name, a page at a time."""
    query = Counterparty.select(Counterparty.id, Counterparty.name).where(Counterparty.price_list == price_list_id)
    return await keyset_page(query, Counterparty.name, "name", after, limit)
