"""Faults: Rasa or the action server killed mid-conversation, the database lost at start or during a
request, an escalation whose storing fails. The person always gets a clear, retryable answer; nothing
is stored half or twice; everything works again once the failed part is back.

The stack here is this module's own (killing the session's `assistant` would break other tests).
"""
import subprocess
import sys
import uuid

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from groupinsurance import db, demo_data, handoff
from groupinsurance.models import Conversation, ConversationMessage
from tools import services, stack

pytestmark = pytest.mark.e2e

JAN = demo_data.PERSONS["jan"]


@pytest.fixture(scope="module")
def faulty_stack(tmp_path_factory):
    with stack.running_demo_stack(tmp_path_factory.mktemp("fault-stack"), "faults-" + "y" * 40) as running:
        yield running


@pytest.fixture(scope="module")
def app(faulty_stack, tmp_path_factory):
    from web import create_app

    return create_app({
        "TESTING": True, "RASA_URL": faulty_stack.rasa_url, "RASA_TOKEN": faulty_stack.env["RASA_TOKEN"],
        "DATABASE_URL": faulty_stack.env["DATABASE_URL"],
        "IDENTITY_TOKEN_SECRET": faulty_stack.env["IDENTITY_TOKEN_SECRET"],
        "TRANSLATIONS_BUILD_DIR": str(tmp_path_factory.mktemp("translations")),
        "RASA_TIMEOUT": 30.0, "LOGIN_RATE_LIMIT": "1000/minute",
    })


@pytest.fixture
def restore(faulty_stack):
    """Whatever a test kills is running again afterwards."""
    yield
    for service in faulty_stack.services.values():
        if service.process is None or service.process.poll() is not None:
            service.start()
            service.wait_ready()


def send(client, conversation_id, text, lang="nl"):
    return client.post("/api/chat", json={"conversation_id": conversation_id, "message": text, "lang": lang})


def user_texts(faulty_stack, conversation_id):
    events = requests.get(f"{faulty_stack.rasa_url}/conversations/{conversation_id}/tracker",
                          params={"token": faulty_stack.env["RASA_TOKEN"]}, timeout=10).json()["events"]
    return [e["text"] for e in events if e["event"] == "user"]


