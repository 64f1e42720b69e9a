"""A realistic demo company in Paris, so every screen has something true to show on a fresh install.

One depot in Saint-Denis, 8 vehicles, 8 couriers, 2 dispatchers, 3 managers, 1 accountant, an admin, 60 clients
(companies and people) and 250 orders for today and tomorrow at real Paris addresses (jittered around real
streets). Today's orders are already on routes, some delivered, so the board, the courier's phone and the
finance page all have a day in progress. Deterministic: the same seed gives the same company.
"""

from __future__ import annotations

import math
import random
import secrets
from datetime import date, datetime, time, timedelta

from app.accounts.passwords import hash_password
from app.accounts.roles import ACCOUNTANT, ADMIN, COURIER, DISPATCHER, MANAGER
from app.db import writing
from app.dispatch.day import company_today, company_zone
from app.planning.settings import DEFAULTS
from tables.accounts import User
from tables.activities import Activity
from tables.counterparties import Contact, Counterparty, LegalEntity, ManagerAssignment
from tables.crm import Contract
from tables.notifications import ChannelConsent
from tables.fleet import Courier, Depot, Vehicle
from tables.orders import Order, OrderEvent, Place
from tables.routes import Route, Stop
from tables.sync import CashEntry, DeliveryProof
from tables.tracking import DeliveryRating

DEMO_PASSWORD = "waybill-demo"

DEPOT = ("Dépôt Paris-Nord, 12 Rue Jules Saulnier, 93200 Saint-Denis", 48.9186, 2.3536)

# Real Paris streets with a point on each (lat, lon); addresses are jittered along them.
STREETS = [
    ("Rue de Rivoli", "75001", 48.8606, 2.3376), ("Rue Saint-Honoré", "75001", 48.8638, 2.3360),
    ("Rue Montorgueil", "75002", 48.8652, 2.3470), ("Rue de Bretagne", "75003", 48.8629, 2.3620),
    ("Rue des Rosiers", "75004", 48.8572, 2.3590), ("Rue Mouffetard", "75005", 48.8420, 2.3497),
    ("Boulevard Saint-Germain", "75006", 48.8534, 2.3337), ("Rue Cler", "75007", 48.8560, 2.3065),
    ("Avenue des Champs-Élysées", "75008", 48.8698, 2.3078), ("Rue des Martyrs", "75009", 48.8790, 2.3390),
    ("Rue du Faubourg Saint-Denis", "75010", 48.8722, 2.3538), ("Rue Oberkampf", "75011", 48.8655, 2.3780),
    ("Avenue Daumesnil", "75012", 48.8440, 2.3880), ("Avenue d'Italie", "75013", 48.8240, 2.3580),
    ("Rue Daguerre", "75014", 48.8343, 2.3285), ("Rue du Commerce", "75015", 48.8460, 2.2950),
    ("Rue de Passy", "75016", 48.8575, 2.2790), ("Rue de Lévis", "75017", 48.8830, 2.3110),
    ("Rue Lepic", "75018", 48.8860, 2.3340), ("Avenue Jean Jaurès", "75019", 48.8860, 2.3800),
    ("Rue de Ménilmontant", "75020", 48.8690, 2.3940), ("Rue de la Roquette", "75011", 48.8560, 2.3760),
    ("Boulevard de Clichy", "75018", 48.8830, 2.3320), ("Rue de Vaugirard", "75015", 48.8420, 2.3030),
    ("Avenue de la République", "75011", 48.8650, 2.3720), ("Rue de Belleville", "75020", 48.8722, 2.3850),
    ("Rue Saint-Antoine", "75004", 48.8535, 2.3650), ("Boulevard Haussmann", "75009", 48.8738, 2.3320),
    ("Rue La Fayette", "75010", 48.8767, 2.3560), ("Avenue de Clichy", "75017", 48.8880, 2.3220),
]

