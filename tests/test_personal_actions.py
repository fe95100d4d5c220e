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


# --- exit options (actions/exit_options.py) --------------------------------------------------------

from actions.exit_options import ActionChooseExitOption, ActionRegisterExitChoice  # noqa: E402
from actions.knowledge_answers import ActionAnswerKnowledge  # noqa: E402
from groupinsurance.models import ExitChoice  # noqa: E402

KARIM = demo_data.PERSONS["karim"].national_number


def exit_question(identity, language="nl"):
    t = tracker("wat kan ik met mijn reserves doen nu ik vertrokken ben?", identity, language=language, intent="conditions")
    t.latest_message["response_selector"] = {"default": {"ranking": [
        {"intent_response_key": "conditions/exit_options", "confidence": 0.9}]}}
    return t


def test_exit_question_logged_in_with_an_exit_gives_the_own_options():
    messages, _ = run(ActionAnswerKnowledge(), exit_question(token_for(KARIM)))
    assert "530/200105 (werkgeversbijdragen): verworven reserves € 6.420,15." in messages[0]["text"].replace("\xa0", " ")
    assert "onthaalstructuur (art. 23)" in messages[0]["text"]
    assert messages[1]["custom"]["source"] == {"kind": "article", "id": "15.1"}


@pytest.mark.parametrize("identity", [None, "forged", "expired"])
def test_exit_question_without_a_valid_token_is_general_with_a_login_link(identity):
    if identity == "expired":
        identity = token_for(KARIM, ttl=60, now=time.time() - 3600)
    messages, _ = run(ActionAnswerKnowledge(), exit_question(identity))
    assert "530/" not in messages[0]["text"] and "6.420,15" not in messages[0]["text"]
    assert messages[-1]["response"] == "utter_login_for_own_situation"


def test_exit_question_without_an_exit_on_record_says_so():
    messages, _ = run(ActionAnswerKnowledge(), exit_question(token_for(demo_data.PERSONS["an"].national_number)))
    assert messages[0]["text"].startswith("Ik vind geen uittreding")


def choose(identity, contract_number, option=None):
    entities = [{"entity": "contract_number", "value": contract_number}]
    if option:
        entities.append({"entity": "exit_option", "value": option})
    t = tracker("/choose_exit_option", identity, intent="choose_exit_option")
    t.latest_message["entities"] = entities
    return run(ActionChooseExitOption(), t)


def test_choosing_asks_for_a_confirmation_and_yes_registers(session_factory):
    messages, events = choose(token_for(KARIM), "530/200106", "continue_personally")
    assert "Zal ik deze keuze doorgeven?" in messages[0]["text"]
    assert slot(events, "exit_choice_pending") is True
    slots = {"exit_choice_pending": True, "exit_contract": "530/200106", "exit_option": "continue_personally"}
    messages, events = run(ActionRegisterExitChoice(), tracker("ja", token_for(KARIM), slots=slots, intent="affirm"))
    assert "referentie EX-" in messages[0]["text"] and slot(events, "exit_choice_pending") is False
    with session_factory() as s:
        assert s.execute(select(ExitChoice.option)).scalars().all() == ["continue_personally"]


def test_a_button_crafted_for_someone_elses_contract_registers_nothing(session_factory):
    messages, _ = choose(token_for(JAN), "530/200105", "keep_unchanged")
    assert "niet bij uw contracten" in messages[0]["text"]
    # Even with the slots forged, the registration checks the token holder's contracts again.
    slots = {"exit_choice_pending": True, "exit_contract": "530/200105", "exit_option": "keep_unchanged"}
    messages, _ = run(ActionRegisterExitChoice(), tracker("ja", token_for(JAN), slots=slots, intent="affirm"))
    assert "niet bij uw contracten" in messages[0]["text"]
    with session_factory() as s:
        assert s.execute(select(ExitChoice)).first() is None


def test_registering_without_a_token_asks_to_log_in(session_factory):
    slots = {"exit_choice_pending": True, "exit_contract": "530/200105", "exit_option": "keep_unchanged"}
    messages, _ = run(ActionRegisterExitChoice(), tracker("ja", None, slots=slots, intent="affirm"))
    assert messages[0]["response"] == "utter_login_needed"
    with session_factory() as s:
        assert s.execute(select(ExitChoice)).first() is None


# --- payout claims (actions/claims.py) -------------------------------------------------------------

