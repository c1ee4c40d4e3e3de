"""The report's languages: message catalogues, the active language, and locale formatting.

The text lives in gettext catalogues, report/locales/<lang>/LC_MESSAGES/report.po
(English is the source language: its msgids are the English text). They are compiled with Babel
when the report is built, in memory: no .mo file is kept in the repository or written out.

Strings built in Python call `_()` / `ngettext()` of this module, which translate into the language
made active by `active(lang)`; numbers and dates go through `num`, `pct`, `month_name`, ... which
format them for that language's locale with Babel (a non-breaking space between thousands and a
decimal comma in Russian and Kazakh).
"""

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from ingest.periods import parse_quarter

LOCALE_DIR = Path(__file__).parent / "locales"
DOMAIN = "report"
SOURCE = "en"
LANGUAGES = ("en", "ru", "kk")
# What each page's language link says: each language in its own name.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The language's catalogue, compiled from its .po now (English: the msgids themselves)."""
    if lang == SOURCE:
        return gettext.NullTranslations()
    with po_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    mo = io.BytesIO()
    # Fuzzy entries are drafts: left out, so that the English shows rather than a doubtful text.
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)


@dataclass(frozen=True)
class Language:
    code: str

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.code)

    @property
    def translations(self) -> gettext.NullTranslations:
        return translations(self.code)


_active: ContextVar[Language | None] = ContextVar("report_language", default=None)
_SOURCE_LANGUAGE = Language(SOURCE)


@contextmanager
def active(lang: str) -> Iterator[Language]:
    """Make `lang` the language of `_()` and the formatters within the block."""
    token = _active.set(Language(lang))
    try:
        yield _active.get()
    finally:
        _active.reset(token)


def _language() -> Language:
    return _active.get() or _SOURCE_LANGUAGE


def lang() -> str:
    return _language().code


def _(message: str) -> str:
    return _language().translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _language().translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a string for the catalogue without translating it here (it is translated later)."""
    return message


# --- numbers and dates in the active locale ------------------------------------------------------


def num(value: float | int, digits: int = 0) -> str:
    """1350.0 -> '1,350' (en), '1 350' (ru, kk: a non-breaking space)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=lang())


def pct(value: float, digits: int = 1) -> str:
    """67.5 -> '67.5%' (en), '67,5 %' (ru), '67,5%' (kk): the locale's own percent pattern."""
    pattern = Locale.parse(lang()).percent_formats[None].pattern
    if digits:
        pattern = pattern.replace("0", "0." + "0" * digits, 1)
    return format_percent(value / 100, format=pattern, locale=lang())


def signed_pct(value: float, digits: int = 1) -> str:
    """+5.0%, -1.0% (the sign always shown)."""
    return ("+" if value >= 0 else "-") + pct(abs(value), digits)


def _month(year_month: str) -> date:
    year, month = year_month[:7].split("-")
    return date(int(year), int(month), 1)


def month_name(year_month: str) -> str:
    """'2025-12' -> 'December 2025', 'декабрь 2025 г.', '2025 ж. желтоқсан'; anything else as it is."""
    try:
        return format_skeleton("yMMMM", _month(year_month), locale=lang())
    except (ValueError, IndexError):
        return year_month


def month_span(first: str, last: str) -> str:
    """('2024-01', '2024-03') -> 'January to March 2024' (en), 'январь — март 2024 г.' (ru)."""
    try:
        start, end = _month(first), _month(last)
    except (ValueError, IndexError):
        return first if first == last else f"{first}–{last}"
    if start == end:
        return month_name(first)
    if lang() != SOURCE:
        return format_interval(start, end, "yMMMM", locale=lang())
    first_name, last_name = month_name(first), month_name(last)
    if start.year == end.year:
        first_name = first_name.split()[0]
    return f"{first_name} to {last_name}"


def quarter_name(label: str) -> str:
    """'2025-Q4' -> 'Q4 2025' (en), '4-й кв. 2025 г.' (ru), '2025 ж. 4-тоқсан' (kk). From the
    catalogue rather than CLDR, whose Kazakh quarters are Roman numerals: the figures stay
    comparable from page to page."""
    try:
        year, quarter = parse_quarter(label)
    except ValueError:
        return label
    return _("Q{quarter} {year}").format(quarter=quarter, year=year)


def quarter_span(first: str, last: str) -> str:
    """('2022-Q1', '2025-Q4') -> 'Q1 2022 to Q4 2025'."""
    if first == last:
        return quarter_name(first)
    return _("{first} to {last}").format(first=quarter_name(first), last=quarter_name(last))


SEASONS = {"SPRING": N_("spring"), "SUMMER": N_("summer"), "AUTUMN": N_("autumn"), "WINTER": N_("winter")}


def season_name(label: str) -> str:
    """'2025-AUTUMN' -> 'autumn 2025', 'осень 2025 г.', '2025 ж. күзі'."""
    year, _sep, name = label.partition("-")
    if not name:
        return label
    season = _(SEASONS[name]) if name in SEASONS else name.lower()
    return _("{season} {year}").format(season=season, year=year)


def long_date(moment: date) -> str:
    """The report's date: '1 August 2025', '1 августа 2025 г.', '2025 ж. 1 тамыз'."""
    if lang() == SOURCE:
        return format_date(moment, "d MMMM y", locale=SOURCE)
    return format_date(moment, "long", locale=lang())


def vega_locale() -> dict:
    """d3-format's locale for the active language (Vega formats the charts' axis numbers with it),
    from Babel's symbols, so that the charts write numbers as the text does."""
    symbols = Locale.parse(lang()).number_symbols["latn"]
    return {
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
        "grouping": [3],
        "currency": ["", ""],
        "minus": symbols.get("minusSign", "-"),
    }
