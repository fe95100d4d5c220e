"""The web app with the Flask test client and a fake Rasa on a loopback port (tests/fake_rasa.py).

Every endpoint; Rasa down, slow and broken; malformed, oversized and mistyped input; the translations.
"""
import json
import re
import time
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from fake_rasa import FakeRasa, unused_url
from web import create_app
from web.config import ConfigError, from_environment
from web.text import linkify

WEB = Path(__file__).resolve().parent.parent / "web"
CONVERSATION = "c0ffee00c0ffee00c0ffee00c0ffee00"


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("translations")


@pytest.fixture
def rasa():
    with FakeRasa() as fake:
        yield fake


@pytest.fixture(autouse=True)
def transcript_database(tmp_path, monkeypatch):
    """A migrated database of each test's own: the chat API keeps the transcript there."""
    from groupinsurance import db

    url = f"sqlite:///{tmp_path / 'app.db'}"
    db.upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def make_app(build_dir, **config):
    # These tests never log in (tests/test_auth.py does); the database holds the transcripts.
    import os

    settings = {"TESTING": True, "TRANSLATIONS_BUILD_DIR": str(build_dir), "RASA_TIMEOUT": 1.0,
                "DATABASE_URL": os.environ["DATABASE_URL"]}
    settings.update(config)
    return create_app(settings)


@pytest.fixture
def client(rasa, build_dir):
    return make_app(build_dir, RASA_URL=rasa.url).test_client()


def chat(client, message="hallo", lang="nl", conversation_id=CONVERSATION, **kwargs):
    return client.post("/api/chat", json={"conversation_id": conversation_id, "message": message, "lang": lang}, **kwargs)


def assert_json_error(response, status, code, field=None):
    assert response.status_code == status, response.data
    assert response.is_json, response.data[:200]
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"] and "Traceback" not in error["message"]
    if field:
        assert error["field"] == field
    return error


# --- POST /api/chat: forwarding and the reply ---------------------------------------------------

def test_chat_forwards_conversation_message_and_language_to_rasa(client, rasa):
    response = chat(client, "kan mijn werknemer weigeren die website te gebruiken?", "nl")
    assert response.status_code == 200
    assert response.get_json() == {"messages": [{"text": "echo: kan mijn werknemer weigeren die website te gebruiken?"}]}
    assert rasa.requests == [{
        "sender": CONVERSATION,
        "message": "kan mijn werknemer weigeren die website te gebruiken?",
        "metadata": {"lang": "nl"},
    }]


def test_language_variants_are_normalized_before_forwarding(client, rasa):
    assert chat(client, "bonjour", "fr-BE").status_code == 200
    assert rasa.requests[-1]["metadata"] == {"lang": "fr"}


def test_source_is_merged_into_the_message_it_follows(client, rasa, kb):
    rasa.reply = lambda payload: [
        {"recipient_id": payload["sender"], "text": kb.faqs["7"].answer.nl},
        {"recipient_id": payload["sender"], "custom": {"source": {"kind": "faq", "id": "7"}}},
        {"recipient_id": payload["sender"], "text": "Kan ik u nog ergens mee helpen?"},
    ]
    messages = chat(client, "weigeren?").get_json()["messages"]
    assert messages == [
        {"text": kb.faqs["7"].answer.nl, "source": {"kind": "faq", "id": "7", "url": "/knowledge/faq/7"}},
        {"text": "Kan ik u nog ergens mee helpen?"},
    ]


def test_paragraphs_rasa_sent_one_by_one_are_one_answer_again(client, rasa):
    # Rasa's REST channel sends each paragraph of a text as a message of its own.
    rasa.reply = lambda payload: [
        {"text": "Een voorschot kan."}, {"text": "- hoogstens de afkoopwaarde\n- met intrest"},
        {"text": "Het voorschot wordt afgetrokken."}, {"custom": {"source": {"kind": "article", "id": "13.3"}}},
        {"text": "Nog een vraag?", "buttons": [{"title": "Ja", "payload": "/affirm"}]},
        {"text": "Tot ziens."},
    ]
    assert chat(client, "voorschot").get_json()["messages"] == [
        {"text": "Een voorschot kan.\n\n- hoogstens de afkoopwaarde\n- met intrest\n\nHet voorschot wordt afgetrokken.",
         "source": {"kind": "article", "id": "13.3", "url": "/knowledge/article/13.3"}},
        {"text": "Nog een vraag?", "buttons": [{"title": "Ja", "payload": "/affirm"}]},
        {"text": "Tot ziens."},
    ]


