"""The courier report and the carrier report for a period: stops delivered, failed attempts, punctuality, distance
and hours where known, cash on delivery expected and collected, and what clients said (ratings, comments).

A fixed number of queries whatever the number of couriers (no N+1); the carrier report groups the courier lines
by the carrier each courier works for (own staff: no carrier). The period is a range of days in the reader's
time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Count, Max, Min, Sum

from app.errors import InvalidInput
from app.i18n import gettext as _
from app.i18n import valid_time_zone
from tables.fleet import Courier
from tables.routes import Route, Stop
from tables.sync import CashEntry, DeliveryProof
from tables.tracking import DeliveryRating

MAX_DAYS = 366
LATEST_COMMENTS = 3
COMMENTS_READ = 1000  # the latest comments of the period, enough for three per courier


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive
    time_zone: str

    def bounds(self) -> tuple[datetime, datetime]:
        """[start of the first day, start of the day after the last) in UTC."""
        zone = ZoneInfo(self.time_zone)
        start = datetime.combine(self.first, time.min, tzinfo=zone)
        end = datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=zone)
        return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def _day(value: str, name: str, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[name] = _("Enter a date.")
        return None


def period_of(first: str, last: str, time_zone: str, today: date | None = None) -> Period:
    """The period a reader chose; by default the month so far."""
    zone = ZoneInfo(time_zone if valid_time_zone(time_zone) else "UTC")
    today = today or datetime.now(zone).date()
    errors: dict[str, str] = {}
    first_day = _day(first, "first", errors) if first else today.replace(day=1)
    last_day = _day(last, "last", errors) if last else today
    if first_day and last_day and first_day > last_day:
        errors["last"] = _("The period ends before it starts.")
    elif first_day and last_day and (last_day - first_day).days >= MAX_DAYS:
        errors["last"] = _("At most %(n)s days, please.", n=MAX_DAYS)
    if errors:
        raise InvalidInput(errors)
    return Period(first_day, last_day, zone.key)


@dataclass
class Line:
    """One courier's (or one carrier's) figures for the period."""

    key: int | None
    name: str
    carrier_id: int | None = None
    carrier_name: str = ""
    delivered: int = 0
    failed: int = 0
    on_time: int = 0
    with_window: int = 0  # delivered stops that had a time window to keep
    km: float | None = None
    minutes: float | None = None
    cash: dict[str, dict[str, int]] = field(default_factory=dict)  # currency -> {"expected", "collected"}
    stars: int = 0
    ratings: int = 0
    comments: list[dict] = field(default_factory=list)

    @property
    def on_time_percent(self) -> float | None:
        return 100.0 * self.on_time / self.with_window if self.with_window else None

    @property
    def average_rating(self) -> float | None:
        return self.stars / self.ratings if self.ratings else None

    @property
    def hours(self) -> float | None:
        return self.minutes / 60 if self.minutes is not None else None

    def money(self, currency: str) -> dict[str, int]:
        return self.cash.setdefault(currency, {"expected": 0, "collected": 0})

    def add(self, other: "Line") -> None:
        for name in ("delivered", "failed", "on_time", "with_window", "stars", "ratings"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("km", "minutes"):
            if getattr(other, name) is not None:
                setattr(self, name, (getattr(self, name) or 0) + getattr(other, name))
        for currency, amounts in other.cash.items():
            mine = self.money(currency)
            mine["expected"] += amounts["expected"]
            mine["collected"] += amounts["collected"]
        self.comments = sorted(self.comments + other.comments, key=lambda c: c["at"], reverse=True)[
            :LATEST_COMMENTS]


async def _couriers() -> dict[int, Line]:
    rows = await Courier.select(
        Courier.user, Courier.user.full_name.as_alias("name"), Courier.carrier,
        Courier.carrier.name.as_alias("carrier_name")).order_by(Courier.id)
    return {row["user"]: Line(key=row["user"], name=row["name"] or "", carrier_id=row["carrier"],
                              carrier_name=row["carrier_name"] or "") for row in rows}


def _line(lines: dict[int, Line], user_id: int) -> Line:
    """A courier without a fleet record (a courier account that left the fleet) still gets a line."""
    if user_id not in lines:
        lines[user_id] = Line(key=user_id, name="")
    return lines[user_id]


async def _add_stops(lines: dict[int, Line], start: datetime, end: datetime) -> None:
    """Deliveries (once per order, the latest proof), failed attempts, punctuality and cash expected."""
    proofs = await DeliveryProof.select(
        DeliveryProof.courier, DeliveryProof.order, DeliveryProof.outcome, DeliveryProof.happened_at,
        DeliveryProof.courier.full_name.as_alias("courier_name"),
        DeliveryProof.order.deliver_to.as_alias("deliver_to"), DeliveryProof.order.cod_amount.as_alias("cod"),
        DeliveryProof.order.currency.as_alias("currency"),
    ).where((DeliveryProof.happened_at >= start) & (DeliveryProof.happened_at < end)).order_by(
        DeliveryProof.happened_at)
    delivered: dict[int, dict] = {}
    for proof in proofs:
        line = _line(lines, proof["courier"])
        line.name = line.name or proof["courier_name"] or ""
        if proof["outcome"] == "delivered":
            delivered[proof["order"]] = proof
        else:
            line.failed += 1
    for proof in delivered.values():
        line = lines[proof["courier"]]
        line.delivered += 1
        if proof["deliver_to"] is not None:
            line.with_window += 1
            line.on_time += proof["happened_at"] <= proof["deliver_to"]
        if proof["cod"]:
            line.money(proof["currency"])["expected"] += proof["cod"]


async def _add_cash(lines: dict[int, Line], start: datetime, end: datetime) -> None:
    rows = await CashEntry.select(CashEntry.courier, CashEntry.currency, Sum(CashEntry.amount, alias="total")).where(
        (CashEntry.collected_at >= start) & (CashEntry.collected_at < end)).group_by(
        CashEntry.courier, CashEntry.currency)
    for row in rows:
        _line(lines, row["courier"]).money(row["currency"])["collected"] += row["total"] or 0


async def _add_routes(lines: dict[int, Line], period: Period) -> None:
    """Planned distance of the period's routes; hours from the first arrival to the last departure the phone
    recorded (a route without them adds no hours)."""
    in_period = (Route.day >= period.first) & (Route.day <= period.last)
    routes = await Route.select(Route.id, Route.courier.user.as_alias("user_id"), Route.planned_km).where(in_period)
    worked = await Stop.select(Stop.route, Min(Stop.arrived_at, alias="began"),
                               Max(Stop.departed_at, alias="ended")).where(
        (Stop.route.day >= period.first) & (Stop.route.day <= period.last)).group_by(Stop.route)
    spans = {row["route"]: row for row in worked}
    for route in routes:
        line = _line(lines, route["user_id"])
        if route["planned_km"]:
            line.km = (line.km or 0) + route["planned_km"]
        span = spans.get(route["id"])
        if span and span["began"] and span["ended"] and span["ended"] > span["began"]:
            line.minutes = (line.minutes or 0) + (_utc(span["ended"]) - _utc(span["began"])).total_seconds() / 60


def _utc(value: datetime | str) -> datetime:
    """Aggregates come back as text from SQLite."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