COMPANY_NAMES = [
    "Boulangerie Martin", "Pharmacie du Marais", "Librairie Rive Gauche", "Fleurs de Montmartre",
    "Atelier Lefèvre", "Cave à Vins Dubois", "Optique Bernard", "Épicerie Fine Moreau", "Imprimerie Laurent",
    "Traiteur Girard", "Fromagerie Roux", "Pâtisserie Fournier", "Bureau Conseil Mercier", "Galerie Blanc",
    "Clinique Vétérinaire Faure", "Quincaillerie Garnier", "Studio Photo Chevalier", "Chocolaterie Lambert",
    "Cabinet Dentaire Bonnet", "Papeterie François", "Maison Rousseau", "Tech Repair Vincent",
    "Bio Marché Muller", "Cordonnerie Lefebvre", "Salon Mathieu", "Café des Arts", "Architectes Henry & Fils",
    "Laboratoire Perrin", "Mode Morel", "Parfumerie Fontaine", "Agence Immobilière Chevallier",
    "Jouets Robin", "Vélo Atelier Clément", "Informatique Gauthier", "Restaurant Le Petit Zinc",
    "Hôtel des Batignolles", "Éditions Nicolas", "Boucherie Durand", "Primeur Dumont", "Herboristerie Roy",
]
PERSON_NAMES = [
    "Camille Petit", "Léa Dubois", "Hugo Leroy", "Chloé Moreau", "Lucas Simon", "Manon Laurent", "Nathan Michel",
    "Inès Garcia", "Louis David", "Jade Bertrand", "Gabriel Roux", "Emma Vincent", "Arthur Fournier",
    "Louise Morel", "Jules Girard", "Alice André", "Raphaël Mercier", "Zoé Dupont", "Adam Lambert",
    "Sarah Bonnet",
]
SOURCES = ["Search engine", "Recommendation", "Trade fair", "Social media", "Cold call", "Website form"]
CATEGORIES = ["Retail", "Food", "Health", "Services", "Private"]

STAFF = [
    ("admin", "Claire Administrateur", ADMIN),
    ("dispatcher1", "Julien Roche", DISPATCHER), ("dispatcher2", "Sophie Marchand", DISPATCHER),
    ("manager1", "Élodie Perrin", MANAGER), ("manager2", "Thomas Caron", MANAGER), ("manager3", "Nadia Benali", MANAGER),
    ("accountant", "Marc Lemoine", ACCOUNTANT),
]
COURIERS = ["Karim Haddad", "Paul Renard", "Yasmine Diallo", "Antoine Brun", "Fatou Ndiaye", "Maxime Colin",
            "Lina Haddou", "Olivier Guerin"]
VEHICLES = [  # name, plate, type, kg, m3, cost/km, cost/h, fixed (cents)
    ("Renault Master 1", "GA-101-AB", "van", 1200, 10.8, 32, 2400, 4500),
    ("Renault Master 2", "GA-102-AB", "van", 1200, 10.8, 32, 2400, 4500),
    ("Peugeot Expert", "GB-201-CD", "van", 900, 5.8, 26, 2300, 3800),
    ("Renault Kangoo 1", "GC-301-EF", "car", 600, 3.3, 18, 2200, 2500),
    ("Renault Kangoo 2", "GC-302-EF", "car", 600, 3.3, 18, 2200, 2500),
    ("Citroën Berlingo", "GD-401-GH", "car", 650, 3.5, 19, 2200, 2600),
    ("Cargo bike Bullitt", "", "bike", 100, 0.5, 2, 2000, 800),
    ("Cargo bike Urban Arrow", "", "bike", 120, 0.6, 2, 2000, 800),
]


def _phone(rng: random.Random, mobile: bool) -> str:
    prefix = rng.choice(["6", "7"]) if mobile else "1"
    return "+33" + prefix + "".join(str(rng.randint(0, 9)) for _ in range(8))


def _slug(name: str) -> str:
    keep = "".join(c for c in name.lower() if c.isalnum() or c == " ")
    return ".".join(keep.split())[:30]


