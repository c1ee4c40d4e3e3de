"""The numbers a reader sees on a report page, read back in the page's locale, so that pages in
different languages can be compared figure by figure (tests/test_report.py, test_pages_offline.py)."""

import re
from decimal import Decimal

from babel.numbers import get_decimal_symbol, get_group_symbol, parse_decimal


def number_pattern(lang: str) -> re.Pattern:
    """A number as the locale writes it: '1,350.5' (en), '1 350,5' (ru, kk, a no-break space)."""
    group, decimal = re.escape(get_group_symbol(lang)), re.escape(get_decimal_symbol(lang))
    # A sign only after a space or '(' (not the hyphen of '1-й'); digits right after a letter count
    # ('Q1' is the 1 of '1-й кв.').
    sign = r"(?:(?<![^\s(])[-+])?"
    return re.compile(rf"(?<![\d.,]){sign}(?:\d{{1,3}}(?:{group}\d{{3}})+|\d+)(?:{decimal}\d+)?")


def numbers(text: str, lang: str) -> list[Decimal]:
    """Every number of `text`, parsed with Babel for `lang` (signs kept)."""
    found = []
    for token in number_pattern(lang).findall(text):
        sign = -1 if token[0] == "-" else 1
        found.append(sign * parse_decimal(token.lstrip("+-"), locale=lang))
    return found


def same_figures(english: list[str], other: list[str], lang: str) -> list[str]:
    """Texts (cards, takeaways) whose numbers differ between the English page and `lang`'s: each
    text's numbers as a multiset, since a translation may reorder them."""
    assert len(english) == len(other), (len(english), len(other))
    return [
        f"{en!r} / {text!r}"
        for en, text in zip(english, other, strict=True)
        if sorted(numbers(en, "en")) != sorted(numbers(text, lang))
    ]
