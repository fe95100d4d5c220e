"""The limits on what the web API reads, and malformed input: what tests/test_web_api.py (the chat's
validation) and tests/test_claims_api.py (uploads) leave out.

Limits set by configuration, in both languages; bodies streamed without a Content-Length (a chunked
request); the rating and the colleagues' messages; input that once broke the app (half an emoji, JSON
nested deeper than Python recurses, '²' or a number past 64 bits as a message number). Every refusal is
JSON, names the field at fault where there is one, and writes nothing (tests/consistency.py).
"""
import datetime
import io
import re

import pytest
from werkzeug.test import EnvironBuilder

from consistency import WriteWatch, inconsistencies, stored_files
from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from fake_rasa import FakeRasa
from groupinsurance import claims, demo_data, handoff
from groupinsurance.models import ClaimDocument, Conversation, ConversationMessage
from web import create_app
from web.staff import create as create_staff

PIERRE = demo_data.PERSONS["pierre"].national_number
CONVERSATION = "limits0000000001"
CLOSED = "closedConversation01"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
WIDGET = {"X-Requested-With": "GroupInsuranceChat"}


@pytest.fixture
def rasa():
    with FakeRasa() as fake:
        fake.reply = lambda payload: [{"text": "Antwoord."}]
        yield fake


@pytest.fixture
def uploads_dir(tmp_path):
    return tmp_path / "uploads"


@pytest.fixture
def make_app(rasa, database_url, session_factory, tmp_path, uploads_dir):
    demo_data.load_if_empty(session_factory)

    def make(**config):
        settings = {"TESTING": True, "RASA_URL": rasa.url, "DATABASE_URL": database_url,
                    "IDENTITY_TOKEN_SECRET": "the limit tests' identity secret, long enough",
                    "TRANSLATIONS_BUILD_DIR": str(tmp_path / "translations"), "UPLOAD_DIR": str(uploads_dir)}
        settings.update(config)
        return create_app(settings)

    return make


@pytest.fixture
def watch(engine, uploads_dir):
    watching = WriteWatch(engine, uploads_dir)
    yield watching
    watching.close()


@pytest.fixture
def closed_conversation(session_factory):
    """An anonymous conversation a colleague closed: the person may rate it."""
    now = datetime.datetime.now(datetime.timezone.utc)
    with session_factory.begin() as s:
        s.add(Conversation(id=CLOSED, state="closed", role="anonymous", language="nl", escalated_at=now, closed_at=now))
        s.add(ConversationMessage(conversation_id=CLOSED, author="person", text="hallo"))
        s.add(ConversationMessage(conversation_id=CLOSED, author="staff", text="Graag gedaan."))
    return CLOSED


@pytest.fixture
def reference(session_factory):
    with session_factory.begin() as s:
        claim, _ = claims.start_or_resume(s, PIERRE, "retirement", CONVERSATION)
        claims.set_contracts(s, claim, ["530/200103"], datetime.date.today())
        return claim.reference


def assert_error(response, status, code, field=None, message=None):
    assert response.status_code == status, response.data[:300]
    assert response.is_json, response.data[:300]
    error = response.get_json()["error"]
    assert error["code"] == code, error
    assert error.get("field") == field, error
    if message is not None:
        assert error["message"] == message
    return error


def streamed(client, path, body: bytes, content_type: str, headers=None):
    """A request without Content-Length (chunked): the server learns the size only while reading."""
    return client.post(path, input_stream=io.BytesIO(body), headers={"Content-Type": content_type, **(headers or {})},
                       environ_overrides={"wsgi.input_terminated": True})


def chat_body(message, lang="nl", conversation_id=CONVERSATION):
    return {"conversation_id": conversation_id, "message": message, "lang": lang}


# --- the length of a question ----------------------------------------------------------------------

@pytest.mark.parametrize("lang, message", [
    ("nl", "Uw vraag is te lang: hoogstens 40 tekens."),
    ("fr", "Votre question est trop longue : 40 caractères au maximum."),
])
def test_a_question_at_the_configured_limit_passes_and_one_character_more_is_a_translated_413(
        make_app, rasa, watch, lang, message):
    client = make_app(MAX_MESSAGE_LENGTH=40).test_client()
    assert client.get(f"/api/i18n/{lang}").get_json()["max_message_length"] == 40  # the widget counts with it
    before = watch.state()
    assert_error(client.post("/api/chat", json=chat_body("€" * 41, lang)), 413, "message_too_long", "message", message)
    assert rasa.requests == [] and watch.state() == before
    # Characters count, not bytes: 40 euro signs are 120 bytes of UTF-8.
    accepted = client.post("/api/chat", json=chat_body("€" * 40, lang))
    assert accepted.status_code == 200 and rasa.requests[-1]["message"] == "€" * 40


