"""The chat API around a handoff, with a fake Rasa: escalation puts the conversation in the queue, the
person's next messages wait for a colleague instead of going to the model, the transcript is masked."""
import datetime

import pytest

from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from fake_rasa import FakeRasa, echo_or_hand_off
from groupinsurance import demo_data, identifiers
from groupinsurance.models import Conversation
from web import create_app

CONVERSATION = "c0ffee00c0ffee00c0ffee00c0ffee00"
JAN = demo_data.PERSONS["jan"].national_number
MARIE = demo_data.PERSONS["marie"].national_number
MONDAY_10H = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.timezone.utc)
SUNDAY = datetime.datetime(2026, 11, 22, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture
def rasa():
    with FakeRasa() as fake:
        fake.reply = echo_or_hand_off
        yield fake


@pytest.fixture
def client(rasa, database_url, session_factory, tmp_path):
    demo_data.load_if_empty(session_factory)
    app = create_app({"TESTING": True, "RASA_URL": rasa.url, "DATABASE_URL": database_url,
                      "IDENTITY_TOKEN_SECRET": "handoff tests' identity secret, long enough",
                      "TRANSLATIONS_BUILD_DIR": str(tmp_path / "t")})
    return app.test_client()


def chat(client, message, conversation_id=CONVERSATION):
    return client.post("/api/chat", json={"conversation_id": conversation_id, "message": message, "lang": "nl"})


def test_escalation_queues_the_conversation_and_the_model_stops_answering(client, rasa, session_factory, monkeypatch):
    monkeypatch.setattr("web.chat_api.utcnow", lambda: MONDAY_10H)
    chat(client, "hallo")
    reply = chat(client, "/request_human").get_json()
    assert reply["messages"][0] == {"text": "Ik geef u door aan een collega.", "source": {"kind": "handoff"}}
    assert "Huidige wachttijd: ongeveer 4 minuten" in reply["messages"][1]["text"]
    assert {k: reply["handoff"][k] for k in ("state", "open", "wait_minutes")} == {"state": "waiting", "open": True, "wait_minutes": 4}
    assert isinstance(reply["handoff"]["after"], int)  # the widget polls for colleagues' replies after it
    forwarded = len(rasa.requests)
    later = chat(client, "is er al iemand?").get_json()
    assert later["messages"] == [] and later["handoff"]["state"] == "waiting"
    assert later["handoff"]["after"] > reply["handoff"]["after"]
    assert len(rasa.requests) == forwarded  # not sent to the model
    with session_factory() as s:
        record = s.get(Conversation, CONVERSATION)
        assert (record.state, record.reason) == ("waiting", "request_human")
        assert [(m.author, m.text) for m in record.messages] == [
            ("person", "hallo"), ("assistant", "echo: hallo"), ("person", "/request_human"),
            ("assistant", "Ik geef u door aan een collega."), ("system", reply["messages"][1]["text"]),
            ("person", "is er al iemand?")]


def test_outside_opening_hours_the_person_is_told_and_nothing_is_lost(client, monkeypatch, session_factory):
    monkeypatch.setattr("web.chat_api.utcnow", lambda: SUNDAY)
    reply = chat(client, "/request_human").get_json()
    assert reply["handoff"]["open"] is False
    assert reply["messages"][1]["text"].startswith("We zijn nu gesloten") and "niets van wat u schreef gaat verloren" in reply["messages"][1]["text"]
    chat(client, "ik laat mijn vraag hier: mijn rekening BE21 0012 3456 7803 klopt niet")
    with session_factory() as s:
        last = s.get(Conversation, CONVERSATION).messages[-1]
    assert last.author == "person" and "BE21 **** **** 7803" in last.text and "0012" not in last.text


def test_a_logged_in_persons_conversation_is_theirs_only(client):
    client.post("/auth/test-login", data={"national_number": JAN})
    assert chat(client, f"mijn nummer is {identifiers.format(JAN)}").status_code == 200
    client.post("/auth/test-login", data={"national_number": MARIE})
    refused = chat(client, "hallo")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_your_conversation"
    assert chat(client, "hallo", conversation_id="d0d0d0d0d0d0d0d0").status_code == 200