async def _add_ratings(lines: dict[int, Line], start: datetime, end: datetime) -> None:
    in_period = ((DeliveryRating.created_at >= start) & (DeliveryRating.created_at < end)
                 & DeliveryRating.courier.is_not_null())
    totals = await DeliveryRating.select(DeliveryRating.courier, Count(alias="ratings"),
                                         Sum(DeliveryRating.stars, alias="stars")).where(in_period).group_by(
        DeliveryRating.courier)
    for row in totals:
        line = _line(lines, row["courier"])
        line.ratings, line.stars = row["ratings"], row["stars"] or 0
    comments = await DeliveryRating.select(
        DeliveryRating.courier, DeliveryRating.stars, DeliveryRating.comment, DeliveryRating.created_at,
        DeliveryRating.order.reference.as_alias("reference"),
    ).where(in_period & (DeliveryRating.comment != "")).order_by(DeliveryRating.created_at, ascending=False).limit(
        COMMENTS_READ)
    for row in comments:
        line = lines[row["courier"]]
        if len(line.comments) < LATEST_COMMENTS:
            line.comments.append({"at": row["created_at"], "stars": row["stars"], "comment": row["comment"],
                                  "reference": row["reference"]})


def _active(line: Line) -> bool:
    return bool(line.delivered or line.failed or line.ratings or line.cash or line.km or line.minutes)


async def courier_report(period: Period) -> list[Line]:
    """One line per courier who worked, was rated or handled cash in the period, by name (seven queries)."""
    start, end = period.bounds()
    lines = await _couriers()
    await _add_stops(lines, start, end)
    await _add_cash(lines, start, end)
    await _add_routes(lines, period)
    await _add_ratings(lines, start, end)
    return sorted((line for line in lines.values() if _active(line)), key=lambda line: line.name.casefold())


async def carrier_report(period: Period) -> list[Line]:
    """The courier lines added up per carrier; the company's own couriers make one line with no carrier."""
    carriers: dict[int | None, Line] = {}
    for courier in await courier_report(period):
        name = courier.carrier_name if courier.carrier_id else _("Own staff")
        carrier = carriers.setdefault(courier.carrier_id, Line(key=courier.carrier_id, name=name))
        carrier.add(courier)
    own = [carriers.pop(None)] if None in carriers else []
    return own + sorted(carriers.values(), key=lambda line: line.name.casefold())
