"""An order's fields as the user typed them (a form, a CSV row, an API body) turned into clean values.

Every problem is collected under the field's name, so a form shows it inline, an import names the column and
the API names the field. Phone numbers become E.164; e-mails are checked; money is integer minor units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import phonenumbers

from app.config import get_settings
from app.i18n import gettext as _

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
POSTCODE = re.compile(r"\b(\d{5})\b")
PLACE_KINDS = ("pickup", "dropoff")
PLACE_FIELDS = ("address", "lat", "lon", "contact_name", "contact_phone", "zone")


def phone_region() -> str:
    return get_settings().extra.get("phone_region", "FR")


def e164(value: str, region: str | None = None) -> str:
    """'06 12 34 56 78' -> '+33612345678'; raises ValueError when it is not a possible number."""
    try:
        number = phonenumbers.parse(value, region or phone_region())
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("invalid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def zone_of(address: str) -> str:
    """The postcode in an address, which price rules and board filters use as its zone."""
    found = POSTCODE.search(address or "")
    return found.group(1) if found else ""


def money_minor(value) -> int:
    """'45', '45.5', '45,50' (major units, as people type) or an int (already minor) -> minor units."""
    if isinstance(value, int):
        return value
    text = str(value).strip().replace(" ", "").replace(",", ".")
    if not text:
        return 0
    amount = Decimal(text)
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidOperation
    return int(amount * 100)


@dataclass
class Collector:
    """Reads typed or text values; remembers a message for every field that is wrong."""

    raw: dict
    time_zone: str = "UTC"

    def __post_init__(self) -> None:
        self.errors: dict[str, str] = {}

    def text(self, name: str, limit: int = 300, required: bool = False, label: str = "") -> str:
        value = self.raw.get(name)
        value = "" if value is None else str(value).strip()
        if required and not value:
            self.errors[name] = label or _("This field is required.")
        elif len(value) > limit:
            self.errors[name] = _("At most %(n)s characters.", n=limit)
        return value

    def number(self, name: str, default: float = 0.0, low: float | None = 0.0, high: float | None = None) -> float:
        value = self.raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return default
        try:
            number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
        except ValueError:
            self.errors[name] = _("Enter a number.")
            return default
        if number != number or (low is not None and number < low) or (high is not None and number > high):
            self.errors[name] = _("Enter a number between %(low)s and %(high)s.", low=low, high=high) if (
                high is not None) else _("Must be %(low)s or more.", low=low)
            return default
        return number

    def integer(self, name: str, default: int = 0, low: int | None = 0, high: int | None = None) -> int:
        value = self.number(name, default, low, high)
        if name not in self.errors and value != int(value):
            self.errors[name] = _("Enter a whole number.")
        return int(value)

    def optional_integer(self, name: str, low: int = 0, high: int | None = None) -> int | None:
        value = self.raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return self.integer(name, 0, low, high)

    def money(self, name: str) -> int:
        value = self.raw.get(name)
        if value is None or value == "":
            return 0
        try:
            amount = money_minor(value)
        except (InvalidOperation, ValueError):
            self.errors[name] = _("Enter an amount such as 12.50.")
            return 0
        if amount < 0:
            self.errors[name] = _("Must be zero or more.")
        return amount

    def flag(self, name: str) -> bool:
        value = self.raw.get(name)
        return value is True or (isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on", "y"))

    def when(self, name: str) -> datetime | None:
        """A datetime; text without an offset is the user's local time ('2026-11-24T14:00' or '…14:00:00')."""
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            moment = value
        else:
            try:
                moment = datetime.fromisoformat(str(value).strip().replace(" ", "T", 1).replace("Z", "+00:00"))
            except ValueError:
                self.errors[name] = _("Enter a date and time such as 2026-11-24 14:00.")
                return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(self.time_zone))
        return moment.astimezone(timezone.utc)

    def phone(self, name: str) -> str:
        value = self.text(name, 40)
        if not value:
            return ""
        try:
            return e164(value)
        except ValueError:
            self.errors[name] = _("Enter a phone number we can call, e.g. +33 6 12 34 56 78.")
            return value

    def email(self, name: str) -> str:
        value = self.text(name, 254)
        if value and not EMAIL_PATTERN.match(value):
            self.errors[name] = _("Enter a valid e-mail address.")
        return value

    def place(self, kind: str, required: bool) -> dict:
        address = self.text(f"{kind}_address", 300)
        lat = self.number(f"{kind}_lat", default=None, low=-90, high=90)  # type: ignore[arg-type]
        lon = self.number(f"{kind}_lon", default=None, low=-180, high=180)  # type: ignore[arg-type]
        if required and not address:
            self.errors[f"{kind}_address"] = _("Enter the address.")
        if address and (lat is None or lon is None) and f"{kind}_lat" not in self.errors:
            self.errors[f"{kind}_lat"] = _("Place the pin on the map, or find the address.")
        return {"address": address, "lat": lat, "lon": lon, "contact_name": self.text(f"{kind}_contact_name", 200),
                "contact_phone": self.phone(f"{kind}_contact_phone"),
                "zone": self.text(f"{kind}_zone", 40) or zone_of(address)}