def _address(rng: random.Random) -> tuple[str, float, float]:
    street, postcode, lat, lon = rng.choice(STREETS)
    return (f"{rng.randint(1, 120)} {street}, {postcode} Paris",
            round(lat + rng.uniform(-0.0025, 0.0025), 6), round(lon + rng.uniform(-0.0035, 0.0035), 6))


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat, dlon = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(math.radians(lat1)) * math.cos(math.radians(lat2)) * math.sin(dlon / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))


async def demo_logins() -> list[str]:
    """The demo accounts still present, in the order the README lists them."""
    wanted = [login for login, _name, _role in STAFF] + [f"courier{i}" for i in range(1, 9)]
    present = {row["login"] for row in await User.select(User.login).where(User.login.is_in(wanted))}
    return [login for login in wanted if login in present]


async def is_empty() -> bool:
    return not await User.exists().where(User.id > 0)


async def seed_demo(seed: int = 2026) -> dict:
    """Create the demo company in one transaction; returns the logins. Does nothing if there are users."""
    if not await is_empty():
        return {}
    rng = random.Random(seed)
    password_hash = hash_password(DEMO_PASSWORD)
    async with writing():
        staff = await _seed_staff(password_hash)
        depot = (await Depot.insert(Depot(name="Paris-Nord", address=DEPOT[0], lat=DEPOT[1], lon=DEPOT[2])).returning(
            Depot.id))[0]["id"]
        couriers = await _seed_fleet(password_hash, depot)
        managers = [user_id for login, user_id in staff.items() if login.startswith("manager")]
        clients = await _seed_clients(rng, managers)
        await _seed_price_lists(clients)
        today = company_today()
        for day in (today, today + timedelta(days=1)):
            orders = await _seed_orders(rng, clients, day, 125)
            if day == today:
                await _seed_routes(rng, orders, couriers, depot, day)
        await _seed_crm(random.Random(seed + 8), clients, managers)
        await _seed_history(random.Random(seed + 16), clients, couriers, depot, today)
    return {"logins": [login for login, _l, _r in STAFF] + [f"courier{i}" for i in range(1, 9)],
            "password": DEMO_PASSWORD}


async def _seed_staff(password_hash: str) -> dict[str, int]:
    ids = {}
    for login, name, role in STAFF:
        rows = await User.insert(User(login=login, password_hash=password_hash, full_name=name, role=role,
                                      email=f"{login}@waybill.example", locale="en",
                                      time_zone="Europe/Paris")).returning(User.id)
        ids[login] = rows[0]["id"]
    supervisor = ids["manager1"]
    await User.update({User.supervisor: supervisor}).where(User.login.is_in(["manager2", "manager3"]))
    await User.update({User.supervisor: ids["dispatcher1"]}).where(User.login == "dispatcher2")
    return ids


async def _seed_fleet(password_hash: str, depot: int) -> list[dict]:
    couriers = []
    for index, (name, plate, kind, kg, m3, per_km, per_hour, fixed) in enumerate(VEHICLES):
        vehicle = (await Vehicle.insert(Vehicle(name=name, plate=plate, vehicle_type=kind, capacity_kg=kg,
                                                capacity_m3=m3, cost_per_km=per_km, cost_per_hour=per_hour,
                                                fixed_cost=fixed, currency="EUR", depot=depot)).returning(
            Vehicle.id))[0]["id"]
        login = f"courier{index + 1}"
        user = (await User.insert(User(login=login, password_hash=password_hash, full_name=COURIERS[index],
                                       role=COURIER, phone=f"+3361234{index:04d}", locale="en",
                                       time_zone="Europe/Paris")).returning(User.id))[0]["id"]
        courier = (await Courier.insert(Courier(user=user, vehicle=vehicle, depot=depot, shift_start=time(8, 0),
                                                shift_end=time(18, 0) if index % 2 else time(20, 0))).returning(
            Courier.id))[0]["id"]
        couriers.append({"id": courier, "user": user, "vehicle": vehicle, "kind": kind, "capacity_kg": kg})
    return couriers


