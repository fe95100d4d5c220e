"""The logged-in person's contracts, per employer, with status, premium and reserves."""
import datetime
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import logged_in_number, reply_language, sessions, source_payload
from groupinsurance import contract_text, status


class ActionShowContracts(Action):
    def name(self) -> Text:
        return "action_show_contracts"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        number = logged_in_number(tracker)
        if number is None:
            dispatcher.utter_message(response="utter_login_needed")
            return [SlotSet("logged_in", False)]
        lang = reply_language(tracker)
        today = datetime.date.today()
        with sessions()() as session:
            groups = status.visible_contracts(number, today, session=session)
        if groups:
            dispatcher.utter_message(text=contract_text.overview_text(groups, lang, today))
        else:
            # FAQ 9 says why a contract may not show; its page is the source.
            dispatcher.utter_message(text=contract_text.no_contracts_text(lang))
            dispatcher.utter_message(json_message=source_payload({"kind": "faq", "id": "9"}))
        return [SlotSet("logged_in", True)]
