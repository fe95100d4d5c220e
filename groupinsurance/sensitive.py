"""Bank account numbers (IBANs) typed in the chat: masked in the text, passed on sealed.

What a person types is stored by Rasa (tracker store) and may be shown to staff. An IBAN is masked in
the text before it reaches Rasa (`BE21 **** **** 7803`), and the typed value travels inside the sealed
identity token (groupinsurance.identity_token) to the action server, which validates and stores it in
the claim. Anything shaped like an IBAN is masked, valid or not: a typo is still someone's account.

>>> extract_ibans("mijn rekening is BE21 0012 3456 7803, dank u")
('mijn rekening is BE21 **** **** 7803, dank u', ['BE21001234567803'])
>>> mask_ibans("IBAN: be86-0682-5001-0150")
'IBAN: BE86 **** **** 0150'
"""
from __future__ import annotations

import re
from typing import List, Tuple

# Two letters, two check digits, then 10 to 30 letters/digits, in groups separated by spaces or dashes.
_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){10,30}\b")


def _compact(value: str) -> str:
    return re.sub(r"[ -]", "", value).upper()


def _mask(compact: str) -> str:
    return f"{compact[:4]} **** **** {compact[-4:]}"


def extract_ibans(text: str) -> Tuple[str, List[str]]:
    """The text with every IBAN masked, and the IBANs as typed (compact), in order."""
    found: List[str] = []

    def replace(match) -> str:
        compact = _compact(match.group(0))
        if not any(ch.isdigit() for ch in compact[4:]):  # a long word that merely starts like one
            return match.group(0)
        found.append(compact)
        return _mask(compact)

    return _IBAN.sub(replace, text or ""), found


def mask_ibans(text: str) -> str:
    return extract_ibans(text)[0]
