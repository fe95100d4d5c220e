"""Each action, run as the action server runs it, on a hand-made tracker."""
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionFallback, previous_turn_fell_back
from actions.knowledge_answers import ActionAnswerKnowledge
from actions.language import ActionDetectLanguage


def tracker(text="", intent="faq", ranking=(), entities=(), language="nl", metadata=None, events=()):
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": [{"entity": e, "value": v} for e, v in entities],
        "response_selector": {"default": {"ranking": [
            {"intent_response_key": k, "confidence": c} for k, c in ranking
        ]}},
        "metadata": metadata or {},
    }
    return Tracker("someone", {"language": language, "human_offered": False}, latest,
                   list(events), False, None, {}, "action_listen")


def run(action, t):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, t, {})
    return dispatcher.messages, events


def source(messages):
    return next(m["custom"]["source"] for m in messages if m.get("custom"))


def test_answers_faq_in_french_with_source(kb):
    messages, events = run(ActionAnswerKnowledge(), tracker(
        "mon employé peut refuser le site ?", ranking=[("faq/employee_refuses_portal", 0.9)], language="fr"))
    assert messages[0]["text"].startswith(kb.faqs["7"].answer.fr)
    assert source(messages) == {"kind": "faq", "id": "7"}
    assert {"event": "slot", "name": "human_offered", "value": False, "timestamp": None} in events


def test_topic_answer_cites_its_article_with_note(kb):
    messages, _ = run(ActionAnswerKnowledge(), tracker(
        "mag ik mijn groepsverzekering afkopen", intent="conditions", ranking=[("conditions/redemption", 0.7)]))
    assert source(messages) == {"kind": "article", "id": "14.3"}
    assert "sinds 1 januari 2016" in messages[0]["text"]


def test_unsure_selector_falls_back_with_closest_topics(kb):
    messages, _ = run(ActionAnswerKnowledge(), tracker(
        "iets vaags", ranking=[("conditions/advance", 0.2), ("conditions/pledging", 0.15), ("faq/upload_manual", 0.1)]))
    assert source(messages) == {"kind": "fallback"}
    assert messages[0]["response"] == "utter_fallback"
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/show_topic{"topic": "topic:advance"}', '/show_topic{"topic": "topic:pledging"}',
        '/show_topic{"topic": "faq:14"}']
    assert messages[0]["buttons"][0]["title"] == kb.topics["advance"].title.nl


def test_topic_button_leads_to_its_entry(kb):
    messages, _ = run(ActionAnswerKnowledge(), tracker(
        '/show_topic{"topic": "definition:exit"}', intent="show_topic", entities=[("topic", "definition:exit")]))
    assert source(messages) == {"kind": "definition", "id": "exit"}


def test_article_asked_by_number(kb):
    messages, _ = run(ActionAnswerKnowledge(), tracker(
        "wat zegt artikel 16.10", intent="show_article", entities=[("article_number", "16.10")]))
    assert source(messages) == {"kind": "article", "id": "16.10"}
    assert kb.articles["16.10"].text.nl[:40] in messages[0]["text"]


def test_unknown_article_falls_back(kb):
    messages, _ = run(ActionAnswerKnowledge(), tracker(
        "artikel 40", intent="show_article", entities=[("article_number", "40")]))
    assert source(messages) == {"kind": "fallback"}


def user(text="x"):
    return {"event": "user", "text": text}


def bot(kind):
    return {"event": "bot", "text": "...", "data": {"custom": {"source": {"kind": kind}}}}


def test_previous_turn_fell_back():
    assert not previous_turn_fell_back([user()])
    assert previous_turn_fell_back([user(), {"event": "action", "name": "action_fallback"}, bot("fallback"), user()])
    assert not previous_turn_fell_back([user(), bot("faq"), user()])
    # A fallback two turns back does not count: "in a row".
    assert not previous_turn_fell_back([user(), bot("fallback"), user(), bot("faq"), user()])


def test_second_fallback_in_a_row_offers_a_person():
    first, events = run(ActionFallback(), tracker("blabla", intent="nlu_fallback", events=[user("blabla")]))
    assert first[0]["response"] == "utter_fallback"
    assert events[0]["value"] is False
    history = [user("blabla"), bot("fallback"), user("nog iets raars")]
    second, events = run(ActionFallback(), tracker("nog iets raars", intent="nlu_fallback", events=history))
    assert second[0]["response"] == "utter_fallback_repeated"
    assert source(second) == {"kind": "fallback"}
    assert events[0] == {"event": "slot", "name": "human_offered", "value": True, "timestamp": None}


def test_language_detection_action_uses_text_then_widget_then_slot():
    _, events = run(ActionDetectLanguage(), tracker("c'est quoi une avance", language="nl", metadata={"lang": "nl"}))
    assert events[0]["value"] == "fr"
    _, events = run(ActionDetectLanguage(), tracker("merci", language="nl", metadata={"lang": "fr"}))
    assert events[0]["value"] == "fr"
    _, events = run(ActionDetectLanguage(), tracker("ok", language="fr"))
    assert events[0]["value"] == "fr"


def test_faq_8_offers_the_changes_the_assistant_can_make(kb):
    messages, _ = run(ActionAnswerKnowledge(), tracker(
        "kan een werknemer zelf iets aanpassen op de website?", ranking=[("faq/employee_changes_data", 0.9)]))
    assert source(messages) == {"kind": "faq", "id": "8"}
    assert messages[-1]["response"] == "utter_offer_profile_changes"
    other, _ = run(ActionAnswerKnowledge(), tracker("x", ranking=[("faq/employee_refuses_portal", 0.9)]))
    assert all(m.get("response") != "utter_offer_profile_changes" for m in other)


def test_faq_27_hands_the_employer_to_a_colleague(kb):
    messages, events = run(ActionAnswerKnowledge(), tracker(
        "ik heb een inhoudelijke vraag over ons pensioenplan", ranking=[("faq/content_questions", 0.9)]))
    assert source(messages) == {"kind": "faq", "id": "27"}
    assert messages[-2]["response"] == "utter_handoff"
    assert messages[-1]["custom"]["source"] == {"kind": "handoff", "reason": "employer_question"}
    assert {"event": "pause", "timestamp": None} in events