def test_article_and_definition_sources_link_to_their_pages(client, rasa):
    rasa.reply = lambda payload: [
        {"text": "Een voorschot..."}, {"custom": {"source": {"kind": "article", "id": "13.3"}}},
        {"text": "Verworven reserve: ..."}, {"custom": {"source": {"kind": "definition", "id": "acquired-reserve"}}},
    ]
    first, second = chat(client, "voorschot").get_json()["messages"]
    assert first["source"] == {"kind": "article", "id": "13.3", "url": "/knowledge/article/13.3"}
    assert second["source"] == {
        "kind": "definition", "id": "acquired-reserve", "url": "/knowledge/definition/acquired-reserve",
        "term": {"nl": "verworven reserve", "fr": "réserve acquise"},
    }


def test_fallback_keeps_its_buttons_and_has_no_link(client, rasa):
    buttons = [
        {"title": "Kan mijn werknemer weigeren?", "payload": '/show_topic{"topic": "faq:7"}'},
        {"title": "Voorschot", "payload": '/show_topic{"topic": "topic:advance"}'},
    ]
    rasa.reply = lambda payload: [
        {"text": "Dat weet ik niet.", "buttons": buttons}, {"custom": {"source": {"kind": "fallback"}}},
    ]
    assert chat(client, "pizza?").get_json() == {
        "messages": [{"text": "Dat weet ik niet.", "buttons": buttons, "source": {"kind": "fallback"}}]
    }


def test_button_payload_is_sent_to_rasa_as_the_message(client, rasa):
    payload = '/show_topic{"topic": "faq:7"}'
    assert chat(client, payload, "fr").status_code == 200
    assert rasa.requests[-1]["message"] == payload
    assert rasa.requests[-1]["metadata"] == {"lang": "fr"}


def test_unknown_entries_and_odd_messages_are_not_passed_on_as_links(client, rasa):
    rasa.reply = lambda payload: [
        {"image": "https://example.invalid/cat.png"},
        {"text": "Antwoord"}, {"custom": {"source": {"kind": "faq", "id": "999"}}},
        {"text": "Nog een", "buttons": [{"title": "zonder payload"}, "not a button"]},
        {"custom": {"source": {"kind": "<script>", "id": "1"}}},
        "not a message",
    ]
    assert chat(client, "x").get_json() == {
        "messages": [{"text": "Antwoord", "source": {"kind": "faq", "id": "999"}}, {"text": "Nog een"}]
    }


def test_no_answer_from_rasa_is_a_retryable_error(client, rasa):
    # Rasa answers [] when an action failed (action server down): the person must be able to retry.
    rasa.reply = lambda payload: []
    error = assert_json_error(chat(client, "x"), 502, "assistant_error")
    assert error["retryable"] is True


def test_a_message_rasa_may_have_read_is_not_sent_to_another_instance(build_dir):
    # An instance that reads the request and dies before answering: the message may have been handled,
    # so it is reported (retryable) and never re-sent to the next instance, where it would count twice.
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def read_then_die():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connection.recv(65536)
            connection.close()

    threading.Thread(target=read_then_die, daemon=True).start()
    dying = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        with FakeRasa() as healthy:
            client = make_app(build_dir, RASA_URLS=(dying, healthy.url)).test_client()
            from web.rasa import instance_order

            conversation = next(f"conversation-{n:04d}" for n in range(100) if instance_order(f"conversation-{n:04d}", 2)[0] == 0)
            response = client.post("/api/chat", json={"conversation_id": conversation, "message": "hallo", "lang": "nl"})
            assert response.status_code == 503 and response.get_json()["error"]["retryable"] is True
            assert healthy.requests == []
    finally:
        listener.close()