from actions.claims import (  # noqa: E402
    ActionAskClaimAnswer,
    ActionClaimFormDone,
    ActionClaimStatus,
    ActionConfirmWithdrawal,
    ActionStartClaim,
    ActionWithdrawClaim,
    ValidateClaimForm,
)
from groupinsurance import claims as claim_domain  # noqa: E402
from groupinsurance.models import Claim  # noqa: E402

PIERRE = demo_data.PERSONS["pierre"].national_number


def answer(text, identity, intent="nlu_fallback", language="fr", private=None):
    token = identity if private is None else identity_token.issue(
        PIERRE, identity_token.derive_key(SECRET), private=private)
    t = tracker(text, token, language=language, intent=intent)
    dispatcher = CollectingDispatcher()
    result = ValidateClaimForm().validate_claim_answer(text, dispatcher, t, {})
    return result, dispatcher.messages


def ask_next(identity, language="fr"):
    return run(ActionAskClaimAnswer(), tracker("", identity, language=language))[0]


def test_a_retirement_claim_step_by_step_then_submitted_once(session_factory):
    pierre = token_for(PIERRE)
    messages, events = run(ActionStartClaim(), tracker("je pars à la retraite", pierre, language="fr", intent="start_claim"))
    assert slot(events, "claim_can_start") is True
    first = ask_next(pierre)[0]
    assert first["text"].startswith("Quels contrats voulez-vous faire payer ?")
    assert [b["payload"] for b in first["buttons"]] == ["530/200103", "530/200104", "tous"]
    assert answer("530/200103", pierre) == ({"claim_answer": None}, [])
    result, messages = answer("le 1er juillet 2025", pierre)  # he is 57 then
    assert "avant vos 60 ans (3 juin 2028)" in messages[0]["text"]
    assert answer("1er juillet 2033", pierre)[0] == {"claim_answer": None}
    assert answer("en capital svp", pierre)[0] == {"claim_answer": None}
    # The IBAN in the text is masked by the web app; the action takes the sealed one.
    result, messages = answer("BE21 **** **** 7803", pierre)
    assert "Je n'ai pas trouvé d'IBAN" in messages[0]["text"]
    result, messages = answer("BE21 **** **** 7804", pierre, private={"ibans": ["BE21001234567804"]})
    assert "Ce n'est pas un IBAN belge valable" in messages[0]["text"]
    answer("BE21 **** **** 7803", pierre, private={"ibans": ["BE21001234567803"]})
    summary = ask_next(pierre)[0]["text"]
    assert "compte : BE21 **** **** 7803" in summary and "0012" not in summary and "capital" in summary
    assert answer("oui", pierre, intent="affirm")[0] == {"claim_answer": "submitted"}
    # A retried confirmation finds the claim submitted and makes no second one.
    done = run(ActionClaimFormDone(), tracker("", pierre, language="fr", slots={"claim_answer": "submitted"}))[0]
    assert "est introduite" in done[0]["text"]
    assert done[1]["custom"]["upload"]["kinds"] == ["identity_card", "proof_of_life", "pension_start_proof"]
    with session_factory() as s:
        [claim] = s.execute(select(Claim)).scalars().all()
        assert (claim.status, claim.iban, claim.payout_form) == ("submitted", "BE21001234567803", "capital")


def test_stopping_keeps_a_draft_that_resumes(session_factory):
    pierre = token_for(PIERRE)
    run(ActionStartClaim(), tracker("", pierre, intent="start_claim"))
    answer("530/200104", pierre)
    result, messages = answer("plus tard", pierre)
    assert result == {"claim_answer": "stopped"} and "brouillon" in messages[0]["text"]
    messages, _ = run(ActionStartClaim(), tracker("reprendre ma demande", pierre, language="fr", intent="start_claim"))
    assert "Vous avez déjà commencé la demande PC-" in messages[0]["text"]
    assert ask_next(pierre)[0]["text"].startswith("À quelle date votre pension légale")


def test_claims_need_a_login_and_status_shows_only_ones_own(session_factory):
    messages, events = run(ActionStartClaim(), tracker("", None, intent="start_claim"))
    assert messages[0]["response"] == "utter_login_needed" and slot(events, "claim_can_start") is False
    with session_factory.begin() as s:
        claim, _ = claim_domain.start_or_resume(s, PIERRE, "retirement")
    messages, _ = run(ActionClaimStatus(), tracker("où en est mon paiement", token_for(JAN), language="fr"))
    assert "Vous n'avez aucune demande de paiement" in messages[0]["text"]
    messages, _ = run(ActionClaimStatus(), tracker("où en est mon paiement", token_for(PIERRE), language="fr"))
    assert "brouillon, pas encore introduite" in messages[0]["text"]


