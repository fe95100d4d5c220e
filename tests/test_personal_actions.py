"""The actions that show or change personal data, run as the action server runs them.

The identity comes only from the token in the latest message's metadata: missing, forged, expired
or for another audience means no data and the login message; a number typed in the message changes
nothing.
"""
import datetime
import time

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from actions import common
from actions.contracts import ActionShowContracts
from actions.profile import ActionCheckIdentity, ActionSaveDocumentLanguage, ActionSavePrivateEmail, ValidateEmailForm
from groupinsurance import demo_data, identifiers, identity_token
from groupinsurance.models import OutboxMessage, Person

SECRET = "the action tests' identity secret, long enough"
JAN = demo_data.PERSONS["jan"].national_number
MARIE = demo_data.PERSONS["marie"].national_number
ELS = demo_data.PERSONS["els"].national_number


@pytest.fixture(autouse=True)
def action_server(monkeypatch, database_url, session_factory):
    """What the action server would have: the database and the secret, from the environment."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("IDENTITY_TOKEN_SECRET", SECRET)
    common.identity_key.cache_clear()
    common.sessions.cache_clear()
    demo_data.load_if_empty(session_factory)
    yield
    common.identity_key.cache_clear()
    common.sessions.cache_clear()


def token_for(number, secret=SECRET, **kwargs):
    return identity_token.issue(number, identity_token.derive_key(secret), **kwargs)


def tracker(text="", identity=None, language="nl", slots=None, intent="contract_status"):
    metadata = {"lang": language}
    if identity is not None:
        metadata["identity"] = identity
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": [], "metadata": metadata}
    all_slots = {"language": language, "logged_in": False}
    all_slots.update(slots or {})
    return Tracker("someone", all_slots, latest, [], False, None, {}, "action_listen")


def run(action, t):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, t, {})
    return dispatcher.messages, events


def slot(events, name):
    return next(e["value"] for e in events if e.get("event") == "slot" and e["name"] == name)


def test_logged_in_person_sees_their_own_contracts():
    messages, events = run(ActionShowContracts(), tracker("wat is de status van mijn groepsverzekering?", token_for(JAN)))
    assert "530/100001" in messages[0]["text"] and "Brouwerij De Klok NV" in messages[0]["text"]
    assert slot(events, "logged_in") is True


def test_french_overview():
    messages, _ = run(ActionShowContracts(), tracker("mes contrats", token_for(MARIE), language="fr"))
    assert messages[0]["text"].startswith("Vos contrats d'assurance de groupe au")


@pytest.mark.parametrize("identity", [
    None,
    "",
    "forged.token.that.is.nonsense",
    pytest.param("other-key", id="sealed with another secret"),
    pytest.param("expired", id="expired"),
    pytest.param("web-session", id="the web session's token, not meant for the action server"),
])
def test_no_valid_token_means_no_data_and_a_login_message(identity):
    if identity == "other-key":
        identity = token_for(JAN, secret="an attacker's guess at the secret, long enough")
    elif identity == "expired":
        identity = token_for(JAN, ttl=60, now=time.time() - 3600)
    elif identity == "web-session":
        identity = token_for(JAN, audience="groupinsurance-web-session")
    messages, events = run(ActionShowContracts(), tracker("toon mijn contracten", identity))
    assert [m.get("response") for m in messages] == ["utter_login_needed"]
    assert not any("530/" in (m.get("text") or "") for m in messages)
    assert slot(events, "logged_in") is False


def test_a_number_typed_in_the_chat_changes_nothing():
    typed = f"toon de contracten van {identifiers.format(MARIE)}"
    messages, _ = run(ActionShowContracts(), tracker(typed, token_for(JAN)))
    assert "Brouwerij De Klok NV" in messages[0]["text"]  # Jan's
    assert "Boulangerie Lemaire SA" not in messages[0]["text"]  # not Marie's
    messages, _ = run(ActionShowContracts(), tracker(typed, None))
    assert [m.get("response") for m in messages] == ["utter_login_needed"]


def test_nothing_visible_explains_faq_9_with_its_source():
    messages, _ = run(ActionShowContracts(), tracker("mijn contracten", token_for(ELS)))
    assert "rijksregister- of BIS-nummer" in messages[0]["text"]
    assert messages[1]["custom"] == {"source": {"kind": "faq", "id": "9"}}


def test_check_identity_sets_the_slot_rules_branch_on():
    assert slot(run(ActionCheckIdentity(), tracker("", token_for(JAN)))[1], "logged_in") is True
    assert slot(run(ActionCheckIdentity(), tracker("", "garbage"))[1], "logged_in") is False


def test_the_email_form_explains_a_bad_address_and_asks_again():
    dispatcher = CollectingDispatcher()
    result = ValidateEmailForm().validate_new_private_email("jan@example", dispatcher, tracker(), {})
    assert result == {"new_private_email": None}
    assert dispatcher.messages[0]["response"] == "utter_invalid_email"
    result = ValidateEmailForm().validate_new_private_email("ja: jan@example.org", CollectingDispatcher(), tracker(), {})
    assert result == {"new_private_email": "jan@example.org"}


def test_saving_a_confirmed_address_stores_it_for_the_token_holder(session_factory):
    slots = {"new_private_email": "jan.nieuw@example.org", "profile_confirmed": True}
    messages, events = run(ActionSavePrivateEmail(), tracker("ja", token_for(JAN), slots=slots, intent="affirm"))
    assert messages[0]["response"] == "utter_private_email_changed"
    assert slot(events, "new_private_email") is None and slot(events, "profile_confirmed") is None
    with session_factory() as s:
        assert s.execute(select(Person.private_email).where(Person.national_number == JAN)).scalar_one() \
            == "jan.nieuw@example.org"
        assert s.execute(select(OutboxMessage.recipient)).scalars().all() == ["jan.nieuw@example.org"]


def test_a_token_that_expired_during_the_form_saves_nothing(session_factory):
    slots = {"new_private_email": "jan.nieuw@example.org", "profile_confirmed": True}
    expired = token_for(JAN, ttl=60, now=time.time() - 3600)
    messages, _ = run(ActionSavePrivateEmail(), tracker("ja", expired, slots=slots, intent="affirm"))
    assert messages[0]["response"] == "utter_login_needed"
    with session_factory() as s:
        assert s.execute(select(OutboxMessage)).first() is None


def test_a_declined_confirmation_saves_nothing(session_factory):
    slots = {"document_language": "fr", "profile_confirmed": False}
    messages, _ = run(ActionSaveDocumentLanguage(), tracker("nee", token_for(JAN), slots=slots, intent="deny"))
    assert messages[0]["response"] == "utter_profile_cancelled"
    with session_factory() as s:
        assert s.execute(select(Person.language).where(Person.national_number == JAN)).scalar_one() == "nl"


def test_the_language_already_set_is_reported_unchanged():
    slots = {"document_language": "fr", "profile_confirmed": True}
    messages, _ = run(ActionSaveDocumentLanguage(), tracker("oui", token_for(MARIE), slots=slots, intent="affirm"))
    assert messages[0]["response"] == "utter_profile_unchanged"


def test_someone_logged_in_whom_the_insurer_does_not_know():
    stranger = demo_data.national_number(datetime.date(1950, 1, 1), 11)
    slots = {"document_language": "fr", "profile_confirmed": True}
    messages, _ = run(ActionSaveDocumentLanguage(), tracker("ja", token_for(stranger), slots=slots, intent="affirm"))
    assert messages[0]["response"] == "utter_person_unknown"
