"""Counterparties: registering a client, changing its card, assigning and sharing it, and finding it again.

Search understands what it is given: an e-mail, a phone number (any local spelling, matched in E.164), a tax id,
or a piece of a name (matched on the normalised name). Lists are a page at a time, keyset on (name, id), and
cost the same number of queries on every page.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone

import phonenumbers
from piccolo.columns.combination import WhereRaw

from app import audit
from app.audit import Actor
from app.accounts.roles import ADMIN
from app.crm.visibility import Viewer, own_clients, require_visible, restrict, side_clients
from app.db import writing
from app.errors import InvalidInput, NotFound
from app.i18n import LANGUAGES, valid_time_zone
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from tables.accounts import User
from tables.counterparties import (
    ClassifierValue,
    Contact,
    Counterparty,
    CounterpartyClassification,
    CounterpartyTag,
    LegalEntity,
    ManagerAssignment,
    NameWord,
    Share,
)
from app.notifications.consent import record_consent
from tables.notifications import ChannelConsent

DEFAULT_PHONE_REGION = "FR"
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LEGAL_FORMS = {"sarl", "sas", "sasu", "sa", "eurl", "sci", "snc", "ltd", "llc", "inc", "gmbh", "ooo", "ao", "oy",
               "bv", "nv", "plc", "co", "cie", "et", "fils"}
KINDS = {"company": _l("Company"), "person": _l("Person")}
STATES = {"prospect": _l("Prospect"), "active": _l("Active"), "dormant": _l("Dormant"), "lost": _l("Lost")}
CHANNELS = {"email": _l("E-mail"), "sms": _l("SMS"), "push": _l("Push"), "phone": _l("Phone calls"),
            "post": _l("Post")}
SOURCES = {"Search engine": _l("Search engine"), "Recommendation": _l("Recommendation"),
           "Trade fair": _l("Trade fair"), "Social media": _l("Social media"), "Cold call": _l("Cold call"),
           "Website form": _l("Website form"), "Advertising": _l("Advertising"), "Other": _l("Other")}
CARD_FIELDS = ("kind", "name", "tax_id", "email", "phone", "address", "locale", "time_zone", "category",
               "marketing_source", "source_detail", "website", "state", "notes", "contact_every_days")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def name_key(name: str) -> str:
    """'Boulangerie Martin SARL' and 'boulangerie  martin' give the same key: lower case, no accents, no legal form."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", " ", plain).split()
    return " ".join(word for word in words if word not in LEGAL_FORMS)[:200]


def name_words(key: str) -> list[str]:
    return sorted({word[:60] for word in key.split()})[:12]


async def index_name(counterparty_id: int, name: str) -> None:
    """Keep the words of the name searchable (call inside the write transaction that sets the name)."""
    await NameWord.delete().where(NameWord.counterparty == counterparty_id)
    words = name_words(name_key(name))
    if words:
        await NameWord.insert(*[NameWord(counterparty=counterparty_id, word=word) for word in words])


def normalise_phone(raw: str, region: str = DEFAULT_PHONE_REGION) -> str | None:
    """E.164 ('+33612345678') for any spelling of a valid number, else None."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(text: str) -> bool:
    return bool(re.fullmatch(r"[+\d][\d\s().-]{5,}", text)) and sum(c.isdigit() for c in text) >= 6


# ---------------------------------------------------------------- the card


def clean_card(values: dict, registering: bool) -> tuple[dict, dict[str, str]]:
    """Validate and normalise the card's fields; returns (clean values, errors by field)."""
    clean = {name: (value.strip() if isinstance(value, str) else value) for name, value in values.items()
             if name in CARD_FIELDS}
    errors: dict[str, str] = {}
    if "name" in clean and not clean["name"]:
        errors["name"] = _("Enter the client's name.")
    if clean.get("kind", "company") not in KINDS:
        errors["kind"] = _("Choose company or person.")
    if clean.get("state", "active") not in STATES:
        errors["state"] = _("Choose one of the states.")
    if clean.get("email"):
        clean["email"] = clean["email"].lower()
        if not EMAIL_PATTERN.match(clean["email"]):
            errors["email"] = _("Enter a valid e-mail address.")
    if clean.get("phone"):
        phone = normalise_phone(clean["phone"])
        if phone is None:
            errors["phone"] = _("Enter a valid phone number, for example +33 6 12 34 56 78.")
        else:
            clean["phone"] = phone
    if clean.get("tax_id"):
        clean["tax_id"] = re.sub(r"\s+", "", clean["tax_id"]).upper()
    if "locale" in clean and clean["locale"] not in LANGUAGES:
        errors["locale"] = _("Choose one of the languages.")
    if "time_zone" in clean and not valid_time_zone(clean["time_zone"]):
        errors["time_zone"] = _("Unknown time zone.")
    if registering and not clean.get("marketing_source"):
        errors["marketing_source"] = _("Ask how the client heard of us.")
    if "contact_every_days" in clean:
        try:
            clean["contact_every_days"] = int(clean["contact_every_days"])
            if not 1 <= clean["contact_every_days"] <= 365:
                raise ValueError
        except (TypeError, ValueError):
            errors["contact_every_days"] = _("Enter a number of days between 1 and 365.")
    if "name" in clean:
        clean["name_key"] = name_key(clean["name"])
    return clean, errors


