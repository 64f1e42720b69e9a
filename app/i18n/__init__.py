"""Languages, the current locale of a request, gettext, and locale-aware formatting of dates, numbers and money.

Catalogues are the .po files under app/i18n/locales/; they are compiled in memory at start-up, so there is no
build step and no compiled file to forget. The locale is kept in a context variable set once per request.
"""

from __future__ import annotations

import contextvars
import io
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, Translations

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"

# The UI languages, each named in itself.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "ru": "Русский",
    "bg": "Български",
    "ka": "ქართული",
    "yo": "Yorùbá",
}
DEFAULT_LOCALE = "en"

_locale: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default=DEFAULT_LOCALE)
_time_zone: contextvars.ContextVar[str] = contextvars.ContextVar("time_zone", default="UTC")


@lru_cache(maxsize=None)
def translations(locale: str) -> Translations:
    path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if locale == DEFAULT_LOCALE or not path.exists():
        return Translations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def set_locale(locale: str | None, time_zone: str | None = None) -> None:
    _locale.set(locale if locale in LANGUAGES else DEFAULT_LOCALE)
    if time_zone:
        _time_zone.set(time_zone)


def current_locale() -> str:
    return _locale.get()


def current_time_zone() -> str:
    return _time_zone.get()


def gettext(message: str, **variables) -> str:
    text = translations(current_locale()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    text = translations(current_locale()).ungettext(singular, plural, n)
    return text % {"num": n, **variables}


def pgettext(context: str, message: str, **variables) -> str:
    """For a word with two meanings ("Plan" the noun and the verb): the context lets each language tell them apart."""
    text = translations(current_locale()).upgettext(context, message)
    return text % variables if variables else text


def lazy_gettext(message: str) -> LazyProxy:
    """For strings defined at import time (role names, choices): translated when shown, in the reader's locale."""
    return LazyProxy(gettext, message, enable_cache=False)


_ = gettext


def negotiate(accept_language: str | None) -> str:
    """The best UI language for an Accept-Language header."""
    if not accept_language:
        return DEFAULT_LOCALE
    wanted = []
    for part in accept_language.split(","):
        tag, _sep, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        wanted.append((weight, tag.strip().replace("_", "-")))
    for _weight, tag in sorted(wanted, key=lambda item: -item[0]):
        base = tag.split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return DEFAULT_LOCALE


def valid_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _zone(time_zone: str | None) -> ZoneInfo:
    name = time_zone or current_time_zone()
    return ZoneInfo(name) if valid_time_zone(name) else ZoneInfo("UTC")


def local_time(value: datetime, time_zone: str | None = None) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(_zone(time_zone))


def format_datetime(value: datetime | None, format: str = "medium", time_zone: str | None = None) -> str:
    if value is None:
        return ""
    return dates.format_datetime(local_time(value, time_zone), format=format, locale=current_locale())


def format_time(value: datetime | None, format: str = "short", time_zone: str | None = None) -> str:
    if value is None:
        return ""
    return dates.format_time(local_time(value, time_zone), format=format, locale=current_locale())


def format_date(value: date | datetime | None, format: str = "medium", time_zone: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_time(value, time_zone).date()
    return dates.format_date(value, format=format, locale=current_locale())


def format_number(value: float | int | None, digits: int | None = None) -> str:
    if value is None:
        return ""
    if digits is None:
        return numbers.format_decimal(value, locale=current_locale())
    return numbers.format_decimal(round(value, digits), format=f"#,##0.{'0' * digits}" if digits else "#,##0",
                                  locale=current_locale())


def format_money(minor_units: int | None, currency: str) -> str:
    """Money is kept as integer minor units; shown in the reader's locale with the currency's own decimals."""
    if minor_units is None:
        return ""
    digits = numbers.get_currency_precision(currency)
    return numbers.format_currency(minor_units / (10**digits), currency, locale=current_locale())


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


def locale_direction(code: str) -> str:
    try:
        return Locale.parse(code).character_order == "right-to-left" and "rtl" or "ltr"
    except (UnknownLocaleError, ValueError):
        return "ltr"
