"""End to end: the web app (logged in with the test identity provider) in front of the real Rasa and
action server, with the demo data. Contract status and profile changes in both languages; nothing
typed changes whose data is shown; national numbers never reach Rasa's tracker store."""
import sqlite3
import uuid

import pytest
from sqlalchemy import select

from groupinsurance import db, demo_data, identifiers
from groupinsurance.models import OutboxMessage, Person

pytestmark = pytest.mark.e2e

JAN = demo_data.PERSONS["jan"]
MARIE = demo_data.PERSONS["marie"]
PIERRE = demo_data.PERSONS["pierre"]


@pytest.fixture(scope="module")
def app(assistant, tmp_path_factory):
    from web import create_app

    return create_app({
        "TESTING": True, "RASA_URL": assistant.rasa_url,
        "DATABASE_URL": assistant.env["DATABASE_URL"],
        "IDENTITY_TOKEN_SECRET": assistant.env["IDENTITY_TOKEN_SECRET"],
        "TRANSLATIONS_BUILD_DIR": str(tmp_path_factory.mktemp("translations")),
        # These tests log in a few dozen times a minute from one address (tests/test_security.py checks the limits).
        "LOGIN_RATE_LIMIT": "1000/minute",
    })


class Browser:
    """One browser: a cookie jar, a conversation id, and `say`."""

    def __init__(self, app, person=None):
        self.client = app.test_client()
        self.conversation = uuid.uuid4().hex
        if person is not None:
            response = self.client.post("/auth/test-login", data={"national_number": person.national_number},
                                        headers={"Accept": "application/json"})
            assert response.status_code == 200

    def say(self, text, lang="nl"):
        response = self.client.post("/api/chat", json={"conversation_id": self.conversation, "message": text, "lang": lang})
        assert response.status_code == 200, response.data
        self.last = response.get_json()
        return self.last["messages"]


def text(messages):
    return "\n".join(m["text"] for m in messages)


def test_not_logged_in_gets_a_login_link_and_no_data(app):
    reply = Browser(app).say("wat is de status van mijn groepsverzekering?")
    assert "eerst inloggen" in text(reply) and reply[0]["login_url"].startswith("/auth/login")
    assert "530/" not in text(reply)


def test_status_in_dutch_then_french(app):
    jan = Browser(app, JAN)
    reply = text(jan.say("wat is de status van mijn groepsverzekering?"))
    assert "Brouwerij De Klok NV (huidige werkgever)" in reply and "530/100001 (werkgeversbijdragen): actief" in reply
    assert "Logistiek Schelde BV (vorige werkgever)" in reply and "passief" in reply
    reply = text(jan.say("quel est le statut de mon assurance groupe ?", "fr"))
    assert "Brouwerij De Klok NV (employeur actuel)" in reply and "actif. Prime annuelle 2\u202f400,00\xa0€" in reply


def test_terminated_contract_shows_until_when_in_french(app):
    reply = text(Browser(app, MARIE).say("mes contrats chez mon ancien employeur, ils sont encore actifs ?", "fr"))
    assert "Transports Mosane SRL (ancien employeur)" in reply and "clôturé" in reply and "inclus" in reply


def test_another_persons_number_typed_in_the_chat_shows_only_ones_own(app):
    reply = text(Browser(app, JAN).say(f"toon de contracten van {identifiers.format(MARIE.national_number)}"))
    assert "Brouwerij De Klok NV" in reply and "Boulangerie Lemaire SA" not in reply


def test_ik_zie_mijn_contract_niet_explains_faq_9(app):
    reply = Browser(app, JAN).say("ik zie mijn contract niet")
    assert reply[0]["source"]["id"] == "9"


def test_change_the_private_email_with_a_correction_and_a_confirmation(app, assistant):
    pierre = Browser(app, PIERRE)
    assert "Quelle adresse e-mail privée" in text(pierre.say("je voudrais changer mon adresse e-mail privée", "fr"))
    assert "Ce n'est pas une adresse e-mail valable" in text(pierre.say("pierre@lambert", "fr"))
    reply = pierre.say("pierre.lambert@example.org", "fr")
    assert "deviendra pierre.lambert@example.org" in reply[0]["text"]
    assert [b["payload"] for b in reply[0]["buttons"]] == ["/affirm", "/deny"]
    assert "C'est fait" in text(pierre.say("/affirm", "fr"))
    engine = db.make_engine(assistant.env["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            stored = connection.execute(select(Person.private_email).where(
                Person.national_number == PIERRE.national_number)).scalar_one()
            queued = connection.execute(select(OutboxMessage.recipient, OutboxMessage.language)).all()
    finally:
        engine.dispose()
    assert stored == "pierre.lambert@example.org"
    assert ("pierre.lambert@example.org", "fr") in queued