@dataclass
class Registration:
    """What a manager fills in to register a client."""

    card: dict
    roles: set[str] = field(default_factory=lambda: {"client"})
    consents: dict[str, str] = field(default_factory=dict)  # channel -> how it was given (granted ones)
    manager_id: int | None = None
    allow_duplicate: bool = False


async def register_client(actor: Actor, viewer: Viewer, registration: Registration) -> Counterparty:
    from app.crm.duplicates import find_duplicates

    card, errors = clean_card(registration.card, registering=True)
    unknown = set(registration.consents) - set(CHANNELS)
    if unknown:
        errors["consents"] = _("Unknown channel.")
    if errors:
        raise InvalidInput(errors)
    if not registration.allow_duplicate:
        duplicates = await find_duplicates(card.get("name", ""), card.get("tax_id", ""), card.get("phone", ""),
                                           card.get("email", ""))
        if duplicates:
            names = ", ".join(f"{row['name']} (#{row['id']})" for row in duplicates[:3])
            raise InvalidInput({"name": _("This client may already exist: %(names)s. Tick “register anyway” if "
                                          "it is another one.", names=names)})
    manager_id = registration.manager_id or actor.user_id
    now = _now()
    async with writing():
        row = Counterparty(**card, is_client="client" in registration.roles,
                           is_carrier="carrier" in registration.roles,
                           is_supplier="supplier" in registration.roles, manager=manager_id,
                           registered_by=actor.user_id, updated_at=now)
        await audit.insert(actor, row, summary=f"registered {row.name}")
        await index_name(row.id, row.name)
        if manager_id:
            await audit.insert(actor, ManagerAssignment(counterparty=row.id, manager=manager_id, started_at=now,
                                                        assigned_by=actor.user_id))
        for channel in CHANNELS:
            if channel in registration.consents:
                await record_consent(actor, row.id, channel, True, registration.consents[channel], at=now)
        await refresh_completeness(row.id)
    if row.is_client:
        from app.crm.system_activities import schedule_welcome_call

        await schedule_welcome_call(row.id)
    return row


async def get_counterparty(viewer: Viewer, counterparty_id: int) -> Counterparty:
    """The card, if the viewer may see it (one query); not found otherwise."""
    row = await restrict(Counterparty.objects().where(Counterparty.id == counterparty_id), viewer,
                         [counterparty_id]).first()
    if row is None:
        raise NotFound(_("No such client."))
    return row


async def update_card(actor: Actor, viewer: Viewer, counterparty_id: int, values: dict,
                      custom: dict[int, str] | None = None) -> dict:
    """`custom`: the admin-defined card fields' values by field id, checked with the card's own."""
    from app.crm.completeness import check_threshold
    from app.crm.custom_fields import check_values, save_values

    row = await get_counterparty(viewer, counterparty_id)
    card, errors = clean_card(values, registering=False)
    checked = await check_values("counterparty", custom or {}, errors)
    async with writing():
        await save_values(actor, checked, row.id)
        changes = await audit.update(actor, row, {**card, "updated_at": _now()})
        if "name" in changes:
            await index_name(row.id, row.name)
        await check_threshold(row.id)
        await refresh_completeness(row.id)
    return changes


async def refresh_completeness(counterparty_id: int) -> int:
    from app.crm.completeness import score

    result = await score(counterparty_id)
    await Counterparty.update({Counterparty.completeness: result.percent}).where(
        Counterparty.id == counterparty_id)
    return result.percent