async def _seed_clients(rng: random.Random, managers: list[int]) -> list[dict]:
    clients = []
    names = [(name, "company") for name in COMPANY_NAMES] + [(name, "person") for name in PERSON_NAMES]
    for index, (name, kind) in enumerate(names):
        address, lat, lon = _address(rng)
        company = kind == "company"
        row = Counterparty(
            kind=kind, name=name + (" SARL" if company and index % 3 == 0 else ""), is_client=True,
            tax_id=f"FR{rng.randint(10, 99)}{rng.randint(100000000, 999999999)}" if company else "",
            email=f"{_slug(name)}@{'exemple.fr' if company else 'mail.example'}", phone=_phone(rng, not company),
            address=address, lat=str(lat), lon=str(lon), locale="fr", time_zone="Europe/Paris",
            category=rng.choice(CATEGORIES[:4]) if company else "Private", marketing_source=rng.choice(SOURCES),
            priority_time_cost=rng.choice([None, 20, 50, 80]), manager=managers[index % len(managers)],
        )
        client_id = (await Counterparty.insert(row).returning(Counterparty.id))[0]["id"]
        if company:
            first, last = rng.choice(PERSON_NAMES).split()
            await Contact.insert(Contact(counterparty=client_id, name=f"{first} {last}", position="Gérant",
                                         phone=_phone(rng, True), email=f"{first.lower()}@{_slug(name)}.fr"))
        clients.append({"id": client_id, "address": address, "lat": lat, "lon": lon, "name": name,
                        "priority": row.priority_time_cost})
    return clients


COMPANY_TARIFF = [  # kind, band_from, band_to, zone, amount, per_unit, percent_bp (cents)
    ("base", 0, None, "", 690, 0, 0), ("distance", 0, 3, "", 0, 0, 0), ("distance", 3, 15, "", 0, 80, 0),
    ("distance", 15, None, "", 300, 60, 0), ("weight", 0, 10, "", 0, 0, 0), ("weight", 10, 30, "", 300, 0, 0),
    ("weight", 30, None, "", 300, 15, 0), ("zone", 0, None, "93", 250, 0, 0),
    ("urgency", 0, 3, "", 500, 0, 2500), ("cod_fee", 0, None, "", 150, 0, 100), ("waiting", 10, None, "", 0, 30, 0),
    ("return", 0, None, "", 0, 0, 5000), ("minimum", 0, None, "", 900, 0, 0),
]
CLIENT_TARIFFS = {  # name -> rules; each goes to a few clients
    "Pharmacies — flat urban": [("base", 0, None, "", 750, 0, 0), ("distance", 10, None, "", 0, 50, 0),
                                ("cod_fee", 0, None, "", 0, 0, 0), ("minimum", 0, None, "", 750, 0, 0)],
    "Restaurants — express": [("base", 0, None, "", 590, 0, 0), ("distance", 0, None, "", 0, 95, 0),
                              ("urgency", 0, 2, "", 300, 0, 0), ("minimum", 0, None, "", 800, 0, 0)],
    "Volume contract": [("base", 0, None, "", 450, 0, 0), ("distance", 0, None, "", 0, 60, 0),
                        ("weight", 20, None, "", 200, 10, 0), ("cod_fee", 0, None, "", 100, 0, 50),
                        ("minimum", 0, None, "", 600, 0, 0)],
}