def stored(app, model, conversation_id):
    engine = db.make_engine(app.config["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            column = model.conversation_id if model is ConversationMessage else model.id
            return connection.execute(select(func.count()).select_from(model).where(column == conversation_id)).scalar_one()
    finally:
        engine.dispose()


def test_rasa_killed_mid_conversation_then_restarted(app, faulty_stack, restore):
    client, conversation = app.test_client(), uuid.uuid4().hex
    first = send(client, conversation, "Qu'est-ce qu'une avance sur police ?", "fr")
    assert first.status_code == 200 and first.get_json()["messages"]

    faulty_stack.services["rasa"].kill()
    down = send(client, conversation, "Et la mise en gage du contrat ?", "fr")
    assert down.status_code == 503
    error = down.get_json()["error"]
    assert error["retryable"] is True and "pas disponible" in error["message"]
    assert "Traceback" not in down.get_data(as_text=True)

    faulty_stack.restart("rasa")
    retried = send(client, conversation, "Et la mise en gage du contrat ?", "fr")
    assert retried.status_code == 200 and retried.get_json()["messages"]
    # The history survived the crash (the tracker store is on disk), and the failed message was never
    # half-processed: each message is in the tracker once.
    assert user_texts(faulty_stack, conversation) == [
        "Qu'est-ce qu'une avance sur police ?", "Et la mise en gage du contrat ?"]


def test_action_server_killed_then_restarted(app, faulty_stack, restore):
    client, conversation = app.test_client(), uuid.uuid4().hex
    assert send(client, conversation, "Wat is een voorschot op mijn groepsverzekering?").status_code == 200

    faulty_stack.services["actions"].kill()
    failed = send(client, conversation, "Kan ik mijn contract in pand geven?")
    # Rasa is up but cannot run the action that answers: no silence, a retryable error.
    assert failed.status_code in (502, 503)
    error = failed.get_json()["error"]
    assert error["retryable"] is True and "opnieuw" in error["message"]

    faulty_stack.restart("actions")
    retried = send(client, conversation, "Kan ik mijn contract in pand geven?")
    assert retried.status_code == 200
    assert retried.get_json()["messages"][0]["source"]["kind"] in ("article", "faq", "definition")


def test_an_escalation_whose_storing_fails_is_stored_once_on_the_retry(app, faulty_stack, monkeypatch):
    client, conversation = app.test_client(), uuid.uuid4().hex
    assert send(client, conversation, "Wat is een reserve?").status_code == 200

    real_escalate = handoff.escalate

    def database_lost(*args, **kwargs):
        raise OperationalError("UPDATE conversations", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(handoff, "escalate", database_lost)
    lost = send(client, conversation, "/request_human")
    assert lost.status_code == 503 and lost.get_json()["error"]["retryable"] is True
    with app.app_context():
        from web.extensions import database

        with database.session() as session:
            record = session.get(Conversation, conversation)
            # Nothing of the failed turn's answer or escalation was stored: all or nothing.
            assert record.state == "assistant"
            authors = [m.author for m in handoff.messages_after(session, conversation, 0)]
            assert authors[-1] == "person" and authors.count("person") == 2 and "system" not in authors

    monkeypatch.setattr(handoff, "escalate", real_escalate)
    # Rasa has paused the conversation meanwhile; the retry stores the escalation, once.
    retried = send(client, conversation, "/request_human")
    assert retried.status_code == 200 and retried.get_json()["handoff"]["state"] == "waiting"
    again = send(client, conversation, "hallo?")
    assert again.status_code == 200 and again.get_json()["handoff"]["state"] == "waiting"
    with app.app_context():
        from web.extensions import database

        with database.session() as session:
            queued = [entry for entry in handoff.queue(session) if entry.conversation_id == conversation]
            assert len(queued) == 1


# --- the database ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    services.ensure_installed()
    with services.running_postgres(tmp_path_factory.mktemp("postgres")) as server:
        server.create_database("faults")
        db.upgrade(server.url("faults"))
        yield server


def test_database_lost_during_requests_then_back(postgres, tmp_path):
    from fake_rasa import FakeRasa
    from web import create_app

    with FakeRasa() as rasa:
        app = create_app({"TESTING": True, "RASA_URL": rasa.url, "DATABASE_URL": postgres.url("faults"),
                          "TRANSLATIONS_BUILD_DIR": str(tmp_path / "translations")})
        client, conversation = app.test_client(), uuid.uuid4().hex
        assert send(client, conversation, "hallo").status_code == 200
        postgres.stop()
        try:
            for lang, words in (("nl", "tijdelijk niet beschikbaar"), ("fr", "temporairement indisponible")):
                down = send(client, conversation, "nog een vraag", lang)
                assert down.status_code == 503, down.data
                body = down.get_data(as_text=True)
                assert words in body and "Traceback" not in body and "psycopg2" not in body
                assert down.get_json()["error"]["retryable"] is True
            health = client.get("/api/health").get_json()
            assert health["database"] == "down" and health["status"] == "degraded"
        finally:
            postgres.start()
        # Back: the same app (its pool had dead connections) answers again, and the transcript holds
        # exactly the messages that were answered, nothing of the failed ones.
        assert send(client, conversation, "nog een vraag").status_code == 200
        assert client.get("/api/health").get_json()["database"] == "up"
        assert stored(app, ConversationMessage, conversation) == 4
        assert len(rasa.requests) == 2


def test_database_unreachable_at_start_is_a_clear_error(tmp_path):
    url = f"postgresql+psycopg2://groupinsurance:secret@127.0.0.1:{stack.free_port()}/none"
    started = subprocess.run([sys.executable, "-m", "groupinsurance.demo_data", "--load-if-empty"],
                             env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
                             timeout=60)
    assert started.returncode == 3
    assert "cannot be reached" in started.stderr and "Start it, or set DATABASE_URL" in started.stderr
    assert "Traceback" not in started.stderr and "secret" not in started.stderr
    csv = tmp_path / "export.csv"
    csv.write_text(demo_data.demo_csv(__import__("datetime").date(2026, 11, 1)), encoding="utf-8")
    imported = subprocess.run([sys.executable, "-m", "groupinsurance.importer", str(csv), "--database-url", url],
                              capture_output=True, text=True, timeout=60)
    assert imported.returncode == 3 and "cannot be reached" in imported.stderr and "Traceback" not in imported.stderr