# --- the size of a request body ---------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/chat", f"/api/chat/{CLOSED}/rating"])
@pytest.mark.parametrize("send", ["with_length", "streamed"])
@pytest.mark.parametrize("language, message", [("nl-BE", "De vraag is te groot."), ("fr-BE", "La requête est trop volumineuse.")])
def test_a_body_over_max_content_length_is_a_translated_json_413(
        make_app, rasa, watch, closed_conversation, path, send, language, message):
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    body = b'{"conversation_id": "%s", "message": "%s", "lang": "nl", "score": 4}' % (CONVERSATION.encode(), b"a" * 2048)
    before = watch.state()
    headers = {"Accept-Language": language}
    if send == "streamed":
        response = streamed(client, path, body, "application/json", headers)
    else:
        response = client.post(path, data=body, content_type="application/json", headers=headers)
    assert_error(response, 413, "request_too_large", message=message)
    assert rasa.requests == [] and watch.state() == before


# --- uploads ----------------------------------------------------------------------------------------

def multipart(fields):
    environ = EnvironBuilder(method="POST", data=fields).get_environ()
    return environ["wsgi.input"].read(), environ["CONTENT_TYPE"]


@pytest.mark.parametrize("extra", [1, 2048, 300 * 1024], ids=["one_byte_over", "within_the_margin", "far_over"])
def test_a_streamed_upload_over_upload_max_bytes_is_a_413_and_writes_nothing(
        make_app, reference, session_factory, uploads_dir, watch, extra):
    client = make_app(UPLOAD_MAX_BYTES=1024).test_client()
    client.post("/auth/test-login", data={"national_number": PIERRE})
    content = PDF + b"0" * (1024 - len(PDF) + extra)
    body, content_type = multipart({"kind": "identity_card", "file": (io.BytesIO(content), "scan.pdf"), "lang": "fr"})
    before = watch.state()
    response = streamed(client, f"/api/claims/{reference}/documents?lang=fr", body, content_type, WIDGET)
    assert_error(response, 413, "file_too_large", "file", "Le fichier dépasse 1 KB.")
    assert watch.state() == before and stored_files(uploads_dir) == []
    assert client.get(f"/api/claims/{reference}").get_json()["documents"] == []


@pytest.mark.parametrize("content", [
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    b"<!DOCTYPE html><html><script>alert(1)</script></html>",
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
    b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40,
    b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56,
    b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56,
], ids=["svg", "html", "gif", "zip", "elf", "exe"])
def test_files_that_are_not_pdf_jpeg_or_png_are_refused_whatever_their_name(
        make_app, reference, session_factory, uploads_dir, watch, content):
    client = make_app().test_client()
    client.post("/auth/test-login", data={"national_number": PIERRE})
    before = watch.state()
    response = client.post(f"/api/claims/{reference}/documents?lang=nl", headers=WIDGET, content_type="multipart/form-data",
                           data={"kind": "identity_card", "file": (io.BytesIO(content), "identiteitskaart.pdf")})
    assert_error(response, 400, "unsupported_file_type", "file", "Enkel PDF-, JPEG- of PNG-bestanden worden aanvaard.")
    assert watch.state() == before and stored_files(uploads_dir) == []
    with session_factory() as s:
        assert s.query(ClaimDocument).count() == 0 and inconsistencies(s, uploads_dir) == []


# --- malformed input --------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [b"[" * 5000, b'{"a":' * 3000, b"\xff\xfe\xfd", b'{"conversation_id": "x'],
                         ids=["nested_lists", "nested_objects", "not_utf8", "cut_off"])
def test_json_the_parser_cannot_read_is_a_400(make_app, rasa, watch, body):
    client = make_app().test_client()
    before = watch.state()
    assert_error(client.post("/api/chat", data=body, content_type="application/json", headers={"Accept-Language": "fr"}),
                 400, "invalid_json", message="La requête n'est pas du JSON valide.")
    assert rasa.requests == [] and watch.state() == before


