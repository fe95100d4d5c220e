"""Keeps the `language` slot on the language the person writes in (custom slot mapping, every turn)."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from groupinsurance import language


class ActionDetectLanguage(Action):
    def name(self) -> Text:
        return "action_detect_language"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        client_lang = (message.get("metadata") or {}).get("lang")
        chosen = language.choose(message.get("text") or "", client_lang, tracker.get_slot("language"))
        return [SlotSet("language", chosen)]
