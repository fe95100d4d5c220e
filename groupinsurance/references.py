"""Short references a person can read out on the phone: 'EX-7K3Q9M' (exit choices), later claims.

Crockford's base32 alphabet without I, L, O and U, so that nothing can be misread (0/O, 1/I/L). Six
random characters give about a billion references per prefix; the database's unique constraint
catches the rare collision and the caller draws again.

>>> import re; bool(re.fullmatch(r"EX-[0-9A-HJKMNP-TV-Z]{6}", new("EX")))
True
"""
from __future__ import annotations

import secrets

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
