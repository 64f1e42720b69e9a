"""Keeping the six catalogues complete: extract every string, merge it into each .po, and check nothing is missing.

`python -m app.i18n.catalogues update` refreshes the template and the .po files (new strings appear empty);
`python -m app.i18n.catalogues check` fails when any catalogue lacks a translation, has a fuzzy one, or a
translation whose %(placeholders)s differ from the original's. CI runs the check (`make i18n-check`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from app.config import ROOT
from app.i18n import DEFAULT_LOCALE, LANGUAGES, LOCALES_DIR

KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "pgettext": ((1, "c"), 2),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def extract() -> Catalog:
    catalog = Catalog(project="Waybill", charset="utf-8")
    method_map = [("app/**.py", "python"), ("web/templates/**.html", "jinja2")]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map=method_map, options_map=options, keywords=KEYWORDS
    ):
        if filename.startswith(("app/i18n/catalogues", "tests")):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"


def update() -> None:
    template = extract()
    with (LOCALES_DIR / "messages.pot").open("wb") as out:
        write_po(out, template, omit_header=False, sort_output=True, include_lineno=False)
    for locale in LANGUAGES:  # English too: its catalogue is the source text, kept for translators' tools
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as po:
                catalog = read_po(po, locale=locale)
        else:
            catalog = Catalog(locale=locale, project="Waybill", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as out:
            write_po(out, catalog, sort_output=True, include_lineno=False, ignore_obsolete=True)


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def problems() -> list[str]:
    template = extract()
    found = []
    for locale in LANGUAGES:
        if locale == DEFAULT_LOCALE:
            continue
        path = po_path(locale)
        if not path.exists():
            found.append(f"{locale}: no catalogue at {path}")
            continue
        with path.open("rb") as po:
            catalog = read_po(po, locale=locale)
        for message in template:
            if not message.id:
                continue
            translated = catalog.get(message.id, context=message.context)
            label = _ids(message)[0][:60]
            if translated is None or not all(_strings(translated.string)):
                found.append(f"{locale}: missing translation for {label!r}")
            elif translated.fuzzy:
                found.append(f"{locale}: fuzzy translation for {label!r}")
            else:
                wanted = set(PLACEHOLDER.findall(" ".join(_ids(message))))
                for text in _strings(translated.string):
                    if set(PLACEHOLDER.findall(text)) - wanted - {"num"}:
                        found.append(f"{locale}: placeholders differ in {label!r}")
                        break
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
        return 0
    found = problems()
    for line in found:
        print(line)
    print(f"i18n-check: {len(found)} problem(s) in {len(LANGUAGES) - 1} catalogues")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
