"""Pricing: the cost of an order from a price list's rules, as a pure function.

    price(rules, inputs, currency) -> Quote(total, currency, lines)

A price list is a set of rules, each of one kind:

    base      a fixed amount on every order
    distance  the band of pick-up → drop-off km the order falls in: amount + per_unit × km
    weight    the band of kg: amount + per_unit × kg
    volume    the band of m³: amount + per_unit × m³
    zone      the drop-off's postcode starts with `zone` (the longest match wins): amount
    urgency   the band of hours of notice (from ordering to the end of the delivery window): amount
              + percent_bp of the transport so far (a rush fee)
    cod_fee   when cash is collected: amount + percent_bp of the cash
    waiting   minutes of waiting beyond band_from (free minutes): per_unit × extra minutes
    return    when the parcel comes back: amount + percent_bp of the transport
    minimum   the total is at least `amount`

For banded kinds only the first band (by band_from) containing the value counts; band_from is inclusive,
band_to exclusive (None = open). Money is integer minor units; every line is rounded half up on its own, so
the total is the sum of the lines the client sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.i18n import lazy_gettext as _l

KINDS = ("base", "distance", "weight", "volume", "zone", "urgency", "cod_fee", "waiting", "return", "minimum")

KIND_NAMES = {
    "base": _l("Base fare"),
    "distance": _l("Distance"),
    "weight": _l("Weight"),
    "volume": _l("Volume"),
    "zone": _l("Zone"),
    "urgency": _l("Urgency"),
    "cod_fee": _l("Cash on delivery fee"),
    "waiting": _l("Waiting time"),
    "return": _l("Return"),
    "minimum": _l("Minimum charge"),
}

BANDED = {"distance": "distance_km", "weight": "weight_kg", "volume": "volume_m3", "urgency": "notice_hours"}
TRANSPORT = {"base", "distance", "weight", "volume", "zone"}


@dataclass(frozen=True)
class Rule:
    kind: str
    band_from: float = 0.0
    band_to: float | None = None
    zone: str = ""
    amount: int = 0
    per_unit: int = 0
    percent_bp: int = 0

    def contains(self, value: float) -> bool:
        return value >= self.band_from and (self.band_to is None or value < self.band_to)


@dataclass(frozen=True)
class PriceInputs:
    distance_km: float = 0.0
    weight_kg: float = 0.0
    volume_m3: float = 0.0
    zone: str = ""
    notice_hours: float | None = None  # None: no delivery deadline, so no urgency
    cod_amount: int = 0
    waiting_minutes: int = 0
    with_return: bool = False


@dataclass(frozen=True)
class Line:
    kind: str
    amount: int
    quantity: float | None = None  # km, kg, m³, minutes... what the line was computed on

    def as_dict(self) -> dict:
        return {"kind": self.kind, "amount": self.amount, "quantity": self.quantity}


@dataclass(frozen=True)
class Quote:
    total: int
    currency: str
    lines: list[Line] = field(default_factory=list)

    def breakdown(self) -> list[dict]:
        return [line.as_dict() for line in self.lines]


def _round(value: float) -> int:
    """Half up, for the non-negative amounts prices are made of."""
    return int(value + 0.5) if value >= 0 else -int(-value + 0.5)


def _band(rules: list[Rule], kind: str, value: float) -> Rule | None:
    for rule in sorted((rule for rule in rules if rule.kind == kind), key=lambda rule: rule.band_from):
        if rule.contains(value):
            return rule
    return None


def _zone(rules: list[Rule], zone: str) -> Rule | None:
    matching = [rule for rule in rules if rule.kind == "zone" and rule.zone and zone.startswith(rule.zone)]
    return max(matching, key=lambda rule: len(rule.zone), default=None)


def price(rules: list[Rule], inputs: PriceInputs, currency: str) -> Quote:
    """The price of an order with these inputs under these rules, line by line."""
    lines: list[Line] = []
    for rule in rules:
        if rule.kind == "base":
            lines.append(Line("base", rule.amount))
    for kind in ("distance", "weight", "volume"):
        value = getattr(inputs, BANDED[kind])
        rule = _band(rules, kind, value)
        if rule is not None:
            lines.append(Line(kind, rule.amount + _round(rule.per_unit * value), round(value, 3)))
    if inputs.zone and (rule := _zone(rules, inputs.zone)) is not None:
        lines.append(Line("zone", rule.amount))
    transport = sum(line.amount for line in lines)
    if inputs.notice_hours is not None and (rule := _band(rules, "urgency", inputs.notice_hours)) is not None:
        lines.append(Line("urgency", rule.amount + _round(transport * rule.percent_bp / 10000),
                          round(inputs.notice_hours, 1)))
    if inputs.cod_amount > 0:
        for rule in rules:
            if rule.kind == "cod_fee":
                lines.append(Line("cod_fee", rule.amount + _round(inputs.cod_amount * rule.percent_bp / 10000),
                                  inputs.cod_amount))
    if inputs.waiting_minutes > 0:
        for rule in rules:
            extra = inputs.waiting_minutes - rule.band_from
            if rule.kind == "waiting" and extra > 0:
                lines.append(Line("waiting", _round(rule.per_unit * extra), extra))
    if inputs.with_return:
        for rule in rules:
            if rule.kind == "return":
                lines.append(Line("return", rule.amount + _round(transport * rule.percent_bp / 10000)))
    total = sum(line.amount for line in lines)
    minimum = max((rule.amount for rule in rules if rule.kind == "minimum"), default=0)
    if total < minimum:
        lines.append(Line("minimum", minimum - total))
        total = minimum
    return Quote(total=total, currency=currency, lines=lines)


def line_name(kind: str) -> str:
    return str(KIND_NAMES.get(kind, kind))
