"""Keeps the message catalogues in step with the code: `python -m report.catalogue`.

Extracts every translatable string of the report (the `_()`, `N_()` and `ngettext()` calls of its
Python modules and the `_()` calls of its template), updates each language's .po with them (new
strings are added untranslated, strings no longer used are dropped, translations kept), and
prints what is left to translate. Then edit the .po files and rebuild the report.
"""

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from report.i18n import DOMAIN, LANGUAGES, SOURCE, po_path

REPORT_DIR = Path(__file__).parent
HEADER = (
    "# The report's text in {lang}: report/catalogue.py keeps the messages in step with\n"
    "# the code; write the translations (msgstr) here. See the README, 'The report'."
)
METHODS = [("**.py", "python"), ("**.j2", "jinja2.ext:babel_extract")]
OPTIONS = {"**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}


def extract() -> Catalog:
    """Every message of the report's code and template (the English source)."""
    template = Catalog(domain=DOMAIN, project="kz-tj-warehouse report", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        REPORT_DIR, METHODS, keywords=DEFAULT_KEYWORDS, options_map=OPTIONS, strip_comment_tags=True
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def untranslated(catalog: Catalog) -> list[str]:
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def update() -> dict[str, list[str]]:
    """Update every language's .po from the code; the untranslated messages of each."""
    template = extract()
    left = {}
    for lang in LANGUAGES:
        if lang == SOURCE:
            continue
        path = po_path(lang)
        if path.exists():
            with path.open("rb") as po:
                catalog = read_po(po, locale=lang, domain=DOMAIN)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=lang, domain=DOMAIN, project=template.project, charset="utf-8")
        created = catalog.creation_date if path.exists() else template.creation_date
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        # The header keeps its dates: a run that changes no message leaves the file as it was.
        catalog.creation_date = created
        catalog.header_comment = HEADER.format(lang=lang)
        with path.open("wb") as po:
            write_po(po, catalog, width=100, sort_output=False, omit_header=False, include_lineno=False)
        left[lang] = untranslated(catalog)
    return left


if __name__ == "__main__":
    for lang, missing in update().items():
        print(f"{po_path(lang)}: {len(missing)} untranslated")
        for message in missing:
            print(f"  {message!r}")
    sys.exit(0)
