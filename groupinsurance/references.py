"""Short references a person can read out on the phone: 'EX-7K3Q9M' (exit choices), later claims.

Crockford's base32 alphabet without I, L, O and U, so that nothing can be misread (0/O, 1/I/L). Six
random characters give about a billion references per prefix; the database's unique constraint
catches the rare collision and the caller draws again.

>>> import re; bool(re.fullmatch(r"EX-[0-9A-HJKMNP-TV-Z]{6}", new("EX")))
True
"""
from __future__ import annotations

import re
import secrets
from typing import Optional

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 6


def new(prefix: str) -> str:
    return f"{prefix}-" + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(text: str) -> str:
    """What a person typed, as stored: upper case, O->0, I/L->1, spaces removed."""
    cleaned = "".join(text.split()).upper()
    prefix, dash, rest = cleaned.partition("-")
    rest = rest.translate(str.maketrans("OIL", "011"))
    return f"{prefix}{dash}{rest}"


def find(text: str, prefix: str) -> Optional[str]:
    """The first reference with `prefix` typed in a sentence, as stored; None if there is none.

    >>> find("annuleer mijn aanvraag PC-7K3Q9M aub", "PC")
    'PC-7K3Q9M'
    >>> find("je retire ma demande pc 7k3q9m", "PC")
    'PC-7K3Q9M'
    >>> find("dossier PC-7K3QOM", "PC")  # O typed for 0
    'PC-7K3Q0M'
    >>> find("EX-7K3Q9M", "PC") is None, find("PC-7K3Q9", "PC") is None, find("PC-7K3Q9MX", "PC") is None
    (True, True, True)
    >>> find("PC-UUUUUU", "PC") is None  # U is not in the alphabet
    True
    """
    pattern = re.compile(rf"(?<![0-9A-Za-z]){re.escape(prefix)}[-\s]?([0-9A-Za-z]{{{LENGTH}}})(?![0-9A-Za-z])", re.IGNORECASE)
    for match in pattern.finditer(text or ""):
        reference = normalize(f"{prefix}-{match.group(1)}")
        if all(character in ALPHABET for character in reference.partition("-")[2]):
            return reference
    return None