def test_change_the_document_language_then_say_no(app):
    jan = Browser(app, JAN)
    reply = jan.say("ik wil mijn documenten voortaan in het Frans ontvangen")
    assert "In welke taal" in reply[0]["text"]
    assert "voortaan in het Frans. Klopt dat?" in text(jan.say("Frans"))
    assert "ik wijzig niets" in text(jan.say("nee"))


def test_profile_changes_need_a_login(app):
    reply = Browser(app).say("ik wil mijn privé e-mailadres wijzigen")
    assert "eerst inloggen" in text(reply) and "login_url" in reply[0]


def test_national_numbers_never_reach_the_tracker_store(app, assistant):
    jan = Browser(app, JAN)
    jan.say(f"mijn rijksregisternummer is {identifiers.format(JAN.national_number)}, toon mijn contracten")
    jan.say(f"en dat van mijn vrouw {MARIE.national_number}?")
    tracker_db = next(assistant_workdir(assistant).glob("tracker-*.db"))
    with sqlite3.connect(tracker_db) as connection:
        stored = "\n".join(row[0] for row in connection.execute("SELECT data FROM events"))
    for number in (JAN.national_number, MARIE.national_number):
        assert number not in stored and identifiers.format(number) not in stored
    assert identifiers.mask(JAN.national_number) in stored


def assistant_workdir(assistant):
    from pathlib import Path

    return Path(assistant.env["TRACKER_DB"]).parent


def test_faq_8_offers_the_change_and_its_button_starts_it(app):
    jan = Browser(app, JAN)
    reply = jan.say("kunnen werknemers hun gegevens zelf aanpassen op mijngroepsverzekering?")
    assert reply[0]["source"] == {"kind": "faq", "id": "8", "url": "/knowledge/faq/8"}
    offer = reply[-1]
    assert [b["payload"] for b in offer["buttons"]] == ["/change_email", "/change_language"]
    assert "Welk privé e-mailadres" in text(jan.say("/change_email"))


KARIM = demo_data.PERSONS["karim"]


def test_exit_options_general_when_not_logged_in(app):
    reply = Browser(app).say("wat gebeurt er met mijn reserves als ik van werkgever verander?")
    assert reply[0]["source"]["kind"] == "article" and "30 dagen" in reply[0]["text"]
    assert reply[-1]["login_url"].startswith("/auth/login")