async def _seed_price_lists(clients: list[dict]) -> None:
    """The company tariff, three client tariffs attached to every fifth client; each client dict gets the rules
    that price its orders (app.pricing)."""
    from app.pricing import Rule
    from tables.pricing import PriceList, PriceRule

    async def make(name: str, rows: list[tuple], company: bool = False) -> tuple[int, list]:
        list_id = (await PriceList.insert(PriceList(name=name, currency="EUR", is_company_default=company)).returning(
            PriceList.id))[0]["id"]
        await PriceRule.insert(*[PriceRule(price_list=list_id, kind=kind, band_from=low, band_to=high, zone=zone,
                                           amount=amount, per_unit=per_unit, percent_bp=bp, position=position)
                                 for position, (kind, low, high, zone, amount, per_unit, bp) in enumerate(rows)])
        return list_id, [Rule(kind, low, high, zone, amount, per_unit, bp)
                         for kind, low, high, zone, amount, per_unit, bp in rows]

    _company_id, company_rules = await make("Company tariff 2026", COMPANY_TARIFF, company=True)
    tariffs = [await make(name, rows) for name, rows in CLIENT_TARIFFS.items()]
    for index, client in enumerate(clients):
        client["rules"] = company_rules
        if index % 5 == 0:
            list_id, rules = tariffs[(index // 5) % len(tariffs)]
            await Counterparty.update({Counterparty.price_list: list_id}).where(Counterparty.id == client["id"])
            client["rules"] = rules


def _price(client: dict, distance_km: float, weight: float, volume: float, zone: str, cod: int):
    """The order's quote from the client's price list (the same pricing function as real orders)."""
    from app.pricing import PriceInputs, price

    return price(client["rules"], PriceInputs(distance_km=round(distance_km * 1.3, 2), weight_kg=weight,
                                              volume_m3=volume, zone=zone, notice_hours=24.0, cod_amount=cod),
                 "EUR")


async def _seed_orders(rng: random.Random, clients: list[dict], day: date, count: int) -> list[dict]:
    zone = company_zone()
    orders = []
    for number in range(count):
        client = rng.choice(clients)
        pickup = (await Place.insert(Place(address=client["address"], lat=client["lat"], lon=client["lon"],
                                           contact_name=client["name"])).returning(Place.id))[0]["id"]
        address, lat, lon = _address(rng)
        recipient = rng.choice(PERSON_NAMES)
        dropoff = (await Place.insert(Place(address=address, lat=lat, lon=lon, contact_name=recipient,
                                            contact_phone=_phone(rng, True), zone=address.split(", ")[-1][:5])
                                      ).returning(Place.id))[0]["id"]
        start_hour = rng.choice([9, 10, 11, 12, 13, 14, 15, 16, 17])
        deliver_from = datetime.combine(day, time(start_hour), tzinfo=zone)
        weight = round(rng.choice([0.5, 1, 2, 3.5, 5, 8, 12, 25]) * rng.uniform(0.8, 1.2), 1)
        cod = rng.choice([0, 0, 0, 2490, 4500, 8990, 12000])
        reference = f"WB-{day:%y%m%d}-{number + 1:04d}"
        distance = _km(client["lat"], client["lon"], lat, lon)
        quote = _price(client, distance, weight, round(weight * 0.004, 3), address.split(", ")[-1][:5], cod)
        order = Order(
            reference=reference, client=client["id"], pickup=pickup, dropoff=dropoff,
            pickup_from=deliver_from - timedelta(hours=2), pickup_to=deliver_from,
            deliver_from=deliver_from, deliver_to=deliver_from + timedelta(hours=2),
            service_minutes=rng.choice([3, 5, 5, 8]), weight_kg=weight, volume_m3=round(weight * 0.004, 3),
            pieces=rng.randint(1, 3), cod_amount=cod,
            price=quote.total, price_breakdown=quote.breakdown(), distance_km=round(distance * 1.3, 2), currency="EUR",
            priority_time_cost=client["priority"] if client["priority"] is not None else DEFAULTS.default_priority,
            status="new",
            tracking_token=secrets.token_urlsafe(24),
        )
        order_id = (await Order.insert(order).returning(Order.id))[0]["id"]
        await OrderEvent.insert(OrderEvent(order=order_id, status="new", note="demo"))
        orders.append({"id": order_id, "lat": lat, "lon": lon, "weight": weight, "from": deliver_from,
                       "service": order.service_minutes, "cod": cod})
    return orders


async def _seed_routes(rng: random.Random, orders: list[dict], couriers: list[dict], depot: int, day: date,
                       now: datetime | None = None) -> None:
    """Split the day by angle around the depot (a sweep), order each courier's stops by time window; stops whose
    time has passed (as of `now`) are delivered, with what the courier's phone would have recorded."""
    def angle(order: dict) -> float:
        return math.atan2(order["lat"] - DEPOT[1], order["lon"] - DEPOT[2])

    ordered = sorted(orders, key=angle)
    share = math.ceil(len(ordered) / len(couriers))
    now = now or datetime.now(company_zone())
    for index, courier in enumerate(couriers):
        mine = sorted(ordered[index * share:(index + 1) * share], key=lambda order: order["from"])
        if not mine:
            continue
        km, last = 0.0, (DEPOT[1], DEPOT[2])
        for order in mine:
            km += _km(*last, order["lat"], order["lon"]) * 1.3
            last = (order["lat"], order["lon"])
        route = (await Route.insert(Route(courier=courier["id"], vehicle=courier["vehicle"], depot=depot, day=day,
                                          planned_km=round(km, 1), planned_minutes=int(km * 3 + 5 * len(mine)),
                                          status="in_progress" if day >= now.date() else "done")
                                    ).returning(Route.id))[0]["id"]
        for sequence, order in enumerate(mine, start=1):
            eta = order["from"] + timedelta(minutes=rng.randint(5, 130))  # now and then after the window
            done = eta < now - timedelta(minutes=30)
            status = "delivered" if done else ("out_for_delivery" if eta < now + timedelta(hours=1) else "assigned")
            left = eta + timedelta(minutes=order["service"])
            stop = (await Stop.insert(Stop(route=route, order=order["id"], kind="dropoff", sequence=sequence,
                                           planned_eta=eta, arrived_at=eta if done else None,
                                           departed_at=left if done else None)).returning(Stop.id))[0]["id"]
            if done:
                await _seed_delivery(rng, order, courier["user"], stop, left)
            await Order.update({Order.status: status}).where(Order.id == order["id"])
            await OrderEvent.insert(OrderEvent(order=order["id"], status="assigned", note="demo"))
            if status != "assigned":
                await OrderEvent.insert(OrderEvent(order=order["id"], status=status, note="demo",
                                                   at=left if done else now,
                                                   lat=order["lat"] if done else None,
                                                   lon=order["lon"] if done else None))


RATING_COMMENTS = ["", "", "Very kind courier, thank you!", "Right on time.", "Parcel left with the concierge as asked.",
                   "A bit late but called ahead.", "Box was slightly damaged.", "Perfect, as always."]


async def _seed_delivery(rng: random.Random, order: dict, courier_user: int, stop: int, at: datetime) -> None:
    """A delivery as the courier's phone records it: the proof, the cash collected, sometimes the client's rating."""
    await DeliveryProof.insert(DeliveryProof(
        source=f"demo:{order['id']}:deliver", order=order["id"], stop=stop, courier=courier_user, outcome="delivered",
        recipient_name=rng.choice(PERSON_NAMES), lat=order["lat"], lon=order["lon"], happened_at=at))
    if order["cod"]:
        await CashEntry.insert(CashEntry(source=f"demo:{order['id']}:cash", order=order["id"], courier=courier_user,
                                         amount=order["cod"], currency="EUR", method=rng.choice(["cash", "card"]),
                                         collected_at=at))
    if rng.random() < 0.35:
        await DeliveryRating.insert(DeliveryRating(order=order["id"], courier=courier_user,
                                                   stars=rng.choice([5, 5, 5, 4, 4, 4, 3, 2]),
                                                   comment=rng.choice(RATING_COMMENTS),
                                                   created_at=at + timedelta(hours=rng.randint(1, 6))))


async def _seed_history(rng: random.Random, clients: list[dict], couriers: list[dict], depot: int, today: date,
                        days: int = 5, per_day: int = 30) -> None:
    """The last few working days, delivered: the reports, the tracking pages and the clients' rhythm have a past."""
    day, seeded = today, 0
    while seeded < days:
        day -= timedelta(days=1)
        if day.weekday() >= 5:
            continue
        orders = await _seed_orders(rng, clients, day, per_day)
        end_of_day = datetime.combine(day + timedelta(days=1), time(0), tzinfo=company_zone())
        await _seed_routes(rng, orders, couriers, depot, day, now=end_of_day + timedelta(hours=1))
        seeded += 1


CRM_SUBJECTS = ["Quarterly review", "Offer for evening deliveries", "Feedback on last week", "Cash on delivery terms",
                "New pick-up address", "Christmas peak volumes"]


async def _seed_crm(rng: random.Random, clients: list[dict], managers: list[int]) -> None:
    """The CRM side of the demo: legal entities, consents, manager history, contracts and a week of activities
    (a separate random stream, so the orders and routes above stay exactly as they were)."""
    from app.crm.counterparties import index_name, name_key

    zone = company_zone()
    today = company_today()
    rows = await Counterparty.select(Counterparty.id, Counterparty.name, Counterparty.kind, Counterparty.tax_id,
                                     Counterparty.manager, Counterparty.created_at).order_by(Counterparty.id)
    for index, row in enumerate(rows):
        await Counterparty.update({Counterparty.name_key: name_key(row["name"]),
                                   Counterparty.contact_every_days: rng.choice([14, 30, 30, 60]),
                                   Counterparty.completeness: 80 if row["kind"] == "company" else 60,
                                   Counterparty.last_contact_at: datetime.combine(
                                       today - timedelta(days=rng.randint(3, 50)), time(11), tzinfo=zone),
                                   Counterparty.created_at: datetime.combine(
                                       today - timedelta(days=rng.randint(60, 700)), time(9), tzinfo=zone)}).where(
            Counterparty.id == row["id"])
        await index_name(row["id"], row["name"])
        await ManagerAssignment.insert(ManagerAssignment(counterparty=row["id"], manager=row["manager"],
                                                         started_at=datetime.combine(today - timedelta(days=700),
                                                                                     time(9), tzinfo=zone)))
        for channel in ("email", "sms"):
            if rng.random() < 0.7:
                await ChannelConsent.insert(ChannelConsent(counterparty=row["id"], channel=channel, granted=True,
                                                           at=row["created_at"], how="demo: web form"))
        if row["kind"] == "company":
            await LegalEntity.insert(LegalEntity(
                counterparty=row["id"], name=row["name"].upper(), tax_id=row["tax_id"],
                registration_number=f"RCS Paris {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
                bank_name=rng.choice(["BNP Paribas", "Société Générale", "Crédit Agricole"]),
                iban=f"FR76{rng.randint(10**22, 10**23 - 1)}"))
            if index % 2 == 0:
                start = today - timedelta(days=rng.randint(200, 340))
                await Contract.insert(Contract(counterparty=row["id"], number=f"WB-C-{2026}-{index + 1:03d}",
                                               signed_on=start, starts_on=start, ends_on=start + timedelta(days=365),
                                               terms="Next-day delivery in Paris, invoiced monthly."))
        for offset in (rng.randint(-6, -1), rng.randint(0, 5)):
            day = today + timedelta(days=offset)
            start = datetime.combine(day, time(rng.choice([9, 10, 11, 14, 15, 16]), rng.choice([0, 30])), tzinfo=zone)
            done = offset < 0 and rng.random() < 0.8
            await Activity.insert(Activity(
                kind=rng.choice(["call", "call", "meeting", "email", "visit"]), counterparty=row["id"],
                subject=rng.choice(CRM_SUBJECTS), starts_at=start, ends_at=start + timedelta(minutes=30),
                performer=row["manager"], author=row["manager"], priority=rng.choice(["low", "normal", "normal", "high"]),
                state="done" if done else "planned", result="Client happy, volumes stable." if done else "",
                done_at=start + timedelta(minutes=30) if done else None))
