"""Answers FAQ, general-conditions and definition questions from knowledge/, with their source."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_entity, reply_language, source_payload
from actions.exit_options import answer_exit_topic, is_exit_topic
from actions.fallback import send_fallback
from actions.handoff import hand_off
from knowledge import answers, default_knowledge, retrieval


# Answers after which the person can act at once: FAQ 8 (what an employee may change themselves) offers
# the two changes the assistant can make (actions/profile.py).
FOLLOW_UPS = {("faq", "8"): "utter_offer_profile_changes"}
# FAQ 27: content questions of employers go to their account manager, i.e. to a colleague (issue 6).
HANDOFF_AFTER = {("faq", "27"): "employer_question"}


class ActionAnswerKnowledge(Action):
    def name(self) -> Text:
        return "action_answer_knowledge"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb = default_knowledge()
        lang = reply_language(tracker)
        parse_data = tracker.latest_message or {}
        intent = (parse_data.get("intent") or {}).get("name")

        if intent == "show_topic":  # a button the assistant offered earlier
            entry = answers.resolve_topic_ref(kb, latest_entity(tracker, "topic"))
        elif intent == "show_article":  # "wat zegt artikel 13.3?"
            number = retrieval.article_number(latest_entity(tracker, "article_number"))
            entry = kb.articles.get(number) if number else None
        else:
            entry, confidence = retrieval.predicted_entry(kb, parse_data)
            if confidence < retrieval.MIN_SELECTOR_CONFIDENCE:
                entry = None

        if entry is None:
            return send_fallback(dispatcher, tracker, kb, lang)

        if is_exit_topic(entry):  # the person's own options when logged in with an exit on record
            return answer_exit_topic(dispatcher, tracker, kb, entry, lang) + [SlotSet("human_offered", False)]

        answer = answers.render(kb, entry, lang)
        dispatcher.utter_message(text=answer.text)
        dispatcher.utter_message(json_message=source_payload(answer.source))
        key = (answer.source.get("kind"), answer.source.get("id"))
        if key in HANDOFF_AFTER:
            return [SlotSet("human_offered", False)] + hand_off(dispatcher, HANDOFF_AFTER[key])
        follow_up = FOLLOW_UPS.get(key)
        if follow_up:
            dispatcher.utter_message(response=follow_up)
        return [SlotSet("human_offered", False)]
