"""End to end through Rasa's REST channel: the documented machine interface."""
import uuid

import pytest
import requests

from knowledge import answers

pytestmark = pytest.mark.e2e


def say(assistant, text, lang=None, sender=None):
    payload = {"sender": sender or uuid.uuid4().hex, "message": text}
    if lang:
        payload["metadata"] = {"lang": lang}
    response = requests.post(f"{assistant.rasa_url}/webhooks/rest/webhook", json=payload, timeout=30)
    response.raise_for_status()
    return response.json()


def source(messages):
    return next((m["custom"]["source"] for m in messages if m.get("custom")), None)


def text(messages):
    return "\n".join(m["text"] for m in messages if m.get("text"))


def test_dutch_faq_question(assistant, kb):
    reply = say(assistant, "kunnen mijn werknemers weigeren om die website te gebruiken?", "nl")
    assert source(reply) == {"kind": "faq", "id": "7"}
    assert kb.faqs["7"].answer.nl[:60] in text(reply)


def test_french_question_answered_in_french_even_if_widget_says_dutch(assistant, kb):
    reply = say(assistant, "est-ce que je peux obtenir une avance sur mon assurance de groupe ?", "nl")
    assert source(reply) == {"kind": "article", "id": "13.3"}
    assert kb.topics["advance"].answer.fr[:60] in text(reply)


def test_unclear_message_follows_the_widget_language(assistant):
    sender = uuid.uuid4().hex
    say(assistant, "wat is een onthaalstructuur?", "nl", sender)
    reply = say(assistant, "merci", "fr", sender)
    assert "plaisir" in text(reply)


def test_greeting_in_each_language(assistant):
    assert "assistant numérique" in text(say(assistant, "bonjour", "fr"))
    assert "digitale assistent" in text(say(assistant, "goeiemiddag", "nl"))


def test_out_of_scope_then_person_offered(assistant):
    sender = uuid.uuid4().hex
    first = say(assistant, "wie wint de tour de france dit jaar?", "nl", sender)
    assert source(first) == {"kind": "fallback"}
    buttons = [b for m in first for b in m.get("buttons", [])]
    assert len(buttons) == 3 and all(b["payload"].startswith("/show_topic") for b in buttons)
    second = say(assistant, "hoeveel kost een pizza margherita in brussel", "nl", sender)
    assert source(second) == {"kind": "fallback"}
    assert "/request_human" in [b["payload"] for m in second for b in m.get("buttons", [])]
    third = say(assistant, "ja", "nl", sender)
    assert source(third) == {"kind": "handoff", "reason": "repeated_fallback"} and "collega" in text(third)


def test_button_payload_answers_that_topic(assistant):
    reply = say(assistant, '/show_topic{"topic": "topic:pledging"}', "fr")
    assert source(reply) == {"kind": "article", "id": "13.2"}


def test_every_faq_topic_and_definition_is_reachable(assistant, kb):
    unreachable = []
    for entry in (*kb.faqs.values(), *kb.topics.values(), *kb.definitions.values()):
        for lang in ("nl", "fr"):
            reply = say(assistant, '/show_topic{"topic": "%s"}' % answers.topic_ref(entry), lang)
            if source(reply) != answers.source_of(entry):
                unreachable.append((answers.topic_ref(entry), lang, source(reply)))
    assert not unreachable, unreachable


def test_every_article_is_reachable_by_its_number(assistant, kb):
    unreachable = []
    for article_id in kb.articles:
        for question, lang in ((f"wat zegt artikel {article_id}?", "nl"), (f"que dit l'article {article_id} ?", "fr")):
            reply = say(assistant, question, lang)
            if source(reply) != {"kind": "article", "id": article_id}:
                unreachable.append((question, source(reply)))
    assert not unreachable, unreachable
