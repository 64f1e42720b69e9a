"""Six languages: every string translated, and dates, numbers and money in the reader's locale and time zone."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app import i18n
from app.i18n.catalogues import problems
from tests.conftest import post_form


def test_every_catalogue_translates_every_string():
    assert problems() == []


@pytest.mark.parametrize("locale, expected", [
    ("en", "€1,234.50"), ("fr", "1\u202f234,50\xa0€"), ("ru", "1\xa0234,50\xa0€"), ("bg", "1\xa0234,50\xa0€"),
])
def test_money_is_written_the_way_each_locale_writes_it(locale, expected):
    i18n.set_locale(locale)
    assert i18n.format_money(123450, "EUR") == expected


def test_money_without_minor_units_keeps_its_own_precision():
    i18n.set_locale("en")
    assert i18n.format_money(1500, "JPY") == "¥1,500"


def test_times_are_shown_in_the_reader_time_zone():
    moment = datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)
    i18n.set_locale("en", "Asia/Tbilisi")
    assert i18n.format_time(moment) == "1:30\u202fPM"
    i18n.set_locale("fr", "Europe/Paris")
    assert i18n.format_time(moment) == "10:30"


def test_the_browser_language_is_negotiated_among_the_six():
    assert i18n.negotiate("ka-GE,ka;q=0.9") == "ka"
    assert i18n.negotiate("de-DE,yo;q=0.8,fr;q=0.7") == "yo"
    assert i18n.negotiate("de-DE") == "en"
    assert i18n.negotiate("q=;;,") == "en"


@pytest.mark.parametrize("locale", ["fr", "ru", "bg", "ka", "yo"])
async def test_a_dispatcher_reads_the_board_in_their_language(client, signed_in, locale):
    await signed_in("dispatcher")
    await post_form(client, "/account/preferences", {"locale": locale, "theme": "light", "time_zone": "UTC"})
    page = (await client.get("/board")).text
    i18n.set_locale(locale)
    assert i18n.gettext("Board") in page and i18n.gettext("Board") != "Board"
    assert i18n.gettext("Log out") in page