def test_rasa_instances_share_conversations_by_id(build_dir):
    # Two instances: every conversation sticks to one, both get some, and a refused connection moves
    # the conversation to the other instance without losing the message.
    with FakeRasa() as first, FakeRasa() as second:
        client = make_app(build_dir, RASA_URLS=(first.url, second.url)).test_client()
        ids = [f"conversation-{n:04d}" for n in range(40)]
        for conversation_id in ids:
            for _ in range(2):
                response = client.post("/api/chat", json={"conversation_id": conversation_id, "message": "hallo", "lang": "nl"})
                assert response.status_code == 200
        by_first = {p["sender"] for p in first.requests}
        by_second = {p["sender"] for p in second.requests}
        assert by_first and by_second and not by_first & by_second
        assert by_first | by_second == set(ids)
        moved = sorted(by_second)[0]
    with FakeRasa() as only:
        client = make_app(build_dir, RASA_URLS=(unused_url(), only.url)).test_client()
        response = client.post("/api/chat", json={"conversation_id": moved, "message": "hallo", "lang": "nl"})
        assert response.status_code == 200 and [p["sender"] for p in only.requests] == [moved]


# --- POST /api/chat: Rasa down, slow, broken ----------------------------------------------------

@pytest.mark.parametrize("lang, words", [("nl", "niet beschikbaar"), ("fr", "pas disponible")])
def test_rasa_down_is_a_translated_503(build_dir, lang, words):
    client = make_app(build_dir, RASA_URL=unused_url()).test_client()
    error = assert_json_error(chat(client, "hallo", lang), 503, "assistant_unavailable")
    assert words in error["message"]
    assert error["retryable"] is True


@pytest.mark.parametrize("lang, words", [("nl", "te lang"), ("fr", "trop de temps")])
def test_rasa_slower_than_the_timeout_is_a_translated_504(rasa, build_dir, lang, words):
    rasa.delay = 3.0
    client = make_app(build_dir, RASA_URL=rasa.url, RASA_TIMEOUT=0.5).test_client()
    started = time.monotonic()
    error = assert_json_error(chat(client, "hallo", lang), 504, "assistant_timeout")
    assert time.monotonic() - started < 2.5, "the web app must give up at RASA_TIMEOUT"
    assert words in error["message"]
    assert error["retryable"] is True


def test_rasa_error_status_is_a_502(client, rasa):
    rasa.status = 500
    assert_json_error(chat(client), 502, "assistant_error")


def test_rasa_answering_html_is_a_502(client, rasa):
    rasa.raw_body = b"<html><body>Internal Server Error</body></html>"
    assert_json_error(chat(client), 502, "assistant_error")


def test_unexpected_failure_is_json_without_a_stack_trace(client, monkeypatch):
    from web.extensions import rasa as client_extension

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(client_extension, "send", explode)
    response = chat(client)
    assert_json_error(response, 500, "internal_error")
    assert b"secret internals" not in response.data and b"Traceback" not in response.data


# --- POST /api/chat: validation -----------------------------------------------------------------

@pytest.mark.parametrize("missing", ["conversation_id", "message", "lang"])
def test_missing_field_is_a_400_naming_it(client, rasa, missing):
    body = {"conversation_id": CONVERSATION, "message": "hallo", "lang": "fr"}
    del body[missing]
    error = assert_json_error(client.post("/api/chat", json=body), 400, "missing_field", missing)
    assert missing in error["message"]
    if missing != "lang":
        assert "manque" in error["message"]  # in the language asked for
    assert rasa.requests == []


def test_error_language_follows_accept_language_when_lang_is_missing(client):
    body = {"conversation_id": CONVERSATION, "message": "hallo"}
    fr = client.post("/api/chat", json=body, headers={"Accept-Language": "fr-BE,fr;q=0.9"})
    nl = client.post("/api/chat", json=body, headers={"Accept-Language": "nl-BE"})
    assert assert_json_error(fr, 400, "missing_field")["message"] == "Le champ « lang » manque."
    assert assert_json_error(nl, 400, "missing_field")["message"] == "Het veld ‘lang’ ontbreekt."