async def set_consent(actor: Actor, viewer: Viewer, counterparty_id: int, channel: str, granted: bool,
                      how: str) -> None:
    await require_visible(viewer, counterparty_id)
    if channel not in CHANNELS:
        raise InvalidInput({"channel": _("Unknown channel.")})
    if not how.strip():
        raise InvalidInput({"how": _("Say how the client gave or withdrew consent.")})
    async with writing():
        await record_consent(actor, counterparty_id, channel, granted, how.strip())


async def current_consents(counterparty_id: int) -> dict[str, dict]:
    """The latest word per channel: {channel: {granted, at, how}}."""
    rows = await ChannelConsent.select().where(ChannelConsent.counterparty == counterparty_id).order_by(
        ChannelConsent.id)
    return {row["channel"]: row for row in rows}


async def _check_manager(manager_id: int) -> None:
    if not await User.exists().where((User.id == manager_id) & User.role.is_in(["manager", "admin"])
                                     & (User.is_active == True)):  # noqa: E712
        raise InvalidInput({"manager": _("Choose a manager.")})


def _held_now(counterparty_id: int):
    return (ManagerAssignment.counterparty == counterparty_id) & ManagerAssignment.ended_at.is_null()


async def _end_holdings(actor: Actor, where) -> None:
    for assignment in await ManagerAssignment.objects().where(where):
        await audit.update(actor, assignment, {"ended_at": _now()})


async def set_holders(actor: Actor, row: Counterparty, lead: int | None = None, co: tuple[int, ...] = ()) -> None:
    """Within a write: make `lead` the lead manager (a co-manager may take the lead) and add the co-managers who do
    not hold the client yet. Ended holdings stay in the history. Callers check the people are managers."""
    now = _now()
    if lead and lead != row.manager:
        await _end_holdings(actor, _held_now(row.id) & ((ManagerAssignment.lead == True)  # noqa: E712
                                                        | (ManagerAssignment.manager == lead)))
        await audit.insert(actor, ManagerAssignment(counterparty=row.id, manager=lead, started_at=now,
                                                    assigned_by=actor.user_id, lead=True))
        await audit.update(actor, row, {"manager": lead, "updated_at": now})
    holding = {item["manager"] for item in await ManagerAssignment.select(ManagerAssignment.manager).where(
        _held_now(row.id))} | {row.manager}
    for manager_id in dict.fromkeys(co):
        if manager_id not in holding:
            await audit.insert(actor, ManagerAssignment(counterparty=row.id, manager=manager_id, started_at=now,
                                                        assigned_by=actor.user_id, lead=False))


async def settle_holders(actor: Actor, row: Counterparty) -> None:
    """Within a write, after a merge moved the other card's holdings here: its lead stays on as a co-manager, and
    each manager holds the client once."""
    seen = set()
    for holding in await ManagerAssignment.objects().where(_held_now(row.id)).order_by(ManagerAssignment.id):
        lead = holding.manager == row.manager
        if holding.manager in seen:
            await audit.update(actor, holding, {"ended_at": _now()})
        elif holding.lead != lead:
            await audit.update(actor, holding, {"lead": lead})
        seen.add(holding.manager)


async def assign_manager(actor: Actor, viewer: Viewer, counterparty_id: int, manager_id: int) -> None:
    """Hand the client's lead to another manager; the history keeps who held it and until when."""
    row = await get_counterparty(viewer, counterparty_id)
    await _check_manager(manager_id)
    async with writing():
        await set_holders(actor, row, lead=manager_id)


async def add_co_manager(actor: Actor, viewer: Viewer, counterparty_id: int, manager_id: int) -> None:
    """Another manager works the client too: they see it, get it on their daily list, count its orders."""
    row = await get_counterparty(viewer, counterparty_id)
    await _check_manager(manager_id)
    async with writing():
        await set_holders(actor, row, co=(manager_id,))


async def remove_co_manager(actor: Actor, viewer: Viewer, counterparty_id: int, manager_id: int) -> None:
    await get_counterparty(viewer, counterparty_id)
    async with writing():
        await _end_holdings(actor, _held_now(counterparty_id) & (ManagerAssignment.manager == manager_id)
                            & (ManagerAssignment.lead == False))  # noqa: E712