@pytest.mark.parametrize("body", [
    {"score": "4"}, {"score": 4.5}, {"score": True}, {"score": 0}, {"score": 6}, {"score": 2 ** 64}, {"score": None},
    {"score": [4]}, {}, b"[" * 5000, b"score=4", b"\xff",
], ids=["text", "fraction", "boolean", "zero", "six", "past_64_bits", "null", "list", "missing", "nested_lists",
        "form", "not_utf8"])
def test_a_rating_that_is_not_a_whole_number_from_1_to_5_is_a_400_naming_the_score(
        make_app, session_factory, closed_conversation, watch, body):
    client = make_app().test_client()
    before = watch.state()
    if isinstance(body, bytes):
        response = client.post(f"/api/chat/{CLOSED}/rating?lang=fr", data=body, content_type="application/json")
    else:
        response = client.post(f"/api/chat/{CLOSED}/rating?lang=fr", json=body)
    assert_error(response, 400, "invalid_field", "score", "Le score doit être un nombre entier de 1 à 5.")
    assert watch.state() == before
    assert client.post(f"/api/chat/{CLOSED}/rating", json={"score": 5}).get_json() == {"rating": 5}


def test_half_an_emoji_is_stored_as_a_replacement_character(make_app, rasa, session_factory):
    # JSON may carry a lone UTF-16 surrogate (an emoji cut in half by a length limit); no database
    # stores it as text, and it must not cost the person their question.
    client = make_app().test_client()
    response = client.post("/api/chat", data=b'{"conversation_id": "%s", "message": "kijk \\ud83d!", "lang": "nl"}'
                           % CONVERSATION.encode(), content_type="application/json")
    assert response.status_code == 200, response.data
    assert rasa.requests[-1]["message"] == "kijk \ufffd!"
    with session_factory() as s:
        assert s.get(Conversation, CONVERSATION).messages[0].text == "kijk \ufffd!"


def test_after_must_be_a_message_id_in_the_widget_and_the_console_api(make_app, session_factory, closed_conversation):
    app = make_app(RASA_TOKEN="t" * 40)
    with session_factory.begin() as s:
        create_staff(s, "an@insurer.example", "An", "correct horse battery")
    person, staff = app.test_client(), app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', staff.get("/console/login").get_data(as_text=True)).group(1)
    staff.post("/console/login", data={"email": "an@insurer.example", "password": "correct horse battery", "csrf_token": token})
    assert staff.get("/console/api/queue").status_code == 200
    for after in ["²", "١", "-1", "1.5", "0x1", " 1", "", str(handoff.MAX_MESSAGE_ID + 1), "9" * 5000]:
        assert_error(person.get(f"/api/chat/{CLOSED}/messages", query_string={"after": after, "lang": "nl"}),
                     400, "invalid_field", "after", "‘after’ moet een berichtnummer zijn.")
        assert_error(staff.get(f"/console/api/conversations/{CLOSED}/messages", query_string={"after": after}),
                     400, "invalid_field", "after")
    largest = str(handoff.MAX_MESSAGE_ID)
    assert person.get(f"/api/chat/{CLOSED}/messages?after={largest}").get_json()["messages"] == []
    assert staff.get(f"/console/api/conversations/{CLOSED}/messages?after={largest}").get_json()["messages"] == []
    assert person.get(f"/api/chat/{CLOSED}/messages?after=0").get_json()["messages"][0]["text"] == "Graag gedaan."
    assert_error(person.get("/api/chat/short/messages?lang=nl"), 400, "invalid_field", "conversation_id",
                 "De gespreks-id moet uit 8 tot 64 letters, cijfers, ‘-’ of ‘_’ bestaan.")


def test_message_number_takes_ascii_digits_within_64_bits_only():
    assert handoff.message_number("0") == 0 and handoff.message_number("42") == 42
    assert handoff.message_number(str(2 ** 63 - 1)) == 2 ** 63 - 1
    for text in [None, "", "²", "١٢", "-1", "+1", "1.0", "1 ", "1\n", str(2 ** 63), "9" * 5000]:
        assert handoff.message_number(text) is None, text