@pytest.mark.parametrize("field, value", [
    ("conversation_id", 12345678),
    ("conversation_id", "short"),
    ("conversation_id", "has spaces in it"),
    ("conversation_id", "x" * 65),
    ("conversation_id", "abcdefgh\n"),
    ("message", ["a", "list"]),
    ("message", 42),
    ("message", "   "),
    ("lang", 5),
    ("lang", "de"),
    ("lang", "english"),
])
def test_wrong_types_and_values_are_a_400_naming_the_field(client, rasa, field, value):
    body = {"conversation_id": CONVERSATION, "message": "hallo", "lang": "nl"}
    body[field] = value
    assert_json_error(client.post("/api/chat", json=body), 400, "invalid_field", field)
    assert rasa.requests == []


def test_unknown_language_is_explained(client):
    error = assert_json_error(chat(client, lang="de"), 400, "invalid_field", "lang")
    assert error["message"] == "De taal moet ‘nl’ of ‘fr’ zijn."


def test_message_over_the_limit_is_a_translated_413(client, rasa):
    error = assert_json_error(chat(client, "a" * 1001, "fr"), 413, "message_too_long", "message")
    assert "1000" in error["message"] and "trop longue" in error["message"]
    assert rasa.requests == []
    assert chat(client, "a" * 1000).status_code == 200


def test_request_body_over_the_limit_is_a_413_json(client, rasa):
    big = json.dumps({"conversation_id": CONVERSATION, "message": "a" * 20000, "lang": "nl"})
    response = client.post("/api/chat", data=big, content_type="application/json")
    assert_json_error(response, 413, "request_too_large")
    assert rasa.requests == []


def test_malformed_json_is_a_400(client):
    response = client.post("/api/chat", data='{"conversation_id": "abc', content_type="application/json")
    assert_json_error(response, 400, "invalid_json")


def test_json_that_is_not_an_object_is_a_400(client):
    assert_json_error(client.post("/api/chat", json=["hallo"]), 400, "invalid_json")


def test_form_post_is_a_415(client):
    response = client.post("/api/chat", data={"message": "hallo"})
    assert_json_error(response, 415, "unsupported_media_type")


def test_wrong_method_and_unknown_api_path_answer_json(client):
    response = client.get("/api/chat")
    assert_json_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]
    assert_json_error(client.get("/api/nothing-here"), 404, "not_found")


# --- the other endpoints ------------------------------------------------------------------------