async def co_managers_of(counterparty_ids: list[int] | None = None) -> dict[int, list[int]]:
    """The current co-managers of each client (of all clients when None), in one query."""
    query = ManagerAssignment.select(ManagerAssignment.counterparty, ManagerAssignment.manager).where(
        ManagerAssignment.ended_at.is_null() & (ManagerAssignment.lead == False))  # noqa: E712
    if counterparty_ids is not None:
        query = query.where(ManagerAssignment.counterparty.is_in(counterparty_ids or [-1]))
    rows = await query.order_by(ManagerAssignment.id)
    found: dict[int, list[int]] = {}
    for row in rows:
        found.setdefault(row["counterparty"], []).append(row["manager"])
    return found


async def share_with(actor: Actor, viewer: Viewer, counterparty_id: int, user_id: int) -> None:
    await get_counterparty(viewer, counterparty_id)
    if not await User.exists().where(User.id == user_id):
        raise InvalidInput({"user": _("No such user.")})
    if await Share.exists().where((Share.counterparty == counterparty_id) & (Share.user == user_id)):
        return
    async with writing():
        await audit.insert(actor, Share(counterparty=counterparty_id, user=user_id, shared_by=actor.user_id))


async def set_tags(actor: Actor, viewer: Viewer, counterparty_id: int, tags: list[str]) -> None:
    await get_counterparty(viewer, counterparty_id)
    wanted = {tag.strip().lower()[:50] for tag in tags if tag.strip()}
    async with writing():
        existing = await CounterpartyTag.objects().where(CounterpartyTag.counterparty == counterparty_id)
        for row in existing:
            if row.tag not in wanted:
                await audit.delete(actor, row)
        for tag in sorted(wanted - {row.tag for row in existing}):
            await audit.insert(actor, CounterpartyTag(counterparty=counterparty_id, tag=tag))


async def set_classifications(actor: Actor, viewer: Viewer, counterparty_id: int, value_ids: list[int]) -> None:
    await get_counterparty(viewer, counterparty_id)
    known = {row["id"] for row in await ClassifierValue.select(ClassifierValue.id).where(
        ClassifierValue.id.is_in(value_ids or [0]))}
    async with writing():
        existing = await CounterpartyClassification.objects().where(
            CounterpartyClassification.counterparty == counterparty_id)
        for row in existing:
            if row.value not in known:
                await audit.delete(actor, row)
        for value_id in sorted(known - {row.value for row in existing}):
            await audit.insert(actor, CounterpartyClassification(counterparty=counterparty_id, value=value_id))


# ---------------------------------------------------------------- contacts and legal entities

CONTACT_FIELDS = ("name", "position", "phone", "email", "notes")
ENTITY_FIELDS = ("name", "tax_id", "registration_number", "address", "bank_name", "iban", "bic")


def _contact_errors(values: dict) -> tuple[dict, dict[str, str]]:
    clean = {name: str(values.get(name, "")).strip() for name in CONTACT_FIELDS}
    errors = {}
    if not clean["name"]:
        errors["name"] = _("Enter the person's name.")
    if clean["email"]:
        clean["email"] = clean["email"].lower()
        if not EMAIL_PATTERN.match(clean["email"]):
            errors["email"] = _("Enter a valid e-mail address.")
    if clean["phone"]:
        phone = normalise_phone(clean["phone"])
        if phone is None:
            errors["phone"] = _("Enter a valid phone number, for example +33 6 12 34 56 78.")
        clean["phone"] = phone or clean["phone"]
    extra = values.get("extra") or {}
    clean["extra"] = {str(k).strip()[:60]: str(v).strip()[:500] for k, v in extra.items() if str(k).strip()}
    return clean, errors


async def add_contact(actor: Actor, viewer: Viewer, counterparty_id: int, values: dict,
                      custom: dict[int, str] | None = None) -> Contact:
    """`custom`: the admin-defined contact fields' values by field id, checked by kind with the rest."""
    from app.crm.custom_fields import check_values, save_values

    await get_counterparty(viewer, counterparty_id)
    clean, errors = _contact_errors(values)
    checked = await check_values("contact", custom or {}, errors)
    async with writing():
        row = await audit.insert(actor, Contact(counterparty=counterparty_id, **clean))
        await save_values(actor, checked, row.id)
        await refresh_completeness(counterparty_id)
    return row


