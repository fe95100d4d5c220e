"""Changing the private e-mail address and the document language (FAQ 8): parsing, storing, outbox,
and the nightly import keeping what the person set until the export agrees."""
import datetime

import pytest
from sqlalchemy import select

from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from groupinsurance import demo_data, profile
from groupinsurance.importer import import_text
from groupinsurance.models import OutboxMessage, Person

TODAY = datetime.date(2026, 11, 22)
JAN = demo_data.PERSONS["jan"].national_number
AN = demo_data.PERSONS["an"].national_number  # no private e-mail in the demo export


@pytest.fixture
def demo(session_factory):
    demo_data.load_if_empty(session_factory, TODAY)
    return session_factory


@pytest.mark.parametrize("text, expected", [
    ("jan@example.org", "jan@example.org"),
    ("Mijn nieuw adres is Jan.Peeters@Example.ORG, dank u", "Jan.Peeters@example.org"),
    ("c'est marie.dubois@exemple.be.", "marie.dubois@exemple.be"),
    ("<an@example.com>", "an@example.com"),
])
def test_an_address_is_found_in_a_sentence(text, expected):
    assert profile.parse_email(text) == expected


@pytest.mark.parametrize("text, reason", [
    ("", "no @-sign"),
    ("ja graag", "no @-sign"),
    ("jan@example", "period"),
    ("jan@@example.org", ""),
    ("jan@example.org of an@example.org", "more than one"),
    ("jan peeters@example .org", ""),
])
def test_no_usable_address(text, reason):
    with pytest.raises(profile.InvalidEmail) as raised:
        profile.parse_email(text)
    assert reason.lower() in raised.value.reason.lower()


@pytest.mark.parametrize("text, expected", [
    ("Frans", "fr"), ("in het Frans graag", "fr"), ("français", "fr"), ("en francais svp", "fr"), ("FR", "fr"),
    ("Nederlands", "nl"), ("néerlandais", "nl"), ("het Nederlands alstublieft", "nl"), ("NL", "nl"),
    ("Nederlands of Frans?", None), ("Duits", None), ("", None), ("ja", None),
])
def test_language_names(text, expected):
    assert profile.parse_language(text) == expected


def test_a_new_private_email_is_stored_and_a_confirmation_queued(demo):
    with demo.begin() as s:
        change = profile.change_private_email(s, JAN, "jan.nieuw@example.org")
    assert change.changed and change.old_value == "jan.peeters@home.example"
    with demo() as s:
        person = s.execute(select(Person).where(Person.national_number == JAN)).scalar_one()
        assert person.private_email == "jan.nieuw@example.org"
        assert person.private_email_set_by_person_at is not None
        [message] = s.execute(select(OutboxMessage)).scalars().all()
    assert message.recipient == "jan.nieuw@example.org"
    assert message.language == "nl" and message.sent_at is None
    assert "privé e-mailadres" in message.subject and message.body.startswith("Beste Jan,")


def test_the_same_address_again_changes_nothing(demo):
    with demo.begin() as s:
        change = profile.change_private_email(s, JAN, "JAN.PEETERS@home.example")
    assert not change.changed
    with demo() as s:
        assert s.execute(select(OutboxMessage)).first() is None


def test_an_invalid_address_changes_nothing(demo):
    with pytest.raises(profile.InvalidEmail):
        with demo.begin() as s:
            profile.change_private_email(s, JAN, "jan@example")
    with demo() as s:
        assert s.execute(select(Person.private_email).where(Person.national_number == JAN)).scalar_one() \
            == "jan.peeters@home.example"


def test_someone_the_insurer_does_not_know(demo):
    unknown = demo_data.national_number(datetime.date(1950, 1, 1), 11)
    with pytest.raises(profile.PersonNotFound):
        with demo.begin() as s:
            profile.change_private_email(s, unknown, "x@example.org")


def test_the_document_language_changes_with_a_confirmation_in_the_new_language(demo):
    with demo.begin() as s:
        change = profile.change_language(s, JAN, "fr")
    assert (change.old_value, change.new_value, change.changed) == ("nl", "fr", True)
    with demo() as s:
        [message] = s.execute(select(OutboxMessage)).scalars().all()
        assert s.execute(select(Person.language).where(Person.national_number == JAN)).scalar_one() == "fr"
    assert message.language == "fr" and message.body.startswith("Bonjour Jan,") and "en français" in message.body


def test_without_any_address_the_language_still_changes(demo):
    with demo.begin() as s:
        s.execute(select(Person).where(Person.national_number == AN)).scalar_one().business_email = None
        change = profile.change_language(s, AN, "fr")
    assert change.changed
    with demo() as s:
        assert s.execute(select(OutboxMessage)).first() is None


def test_the_nightly_import_keeps_what_the_person_set_until_the_export_agrees(demo):
    with demo.begin() as s:
        profile.change_language(s, JAN, "fr")
        profile.change_private_email(s, JAN, "jan.nieuw@example.org")
    export = demo_data.demo_csv(TODAY)  # still says nl and the old address

    import_text(export, demo)
    with demo() as s:
        jan = s.execute(select(Person).where(Person.national_number == JAN)).scalar_one()
        assert (jan.language, jan.private_email) == ("fr", "jan.nieuw@example.org")

    # The back office took the change over: the export now agrees, and the export is in charge again.
    agreed = export.replace("Jan,Peeters,nl", "Jan,Peeters,fr").replace("jan.peeters@home.example", "jan.nieuw@example.org")
    import_text(agreed, demo)
    with demo() as s:
        jan = s.execute(select(Person).where(Person.national_number == JAN)).scalar_one()
        assert jan.language_set_by_person_at is None and jan.private_email_set_by_person_at is None
    import_text(export, demo)  # a later change by the back office applies again
    with demo() as s:
        jan = s.execute(select(Person).where(Person.national_number == JAN)).scalar_one()
        assert (jan.language, jan.private_email) == ("nl", "jan.peeters@home.example")
