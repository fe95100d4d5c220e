"""Escalation to a colleague: the assistant says so and marks its reply as a handoff.

The web app sees `custom.source.kind == "handoff"`, puts the conversation in the staff queue and stops
passing the person's messages to the model (web/chat_api.py, groupinsurance/handoff.py). Rasa pauses
the conversation too; the console's 'return to assistant' resumes it through Rasa's HTTP API.
"""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused
from rasa_sdk.executor import CollectingDispatcher

from actions.common import source_payload


def handoff_reason(tracker: Tracker) -> str:
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    if intent == "request_human":
        return "request_human"
    if tracker.get_slot("human_offered"):
        return "repeated_fallback"
    return intent or "request_human"


def hand_off(dispatcher: CollectingDispatcher, reason: str) -> List[Dict[Text, Any]]:
    """Says a colleague takes over, marks the reply as a handoff, and pauses the conversation in Rasa
    (the model predicts nothing until the console resumes it). Returns the events for the action."""
    dispatcher.utter_message(response="utter_handoff")
    dispatcher.utter_message(json_message=source_payload({"kind": "handoff", "reason": reason}))
    return [ConversationPaused()]


class ActionHandoff(Action):
    def name(self) -> Text:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return hand_off(dispatcher, handoff_reason(tracker))
