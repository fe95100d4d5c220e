"""Ending logins on the server (groupinsurance.logins)."""
import datetime

from sqlalchemy import func, select

from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from groupinsurance import logins
from groupinsurance.models import EndedLogin

NOW = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.timezone.utc)


def test_an_ended_login_stays_ended_and_ending_twice_is_harmless(session_factory):
    login_id = logins.new_login_id()
    with session_factory.begin() as s:
        assert not logins.is_ended(s, login_id)
        logins.end(s, login_id, NOW)
        logins.end(s, login_id, NOW)
    with session_factory() as s:
        assert logins.is_ended(s, login_id)
        assert not logins.is_ended(s, logins.new_login_id())
        assert s.execute(select(func.count()).select_from(EndedLogin)).scalar_one() == 1


def test_a_session_without_a_login_id_counts_as_ended(session_factory):
    with session_factory() as s:
        assert logins.is_ended(s, None) and logins.is_ended(s, "")


def test_ended_logins_are_forgotten_once_no_cookie_can_still_carry_them(session_factory):
    old, recent = logins.new_login_id(), logins.new_login_id()
    with session_factory.begin() as s:
        logins.end(s, old, NOW - logins.MAX_LOGIN - datetime.timedelta(minutes=1))
        logins.end(s, recent, NOW)
    with session_factory() as s:
        assert s.execute(select(EndedLogin.login_id)).scalars().all() == [recent]


def test_login_ids_are_long_and_random():
    ids = {logins.new_login_id() for _ in range(1000)}
    assert len(ids) == 1000 and min(len(i) for i in ids) >= 32