async def add_legal_entity(actor: Actor, viewer: Viewer, counterparty_id: int, values: dict) -> LegalEntity:
    await get_counterparty(viewer, counterparty_id)
    clean = {name: str(values.get(name, "")).strip() for name in ENTITY_FIELDS}
    errors = {}
    if not clean["name"]:
        errors["name"] = _("Enter the legal name.")
    clean["tax_id"] = re.sub(r"\s+", "", clean["tax_id"]).upper()
    clean["iban"] = re.sub(r"\s+", "", clean["iban"]).upper()
    if clean["iban"] and not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", clean["iban"]):
        errors["iban"] = _("Enter a valid IBAN.")
    if errors:
        raise InvalidInput(errors)
    async with writing():
        return await audit.insert(actor, LegalEntity(counterparty=counterparty_id, **clean))


# ---------------------------------------------------------------- lists and search


@dataclass
class ClientFilter:
    q: str = ""
    manager_id: int | None = None
    source: str = ""
    state: str = ""
    classifier_value: int | None = None
    tag: str = ""

    def as_query(self) -> dict[str, str]:
        items = {"q": self.q, "manager": self.manager_id or "", "source": self.source, "state": self.state,
                 "value": self.classifier_value or "", "tag": self.tag}
        return {key: str(value) for key, value in items.items() if value}


@dataclass
class Search:
    """What a search box text matched: the ids of a key lookup (e-mail, phone, tax id), or a clause on names."""

    ids: list[int] | None = None
    words: tuple[str, ...] = ()  # name words still to check on each row

    def clause(self, gathering: bool = False):
        """`gathering`: the query gathers the clients each word matches from the (word, counterparty) index (for a
        team's clients, which no single index walks in name order); otherwise each row the query walks is checked
        by one probe of the (counterparty, word) index."""
        clause = Counterparty.id.is_in(self.ids or [-1]) if self.ids is not None else None
        for word in self.words:
            if gathering:
                found = Counterparty.id.is_in(NameWord.select(NameWord.counterparty).where(
                    (NameWord.word >= word) & (NameWord.word < word + "{")))
            else:
                found = WhereRaw("EXISTS (SELECT 1 FROM name_word WHERE name_word.counterparty = counterparty.id "
                                 "AND name_word.word >= {} AND name_word.word < {})", word, word + "{")
            clause = found if clause is None else clause & found
        return clause


RARE_WORD = 500  # a name word matching fewer clients is looked up first, like a key


async def search_for(q: str) -> Search:
    """E-mail, phone, tax id or name, on the card, its contacts and entities.

    Keys are looked up first, each by its own index, and the page then fetches those few ids: an OR of sub-selects
    would make PostgreSQL scan every client. A name matches when each word typed begins a word of the name
    ("fourn pat" finds "Pâtisserie Fournier"). A rare word is looked up like a key; common words are checked on
    each row while the page walks the viewer's clients in name order, where matches are dense."""
    q = q.strip()
    lookups = []
    if "@" in q:
        email = q.lower()
        lookups += [Counterparty.select(Counterparty.id.as_alias("cid")).where(Counterparty.email == email),
                    Contact.select(Contact.counterparty.as_alias("cid")).where(Contact.email == email)]
    else:
        if looks_like_phone(q) and (phone := normalise_phone(q)):
            lookups += [Counterparty.select(Counterparty.id.as_alias("cid")).where(Counterparty.phone == phone),
                        Contact.select(Contact.counterparty.as_alias("cid")).where(Contact.phone == phone)]
        tax_id = re.sub(r"\s+", "", q).upper()
        if re.fullmatch(r"[A-Z]{0,4}\d[\dA-Z]{5,}", tax_id):
            lookups += [Counterparty.select(Counterparty.id.as_alias("cid")).where(Counterparty.tax_id == tax_id),
                        LegalEntity.select(LegalEntity.counterparty.as_alias("cid")).where(
                            LegalEntity.tax_id == tax_id)]
    if lookups:
        return Search(ids=sorted({row["cid"] for lookup in lookups for row in await lookup.limit(1000)}))
    words = tuple(name_words(name_key(q))[:4])
    if not words:
        return Search(ids=[])
    for word in sorted(words, key=len, reverse=True):  # the longer, the rarer, usually
        rows = await NameWord.select(NameWord.counterparty).where(
            (NameWord.word >= word) & (NameWord.word < word + "{")).limit(RARE_WORD + 1)
        if len(rows) <= RARE_WORD:
            return Search(ids=sorted({row["counterparty"] for row in rows}),
                          words=tuple(other for other in words if other != word))
    return Search(words=words)