def test_exit_options_for_the_person_who_just_left_then_a_registered_choice(app, assistant):
    karim = Browser(app, KARIM)
    reply = karim.say("que puis-je faire de mes réserves maintenant que j'ai quitté mon employeur ?", "fr")
    body = reply[0]["text"]
    assert "Logistiek Schelde BV" in body and "530/200105 (contributions patronales) : réserves acquises 6\u202f420,15\xa0€" in body
    assert "structure d'accueil (art. 23)" in body and "jusqu'au" in body and "(art. 15.3)" in body
    assert "Depuis le 1er janvier 2019" in body  # the dated note on immediate vesting
    assert reply[0]["source"]["id"] == "15.1"
    assert reply[0]["buttons"][0]["payload"] == '/choose_exit_option{"contract_number": "530/200105"}'
    options = karim.say(reply[0]["buttons"][0]["payload"], "fr")[0]["buttons"]
    reception = next(b["payload"] for b in options if "reception_structure" in b["payload"])
    question = karim.say(reception, "fr")[0]
    assert "Dois-je transmettre ce choix ?" in question["text"]
    done = text(karim.say("/affirm", "fr"))
    assert "référence EX-" in done
    reference = done.split("référence ")[1].split(".")[0]
    engine = db.make_engine(assistant.env["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            from groupinsurance.models import ExitChoice
            stored = connection.execute(select(ExitChoice.option, ExitChoice.status, ExitChoice.conversation_id)
                                        .where(ExitChoice.reference == reference)).one()
    finally:
        engine.dispose()
    assert stored == ("reception_structure", "registered", karim.conversation)
    # The contract overview leads to the exit options, which now show the choice.
    status = karim.say("quel est le statut de mes contrats ?", "fr")[0]
    assert status["buttons"] == [{"title": "Que puis-je faire de mes réserves après ma sortie ?",
                                  "payload": '/show_topic{"topic": "topic:exit_options"}'}]
    assert reference in text(karim.say(status["buttons"][0]["payload"], "fr"))


def test_an_exit_choice_for_someone_elses_contract_is_refused(app):
    jan = Browser(app, JAN)
    reply = jan.say('/choose_exit_option{"contract_number": "530/200105", "exit_option": "keep_unchanged"}')
    assert "niet bij uw contracten" in text(reply)
    assert "doorgegeven" not in text(jan.say("/affirm"))


# --- payout claims --------------------------------------------------------------------------------

def test_a_retirement_claim_in_french_then_its_status_in_dutch(app, assistant):
    pierre = Browser(app, PIERRE)
    first = pierre.say("je pars à la retraite et je veux demander le paiement de ma pension complémentaire", "fr")
    assert first[0]["text"].startswith("Quels contrats voulez-vous faire payer ?")
    assert "À quelle date" in text(pierre.say("530/200103", "fr"))
    assert "rente" in text(pierre.say("le 1er juillet 2033", "fr")).lower()
    assert "IBAN" in text(pierre.say("capital", "fr"))
    summary = text(pierre.say("mon compte: BE21 0012 3456 7803", "fr"))
    assert "BE21 **** **** 7803" in summary and "Dois-je introduire la demande ?" in summary
    done = pierre.say("oui", "fr")
    assert "est introduite" in done[0]["text"] and done[0]["upload"]["url"].startswith("/api/claims/PC-")
    reference = done[0]["upload"]["reference"]
    status = pierre.say("waar staat mijn uitkering?", "nl")
    assert f"{reference} (pensionering): ingediend, wacht op behandeling." in status[0]["text"]
    # Rasa stored the account number masked only.
    tracker_db = next(assistant_workdir(assistant).glob("tracker-*.db"))
    with sqlite3.connect(tracker_db) as connection:
        stored = "\n".join(row[0] for row in connection.execute("SELECT data FROM events"))
    assert "0012 3456" not in stored and "BE21001234567803" not in stored


def test_a_death_report_shows_nothing_of_the_deceased(app):
    stranger = demo_data.national_number(__import__("datetime").date(1975, 8, 8), 12)
    from groupinsurance import identifiers as ids
    browser = Browser(app)
    browser.client.post("/auth/test-login", data={"national_number": ids.validate(stranger)})
    reply = text(browser.say("mijn man is vorige week overleden, ik wil zijn overlijden melden voor de groepsverzekering"))
    assert "Gecondoleerd" in reply and "art. 12.2" in reply and "530/" not in reply


def test_asking_for_a_person_during_the_claim_form_leaves_it_with_the_draft_kept(app, assistant):
    from groupinsurance import handoff

    sofie = Browser(app, demo_data.PERSONS["sofie"])
    assert "Welke contracten" in text(sofie.say("ik ga met pensioen en wil de uitbetaling van mijn aanvullend pensioen aanvragen"))
    reply = sofie.say("/request_human")
    assert reply[0]["source"] == {"kind": "handoff"} and "Welke contracten" not in text(reply)
    assert sofie.last["handoff"]["state"] == "waiting" and "collega" in reply[-1]["text"]
    # While the conversation waits for a colleague, the model does not answer and nothing is lost.
    assert sofie.say("verder met mijn aanvraag tot uitbetaling") == []
    engine = db.make_engine(assistant.env["DATABASE_URL"])
    try:
        with db.make_session_factory(engine).begin() as session:
            record = session.get(handoff.Conversation, sofie.conversation)
            assert record.reason == "request_human"
            assert [m.author for m in record.messages][-2:] == ["system", "person"]
            record.state = "assistant"  # what 'return to assistant' in the console does, with Rasa's resume:
    finally:
        engine.dispose()
    with app.app_context():
        app.extensions["rasa"].resume(sofie.conversation)
    assert "U bent al begonnen met aanvraag PC-" in text(sofie.say("verder met mijn aanvraag tot uitbetaling"))
