"""A report as a CSV file: one row per line, numbers with a dot, money in major units per currency, comment
times in the reader's time zone."""

from __future__ import annotations

import csv
import io

from babel import numbers

from app.i18n import current_time_zone, local_time
from app.i18n import gettext as _
from app.i18n import pgettext
from app.reports.couriers import Line, Period


def _major(minor_units: int, currency: str) -> str:
    digits = numbers.get_currency_precision(currency)
    return f"{minor_units / 10 ** digits:.{digits}f}"


def _optional(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def report_csv(lines: list[Line], period: Period, name_header: str) -> bytes:
    currencies = sorted({currency for line in lines for currency in line.cash})
    header = [name_header, pgettext("period", "From"), pgettext("period", "To"), _("Stops delivered"),
              _("Failed attempts"), _("On time (%)"), _("Km (planned)"), _("Hours"), _("Average rating"),
              _("Ratings"), _("Latest comments")]
    for currency in currencies:
        header += [_("Cash expected (%(currency)s)", currency=currency),
                   _("Cash collected (%(currency)s)", currency=currency)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    time_zone = current_time_zone()
    for line in lines:
        comments = " | ".join(f"{local_time(c['at'], time_zone):%Y-%m-%d %H:%M} {c['reference']} "
                              f"({c['stars']}/5): {c['comment']}" for c in line.comments)
        row = [line.name, period.first.isoformat(), period.last.isoformat(), line.delivered, line.failed,
               _optional(line.on_time_percent), _optional(line.km), _optional(line.hours),
               _optional(line.average_rating, 2), line.ratings, comments]
        for currency in currencies:
            amounts = line.cash.get(currency, {"expected": 0, "collected": 0})
            row += [_major(amounts["expected"], currency), _major(amounts["collected"], currency)]
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")