def test_health_says_whether_rasa_and_the_database_answer(client, build_dir):
    assert client.get("/api/health").get_json() == {"status": "ok", "web": "up", "rasa": "up", "database": "up"}
    down = make_app(build_dir, RASA_URL=unused_url(), RASA_HEALTH_TIMEOUT=0.5).test_client()
    response = down.get("/api/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "web": "up", "rasa": "down", "database": "up"}
    no_database = make_app(build_dir, DATABASE_URL=f"postgresql+psycopg2://nobody@{unused_url()[len('http://'):]}/none")
    assert no_database.test_client().get("/api/health").get_json()["database"] == "down"


def test_widget_strings_come_from_the_catalogs_in_each_language(client):
    nl = client.get("/api/i18n/nl").get_json()
    fr = client.get("/api/i18n/fr").get_json()
    assert (nl["lang"], nl["locale"], fr["locale"]) == ("nl", "nl-BE", "fr-BE")
    assert nl["max_message_length"] == 1000
    assert nl["strings"].keys() == fr["strings"].keys()
    assert nl["strings"]["source_faq"] == "Bron: FAQ {id}"
    assert fr["strings"]["source_faq"] == "Source : FAQ {id}"
    assert nl["strings"]["source_article"] == "Bron: artikel {id} van de algemene schikkingen"
    assert fr["strings"]["source_article"] == "Source : article {id} des conditions générales"
    assert fr["strings"]["source_definition"] == "Source : définition « {term} »"
    assert nl["strings"]["new_conversation"] == "Nieuw gesprek"
    assert fr["strings"]["new_conversation"] == "Nouvelle conversation"
    untranslated = [key for key in nl["strings"] if nl["strings"][key] == fr["strings"][key]]
    assert untranslated == [], "every string differs between Dutch and French"


def test_widget_strings_for_an_unknown_language_are_a_404(client):
    assert_json_error(client.get("/api/i18n/de"), 404, "unknown_language")


def test_knowledge_json(client, kb):
    entry = client.get("/api/knowledge/article/13.3?lang=fr").get_json()
    assert entry["kind"] == "article" and entry["id"] == "13.3" and entry["lang"] == "fr"
    assert entry["title"].startswith("Article 13.3")
    assert kb.articles["13.3"].text.fr.strip()[:80] in entry["text"]
    assert entry["url"] == "/knowledge/article/13.3?lang=fr"
    faq = client.get("/api/knowledge/faq/7?lang=nl").get_json()
    assert faq["title"] == kb.faqs["7"].question.nl.strip()
    assert_json_error(client.get("/api/knowledge/faq/99"), 404, "not_found")
    assert_json_error(client.get("/api/knowledge/recipe/1"), 404, "not_found")
    assert_json_error(client.get("/api/knowledge/faq/7?lang=de"), 400, "invalid_field", "lang")


def test_openapi_describes_every_api_route(client):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    app = client.application
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule).replace("{entry_id}", "{id}")
            routes[path] = {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {path: set(ops) for path, ops in document["paths"].items()}
    assert documented == routes
    # every $ref points at a schema that exists
    refs = set(re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(document)))
    assert refs <= set(document["components"]["schemas"])
    chat_op = document["paths"]["/api/chat"]["post"]
    assert {"200", "400", "413", "503", "504"} <= set(chat_op["responses"])
    assert chat_op["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ChatRequest"}


