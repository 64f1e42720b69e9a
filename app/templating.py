"""Jinja2 for the HTML pages: autoescaped, gettext from the request's locale, and locale-aware filters.

A handler returns `page(...)` for a full page or `fragment(...)` for an HTMX swap; `wants_fragment` tells which
one a request asks for (an HTMX request that is not a boosted navigation nor a history restore).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

from app import i18n
from app.accounts.roles import ROLE_NAMES, home_for, navigation_for
from app.config import ROOT, get_settings
from app.orders.status import STATUS_NAMES

TEMPLATES = ROOT / "web" / "templates"


def _gettext(message: str) -> str:
    return i18n.translations(i18n.current_locale()).ugettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.translations(i18n.current_locale()).ungettext(singular, plural, n)


def _pgettext(context: str, message: str) -> str:
    return i18n.translations(i18n.current_locale()).upgettext(context, message)


def make_environment(directory: Path = TEMPLATES) -> Environment:
    env = Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True, pgettext=_pgettext)
    env.filters.update(
        datetime=i18n.format_datetime,
        date=i18n.format_date,
        time=i18n.format_time,
        number=i18n.format_number,
        money=i18n.format_money,
        language_name=i18n.language_name,
    )
    env.globals.update(
        LANGUAGES=i18n.LANGUAGES,
        ROLE_NAMES=ROLE_NAMES,
        STATUS_NAMES=STATUS_NAMES,
        navigation_for=navigation_for,
        home_for=home_for,
        current_locale=i18n.current_locale,
        current_time_zone=i18n.current_time_zone,
        map_tiles=lambda: get_settings().tile_url,  # empty: maps draw without a tile server
    )
    return env


def template_config() -> TemplateConfig:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(make_environment()))


def wants_fragment(request: Request) -> bool:
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
    )


def page(name: str, status_code: int = 200, **context: Any) -> Template:
    return Template(template_name=name, context=context, status_code=status_code,
                    headers={"Vary": "HX-Request"})


def fragment(name: str, status_code: int = 200, **context: Any) -> Template:
    return Template(template_name=name, context=context, status_code=status_code,
                    headers={"Vary": "HX-Request"})


def page_or_fragment(request: Request, page_name: str, fragment_name: str, **context: Any) -> Template:
    """One URL answers a whole page, or just the part an HTMX request swaps."""
    return fragment(fragment_name, **context) if wants_fragment(request) else page(page_name, **context)
