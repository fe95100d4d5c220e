"""The short-lived identity token: how the web app tells the action server who is logged in.

The web app issues one with every chat message of a logged-in person; Rasa passes it through in the
message's metadata; the action server verifies it before it shows anything personal. The token is a
JWT sealed as JWE (`dir`, AES-256-GCM, with joserfc): the GCM tag authenticates it like a signature,
and the encryption keeps the national number out of Rasa's tracker store, which stores the metadata.

Checked on verification: the seal (a token made with another key, or changed by one bit, fails),
the audience, the issuer, the expiry (with a few seconds' leeway for clock skew) and the subject's
check digits. Nothing a person types reaches this module.

>>> key = derive_key("a test secret that is long enough")
>>> token = issue("85073003328", key, now=1_700_000_000)
>>> verify(token, key, now=1_700_000_030)
'85073003328'
>>> verify(token, key, now=1_700_000_000 + DEFAULT_TTL + LEEWAY + 1)
Traceback (most recent call last):
    ...
groupinsurance.identity_token.InvalidToken: expired
"""
from __future__ import annotations

import hashlib
import time
from typing import Any, Dict, Optional, Tuple

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwe import JWERegistry
from joserfc.jwk import OctKey

from groupinsurance import identifiers

ISSUER = "groupinsurance-web"
PRIVATE_CLAIM = "private"
ACTION_SERVER = "groupinsurance-actions"
# Long enough for Rasa to reach the action server, short enough that a copied token is soon useless.
DEFAULT_TTL = 120
LEEWAY = 5
MIN_SECRET_LENGTH = 32

_HEADER = {"alg": "dir", "enc": "A256GCM"}
_REGISTRY = JWERegistry(algorithms=["dir", "A256GCM"])


class InvalidToken(ValueError):
    """The token is missing, forged, expired or not meant for us; the message says which, in English."""


def derive_key(secret: str) -> OctKey:
    """The 256-bit key for `secret` (IDENTITY_TOKEN_SECRET), which must be at least 32 characters."""
    if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(f"the identity token secret must be at least {MIN_SECRET_LENGTH} characters")
    # A fixed context string keeps this key different from any other use of the same secret.
    return OctKey.import_key(hashlib.sha256(b"groupinsurance identity token v1\0" + secret.encode()).digest())


def issue(
    national_number: str,
    key: OctKey,
    *,
    audience: str = ACTION_SERVER,
    ttl: int = DEFAULT_TTL,
    now: Optional[float] = None,
    private: Optional[Dict[str, Any]] = None,
) -> str:
    """A sealed token saying "this is the person with `national_number`", valid for `ttl` seconds.

    private: what the message carried that must not be stored in clear (e.g. {"ibans": [...]},
    groupinsurance.sensitive); sealed with the rest, read back with `verify_with_private`.
    """
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": ISSUER,
        "aud": audience,
        "sub": identifiers.validate(national_number),
        "iat": issued,
        "exp": issued + ttl,
    }
    if private:
        claims[PRIVATE_CLAIM] = dict(private)
    return jwt.encode(_HEADER, claims, key, registry=_REGISTRY)


def verify(token: Optional[str], key: OctKey, *, audience: str = ACTION_SERVER, now: Optional[float] = None) -> str:
    """The national number in `token`, or InvalidToken saying why not."""
    return verify_with_private(token, key, audience=audience, now=now)[0]


def verify_with_private(token: Optional[str], key: OctKey, *, audience: str = ACTION_SERVER,
                        now: Optional[float] = None) -> Tuple[str, Dict[str, Any]]:
    """The national number and the private values in `token`, or InvalidToken saying why not."""
    if not token or not isinstance(token, str):
        raise InvalidToken("missing")
    try:
        claims = jwt.decode(token, key, registry=_REGISTRY).claims
    except (JoseError, ValueError, TypeError) as exc:
        # Forged, tampered with, made with another key, or not a token at all: all the same to us.
        raise InvalidToken("not sealed with our key") from exc
    current = time.time() if now is None else now
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or current > exp + LEEWAY:
        raise InvalidToken("expired")
    iat = claims.get("iat")
    if not isinstance(iat, (int, float)) or iat > current + LEEWAY:
        raise InvalidToken("issued in the future")
    if claims.get("aud") != audience:
        raise InvalidToken("meant for another audience")
    if claims.get("iss") != ISSUER:
        raise InvalidToken("issued by someone else")
    try:
        number = identifiers.validate(claims.get("sub") or "")
    except identifiers.ValidationError as exc:
        raise InvalidToken("no valid national number") from exc
    private = claims.get(PRIVATE_CLAIM)
    return number, private if isinstance(private, dict) else {}