def test_cors_only_for_configured_origins(rasa, build_dir):
    client = make_app(build_dir, RASA_URL=rasa.url, WIDGET_ALLOWED_ORIGINS=("https://www.example.be",)).test_client()
    allowed = client.get("/api/i18n/nl", headers={"Origin": "https://www.example.be"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://www.example.be"
    preflight = client.options("/api/chat", headers={
        "Origin": "https://www.example.be", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    other = client.get("/api/i18n/nl", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


# --- pages --------------------------------------------------------------------------------------

def test_portal_in_dutch_and_french(client):
    nl = client.get("/").get_data(as_text=True)
    fr = client.get("/?lang=fr").get_data(as_text=True)
    for label in ("Mijn contracten", "Mijn profiel", "Veelgestelde vragen"):
        assert f">{label}</a>" in nl
    for label in ("Mes contrats", "Mon profil", "Questions fréquentes"):
        assert f">{label}</a>" in fr
    assert '<html lang="nl">' in nl and '<html lang="fr">' in fr
    # Nobody is logged in: no contract, an invitation to log in (tests/test_auth.py logs in).
    assert "Log in om uw contracten te zien" in nl and "Connectez-vous pour voir vos contrats" in fr
    assert "530/" not in nl and "530/" not in fr


def test_portal_loads_the_widget_without_inline_scripts(client):
    html = client.get("/").get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert 'src="/static/widget.js"' in html and 'src="/static/portal.js"' in html
    assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"
    for path in ("/static/widget.js", "/static/widget.css", "/static/portal.js", "/static/portal.css"):
        assert client.get(path).status_code == 200


def test_page_language_follows_the_browser_without_lang(client):
    html = client.get("/profile", headers={"Accept-Language": "fr-BE,fr;q=0.8"}).get_data(as_text=True)
    assert "<h1>Mon profil</h1>" in html


def test_faq_page(client, kb):
    nl = client.get("/knowledge/faq/7?lang=nl").get_data(as_text=True)
    fr = client.get("/knowledge/faq/7?lang=fr").get_data(as_text=True)
    assert kb.faqs["7"].question.nl.strip() in nl
    assert "mijngroepsverzekering.vivium.be" in nl
    assert kb.faqs["7"].question.fr.strip().replace("'", "&#39;") in fr


def test_article_page_has_sub_articles_and_legal_notes(client, kb):
    response = client.get("/knowledge/article/14?lang=nl")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for sub in ("14.1", "14.2", "14.3"):
        assert f">{sub}" in html
    assert "Wat de wet vandaag zegt" in html
    assert "1 januari 2019" in html  # the dated note on 14.2, with a Belgian date
    fr = client.get("/knowledge/article/13.3?lang=fr").get_data(as_text=True)
    assert "Article 13.3" in fr and "Conditions générales" in fr


def test_definition_page(client):
    html = client.get("/knowledge/definition/acquired-reserve?lang=fr").get_data(as_text=True)
    assert "Réserve acquise" in html and '<html lang="fr">' in html


@pytest.mark.parametrize("path", ["/knowledge/faq/99", "/knowledge/article/99.9", "/knowledge/definition/nope", "/no-such-page"])
def test_unknown_pages_are_a_translated_404_page(client, path):
    response = client.get(path + "?lang=fr")
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    assert "Page introuvable" in response.get_data(as_text=True)


def test_index_pages_list_the_entries(client, kb):
    faqs = client.get("/knowledge/faq/?lang=nl").get_data(as_text=True)
    assert len(re.findall(r'href="/knowledge/faq/\d+\?lang=nl"', faqs)) == len(kb.faqs)
    articles = client.get("/knowledge/article/").get_data(as_text=True)
    assert 'href="/knowledge/article/15?lang=nl"' in articles
    definitions = client.get("/knowledge/definition/?lang=fr").get_data(as_text=True)
    assert "réserve acquise" in definitions


def test_text_from_content_is_escaped_and_addresses_become_links():
    html = str(linkify("<script>alert(1)</script> zie mypension.be. Of mail naar info@example.be"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="https://mypension.be"' in html and ">mypension.be</a>." in html
    assert '<a href="mailto:info@example.be"' in html
    assert "href" not in str(linkify("javascript:alert(1)"))


# --- configuration and catalogs -----------------------------------------------------------------

def test_configuration_defaults_are_safe_and_read_from_the_environment():
    defaults = from_environment({})
    assert defaults["WEB_HOST"] == "127.0.0.1" and defaults["WEB_PORT"] == 5000
    assert defaults["RASA_URL"] == "http://127.0.0.1:5005"
    assert defaults["RASA_TIMEOUT"] == 15.0 and defaults["MAX_MESSAGE_LENGTH"] == 1000
    assert defaults["WIDGET_ALLOWED_ORIGINS"] == ()
    custom = from_environment({"RASA_PORT": "6000", "RASA_TIMEOUT": "2.5", "WIDGET_ALLOWED_ORIGINS": "https://a.be/, https://b.be"})
    assert custom["RASA_URL"] == "http://127.0.0.1:6000" and custom["RASA_TIMEOUT"] == 2.5
    assert custom["WIDGET_ALLOWED_ORIGINS"] == ("https://a.be", "https://b.be")
    with pytest.raises(ConfigError, match="RASA_TIMEOUT"):
        from_environment({"RASA_TIMEOUT": "soon"})


def _catalog(lang):
    with open(WEB / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def test_catalogs_cover_every_ui_string_in_both_languages():
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    source_ids = {
        message[2] for message in extract_from_dir(str(WEB), method_map, keywords={"_": None, "_l": None, "gettext": None})
    }
    assert len(source_ids) > 50
    for lang in ("nl", "fr"):
        catalog = _catalog(lang)
        ids = {m.id for m in catalog if m.id}
        assert source_ids - ids == set(), f"{lang}: strings missing from the catalog (run pybabel update)"
        problems = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
        assert problems == [], f"{lang}: untranslated or fuzzy"
        for message in catalog:
            if message.id:
                wanted = sorted(re.findall(r"%\(\w+\)[sd]|\{\w+\}", message.id))
                assert sorted(re.findall(r"%\(\w+\)[sd]|\{\w+\}", message.string)) == wanted, message.id


def test_compiled_catalogs_are_build_outputs(build_dir):
    assert list((WEB / "translations").rglob("*.mo")) == []
    assert (Path(build_dir) / "fr" / "LC_MESSAGES" / "messages.mo").exists()
