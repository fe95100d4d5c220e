"""Bank account numbers (IBANs) typed in the chat: masked in the text, passed on sealed.

What a person types is stored by Rasa (tracker store) and may be shown to staff. An IBAN is masked in
the text before it reaches Rasa (`BE21 **** **** 7803`), and the typed value travels inside the sealed
identity token (groupinsurance.identity_token) to the action server, which validates and stores it in
the claim. Anything shaped like an IBAN is masked, valid or not: a typo is still someone's account.

>>> extract_ibans("mijn rekening is BE21 0012 3456 7803, dank u")
('mijn rekening is BE21 **** **** 7803, dank u', ['BE21001234567803'])
>>> mask_ibans("IBAN: be86-0682-5001-0150")
'IBAN: BE86 **** **** 0150'
>>> mask_ibans("BE21 0012 3456 7804 klopt niet")     # a typo is masked too, the words after it stay
'BE21 **** **** 7804 klopt niet'
>>> mask_ibans("NL91 ABNA 0417 1643 00, of BE86068250010150")
'NL91 **** **** 4300, of BE86 **** **** 0150'
"""
from __future__ import annotations

import re
from typing import List, Tuple

from stdnum import iban

# Two letters, two check digits, then letters, digits, spaces and dashes: the span is trimmed below.
_CANDIDATE = re.compile(r"\b[A-Za-z]{2}\d{2}[A-Za-z0-9 -]{10,40}")


def _compact(value: str) -> str:
    return re.sub(r"[ -]", "", value).upper()


def _mask(compact: str) -> str:
    return f"{compact[:4]} **** **** {compact[-4:]}"


def _span(candidate: str) -> str:
    """The IBAN at the start of `candidate`: the longest run of words that is a valid IBAN, else (a typo)
    the words up to the last one holding a digit. '... 7803 klopt niet' -> '... 7803'."""
    words = re.split(r"(?<=[A-Za-z0-9])(?=[ -])", candidate.rstrip(" -"))
    for end in range(len(words), 0, -1):
        text = "".join(words[:end])
        if len(_compact(text)) >= 12 and iban.is_valid(_compact(text)):
            return text
    while words and not any(ch.isdigit() for ch in words[-1]):
        words.pop()
    return "".join(words)


def extract_ibans(text: str) -> Tuple[str, List[str]]:
    """The text with every IBAN masked, and the IBANs as typed (compact), in order."""
    found: List[str] = []
    parts: List[str] = []
    position = 0
    for match in _CANDIDATE.finditer(text or ""):
        if match.start() < position:
            continue
        span = _span(match.group(0))
        compact = _compact(span)
        if len(compact) < 12:
            continue
        parts.append(text[position:match.start()])
        parts.append(_mask(compact))
        found.append(compact)
        position = match.start() + len(span)
    parts.append((text or "")[position:])
    return "".join(parts), found


def mask_ibans(text: str) -> str:
    return extract_ibans(text)[0]
