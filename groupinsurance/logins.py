"""Ending logins on the server: after a logout, the session cookie is worthless, even a copy of it.

Flask's session lives in a signed cookie, so a logout only asks the browser to forget it. Each login
gets a random id (in the cookie); a logout records that id here, and every request checks it.
"""
from __future__ import annotations

import datetime
import secrets
from typing import Optional

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from groupinsurance.models import EndedLogin, utcnow

# Longer than any login can last (employees: 12 h at most; staff: idle limit, renewed while active);
# after that an ended login's id is forgotten, its cookie having expired anyway.
MAX_LOGIN = datetime.timedelta(hours=24)


def new_login_id() -> str:
    """A random id for a new login (192 bits: not guessable)."""
    return secrets.token_urlsafe(24)


def end(session: Session, login_id: Optional[str], now: Optional[datetime.datetime] = None) -> None:
    """Records that `login_id` ended; idempotent. Forgets ids old enough to have expired anyway."""
    now = now or utcnow()
    session.execute(delete(EndedLogin).where(EndedLogin.forget_after < now))
    if not login_id or is_ended(session, login_id):
        return
    session.add(EndedLogin(login_id=login_id, ended_at=now, forget_after=now + MAX_LOGIN))


def is_ended(session: Session, login_id: Optional[str]) -> bool:
    """True for a login that was ended, and for a session without a login id (from before this check)."""
    if not login_id:
        return True
    return session.execute(select(EndedLogin.login_id).where(EndedLogin.login_id == login_id)).first() is not None