def test_a_death_claim_shows_nothing_of_the_deceased(session_factory):
    widow = demo_data.national_number(datetime.date(1970, 1, 5), 22)  # not insured here
    token = token_for(widow)
    messages, _ = run(ActionStartClaim(), tracker("mon mari est décédé", token, language="fr", intent="report_death"))
    assert "Toutes nos condoléances" in messages[0]["text"] and "12.2" in messages[0]["text"]
    assert messages[0]["buttons"] == [{"title": "Parler à un collaborateur", "payload": "/request_human"}]
    assert ask_next(token)[0]["text"] == "À quelle date l'affilié est-il décédé ?"
    t = tracker("le 3 novembre 2026", token, language="fr")
    ValidateClaimForm().validate_claim_answer("le 3 novembre 2026", CollectingDispatcher(), t, {})
    t = tracker("BE21 **** **** 7803", identity_token.issue(widow, identity_token.derive_key(SECRET),
                                                            private={"ibans": ["BE21001234567803"]}), language="fr")
    ValidateClaimForm().validate_claim_answer("BE21 **** **** 7803", CollectingDispatcher(), t, {})
    summary = ask_next(token)[0]["text"]
    assert "décès de l'affilié le 3 novembre 2026" in summary and "530/" not in summary and "€" not in summary
    t = tracker("oui", token, language="fr", intent="affirm")
    assert ValidateClaimForm().validate_claim_answer("oui", CollectingDispatcher(), t, {}) == {"claim_answer": "submitted"}
    done, events = run(ActionClaimFormDone(), tracker("", token, language="fr", slots={"claim_answer": "submitted"}))
    assert "vous ne verrez pas ici les données des contrats" in done[0]["text"] and "530/" not in done[0]["text"]
    # A death claim always goes to a colleague: handed off, and paused in Rasa.
    assert done[-1]["custom"]["source"] == {"kind": "handoff", "reason": "death_claim"}
    assert {"event": "pause", "timestamp": None} in events


def test_withdrawal_asks_then_withdraws_only_ones_own(session_factory):
    with session_factory.begin() as s:
        claim, _ = claim_domain.start_or_resume(s, PIERRE, "retirement")
        reference = claim.reference
    messages, events = run(ActionWithdrawClaim(), tracker("annuler ma demande", token_for(PIERRE), language="fr",
                                                          intent="withdraw_claim"))
    assert reference in messages[0]["text"] and slot(events, "withdraw_pending") is True
    slots = {"withdraw_pending": True, "withdraw_reference": reference}
    messages, _ = run(ActionConfirmWithdrawal(), tracker("oui", token_for(JAN), language="fr", intent="affirm", slots=slots))
    assert "Je ne trouve pas cette demande" in messages[0]["text"]  # Jan cannot withdraw Pierre's
    messages, _ = run(ActionConfirmWithdrawal(), tracker("oui", token_for(PIERRE), language="fr", intent="affirm", slots=slots))
    assert "est retirée" in messages[0]["text"]
    with session_factory() as s:
        assert s.execute(select(Claim.status)).scalar_one() == "withdrawn"


def test_a_typed_reference_chooses_the_claim_to_withdraw(session_factory):
    with session_factory.begin() as s:
        claim, _ = claim_domain.start_or_resume(s, PIERRE, "retirement")
        reference = claim.reference
    typed = f"je veux retirer ma demande {reference.lower().replace('-', ' ')}"
    messages, events = run(ActionWithdrawClaim(), tracker(typed, token_for(PIERRE), language="fr", intent="withdraw_claim"))
    assert reference in messages[0]["text"] and slot(events, "withdraw_reference") == reference
    # A reference that is not one of his: refused, not silently replaced by his own open claim.
    other = "PC-" + ("7K3Q9M" if reference != "PC-7K3Q9M" else "8K3Q9M")
    messages, events = run(ActionWithdrawClaim(), tracker(f"annuler {other}", token_for(PIERRE), language="fr",
                                                          intent="withdraw_claim"))
    assert "Je ne trouve pas cette demande" in messages[0]["text"] and reference not in messages[0]["text"]
    assert slot(events, "withdraw_pending") is False