LIST_COLUMNS = (Counterparty.id, Counterparty.name, Counterparty.kind, Counterparty.phone, Counterparty.email,
                Counterparty.category, Counterparty.state, Counterparty.marketing_source, Counterparty.completeness,
                Counterparty.last_contact_at, Counterparty.manager.as_alias("manager_id"),
                Counterparty.manager.full_name.as_alias("manager_name"))


def filtered(query, viewer: Viewer, filters: ClientFilter, search: Search | None = None, gathering: bool = False):
    """`search`: what `search_for(filters.q)` found (awaited once per page, before the queries); `gathering`: see
    Search.clause."""
    query = restrict(query, viewer, search.ids if search is not None else None).where(
        Counterparty.merged_into.is_null())
    if search is not None:
        query = query.where(search.clause(gathering))
    if filters.manager_id:  # the clients this manager leads or co-manages now
        query = query.where((Counterparty.manager == filters.manager_id) | Counterparty.id.is_in(
            ManagerAssignment.select(ManagerAssignment.counterparty).where(
                (ManagerAssignment.manager == filters.manager_id) & ManagerAssignment.ended_at.is_null())))
    if filters.source:
        query = query.where(Counterparty.marketing_source == filters.source)
    if filters.state:
        query = query.where(Counterparty.state == filters.state)
    if filters.classifier_value:
        query = query.where(Counterparty.id.is_in(CounterpartyClassification.select(
            CounterpartyClassification.counterparty).where(
            CounterpartyClassification.value == filters.classifier_value)))
    if filters.tag:
        query = query.where(Counterparty.id.is_in(CounterpartyTag.select(CounterpartyTag.counterparty).where(
            CounterpartyTag.tag == filters.tag.lower())))
    return query


def _page(rows: list[dict], after: tuple[str, int] | None, limit: int) -> tuple[list[dict], tuple[str, int] | None]:
    """Rows from several queries merged into one page in (name, id) order, and the next page's cursor."""
    unique = {row["id"]: row for row in rows}
    ordered = sorted(unique.values(), key=lambda row: (row["name"], row["id"]))
    if after:
        ordered = [row for row in ordered if (row["name"], row["id"]) > after]
    page = ordered[:limit]
    return page, ((page[-1]["name"], page[-1]["id"]) if len(ordered) > limit else None)


async def _visible_parts(viewer: Viewer, gathering: bool) -> list:
    """The viewer's clients as a few selective clauses: their own, one per manager of the team, each walking the
    (manager, name, id) index (or when `gathering` a name search's matches, the whole team's at once), then the
    co-managed and the shared ones (see side_clients). An OR of them all would make both databases scan or sort
    every client of the team."""
    if viewer.sees_all:
        return [None]
    own = [own_clients(viewer)] if gathering else [Counterparty.manager == manager for manager in viewer.team]
    return [*own, *await side_clients(viewer)]


async def list_clients(viewer: Viewer, filters: ClientFilter | None = None, after: tuple[str, int] | None = None,
                       limit: int = 50) -> tuple[list[dict], tuple[str, int] | None]:
    """One page of the clients the viewer sees, and the cursor of the next page (None: last page).

    A key search (e-mail, phone, tax id, a rare name word) fetches its few ids in one query, sorted here. Otherwise each visible part
    (see _visible_parts) is one query from the cursor to the page's end; the parts are merged here. The query count
    does not grow with the number of clients or pages."""
    filters = filters or ClientFilter()
    search = await search_for(filters.q) if filters.q else None
    unrestricted = Viewer(viewer.user_id, ADMIN)
    if search is not None and search.ids is not None:
        rows = await filtered(Counterparty.select(*LIST_COLUMNS), viewer, filters, search)
        return _page(rows, after, limit)
    gathering = search is not None and len(viewer.team) > 1  # a supervisor's name search
    rows = []
    for part in await _visible_parts(viewer, gathering):
        query = filtered(Counterparty.select(*LIST_COLUMNS), unrestricted, filters, search, gathering)
        if part is not None:
            query = query.where(part)
        if after:
            name, last_id = after  # the bare `name >=` lets both databases start an index range at the cursor
            query = query.where((Counterparty.name >= name)
                                & ((Counterparty.name > name) | (Counterparty.id > last_id)))
        rows += await query.order_by(Counterparty.name).order_by(Counterparty.id).limit(limit + 1)
    return _page(rows, after, limit)


async def managers() -> list[dict]:
    return await User.select(User.id, User.full_name).where(User.role.is_in(["manager", "admin"])).order_by(
        User.full_name)
