"""Dates as people type them in Dutch or French: '1 juli 2033', '1er juillet 2033', '01/07/2033',
'1-7-2033', '2033-07-01'. Month names come from Babel's locale data (nl_BE, fr_BE), abbreviations too.

>>> parse_date("vanaf 1 juli 2033"), parse_date("le 1er juillet 2033"), parse_date("01/07/2033")
(datetime.date(2033, 7, 1), datetime.date(2033, 7, 1), datetime.date(2033, 7, 1))
>>> parse_date("31/02/2030") is None, parse_date("volgend jaar") is None
(True, True)
"""
from __future__ import annotations

import datetime
import functools
import re
from typing import Dict, Optional

from babel.dates import get_month_names

from groupinsurance.language import BABEL_LOCALES, fold

_NUMERIC = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_WORDS = re.compile(r"\b(\d{1,2})(?:er|e|ste|de)?\s+([^\W\d_]+)\.?\s+(\d{4})\b")


@functools.lru_cache(maxsize=1)
def _months() -> Dict[str, int]:
    months: Dict[str, int] = {}
    for locale in BABEL_LOCALES.values():
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                months[fold(name).rstrip(".")] = number
    return months


def _date(year: int, month: int, day: int) -> Optional[datetime.date]:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> Optional[datetime.date]:
    """The first date in the text, or None (also for an impossible one such as 31 February)."""
    if not text:
        return None
    match = _ISO.search(text)
    if match:
        return _date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _NUMERIC.search(text)
    if match:
        return _date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    for match in _WORDS.finditer(fold(text)):
        month = _months().get(match.group(2))
        if month:
            return _date(int(match.group(3)), month, int(match.group(1)))
    return None
