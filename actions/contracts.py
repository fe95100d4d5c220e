"""The logged-in person's contracts, per employer, with status, premium and reserves."""
import datetime
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import number_or_login_request, reply_language, sessions, source_payload
from groupinsurance import contract_text, exit_options, status

EXIT_OPTIONS_PAYLOAD = '/show_topic{"topic": "topic:exit_options"}'


class ActionShowContracts(Action):
    def name(self) -> Text:
        return "action_show_contracts"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        number = number_or_login_request(dispatcher, tracker)
        if number is None:
            return [SlotSet("logged_in", False)]
        lang = reply_language(tracker)
        today = datetime.date.today()
        with sessions()() as session:
            groups = status.visible_contracts(number, today, session=session)
            left_an_employer = bool(exit_options.person_exits(session, number, today))
        if groups:
            # Someone who left an employer also gets a way to their exit options (actions/exit_options.py).
            buttons = [{"title": contract_text.exit_options_button(lang), "payload": EXIT_OPTIONS_PAYLOAD}] \
                if left_an_employer else []
            dispatcher.utter_message(text=contract_text.overview_text(groups, lang, today), buttons=buttons)
        else:
            # FAQ 9 says why a contract may not show; its page is the source.
            dispatcher.utter_message(text=contract_text.no_contracts_text(lang))
            dispatcher.utter_message(json_message=source_payload({"kind": "faq", "id": "9"}))
        return [SlotSet("logged_in", True)]
