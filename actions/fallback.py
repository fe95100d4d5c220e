"""When the assistant cannot answer: say what it can do, offer the closest topics, then a person."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import reply_language, source_payload
from knowledge import answers, default_knowledge, retrieval
from knowledge.model import KnowledgeBase

def previous_turn_fell_back(events: List[Dict[Text, Any]]) -> bool:
    """Did the assistant's reply to the person's previous message fall back too?

    Looks at what the assistant said between the previous user message and the current one: every
    fallback reply carries the source kind "fallback". A second fallback in a row offers a person.
    """
    user_messages_seen = 0
    fell_back = False
    for event in reversed(events):
        if event.get("event") == "user":
            user_messages_seen += 1
            if user_messages_seen == 2:
                return fell_back
        elif user_messages_seen == 1 and event.get("event") == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            if (custom.get("source") or {}).get("kind") == "fallback":
                fell_back = True
    return False


def send_fallback(
    dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, lang: str
) -> List[Dict[Text, Any]]:
    repeated = previous_turn_fell_back(tracker.events)
    buttons = [
        {"title": answers.title_of(kb, entry, lang), "payload": _payload(entry)}
        for entry in retrieval.closest_entries(kb, tracker.latest_message or {}, count=3)
    ]
    dispatcher.utter_message(
        response="utter_fallback_repeated" if repeated else "utter_fallback", buttons=buttons
    )
    dispatcher.utter_message(json_message=source_payload({"kind": "fallback"}))
    return [SlotSet("human_offered", repeated)]


def _payload(entry) -> str:
    # Rasa's REST channel parses "/intent{json}" without the NLU model: the button always leads to it.
    return '/show_topic{"topic": "%s"}' % answers.topic_ref(entry)


class ActionFallback(Action):
    def name(self) -> Text:
        return "action_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return send_fallback(dispatcher, tracker, default_knowledge(), reply_language(tracker))
