"""Exit options for the logged-in person (general conditions art. 15), and registering their choice.

action_answer_knowledge hands the exit topics here: logged in with an exit on record, the person gets
their own options, amounts and dates; otherwise the general answer (with a login link when not logged
in). The buttons carry the contract number and the option; they are checked against the token holder's
own contracts (groupinsurance.exit_options.register_choice), never trusted.
"""
import datetime
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    latest_entity,
    logged_in_number,
    number_or_login_request,
    reply_language,
    sessions,
    source_payload,
)
from groupinsurance import exit_options, exit_text
from groupinsurance.exit_options import ChoiceRefused, Option
from knowledge import answers
from knowledge.model import Topic

# The topics of art. 15 a person asks when they leave: answered with their own options when possible.
EXIT_TOPICS = {"exit_information", "exit_options", "exit_no_choice"}
# Dated notes that belong with the personal answer: current exit rules (15) and immediate vesting (14.2).
NOTE_ARTICLES = ("15", "15.1", "15.2", "14.2")


def is_exit_topic(entry) -> bool:
    return isinstance(entry, Topic) and entry.id in EXIT_TOPICS


def _clear() -> List[Dict[Text, Any]]:
    return [SlotSet("exit_choice_pending", False), SlotSet("exit_contract", None), SlotSet("exit_option", None)]


def answer_exit_topic(dispatcher: CollectingDispatcher, tracker: Tracker, kb, entry, lang: str) -> List[Dict[Text, Any]]:
    """The personal exit options, or the general answer (and a login link when not logged in)."""
    number = logged_in_number(tracker)
    general = answers.render(kb, entry, lang)
    if number is None:
        dispatcher.utter_message(text=general.text)
        dispatcher.utter_message(json_message=source_payload(general.source))
        dispatcher.utter_message(response="utter_login_for_own_situation")
        return [SlotSet("logged_in", False)]
    today = datetime.date.today()
    with sessions()() as session:
        groups = exit_options.person_exits(session, number, today)
        choices = exit_options.registered_choices(session, number)
    if not groups:
        dispatcher.utter_message(text=exit_text.no_exit_text(lang) + "\n\n" + general.text)
        dispatcher.utter_message(json_message=source_payload(general.source))
        return [SlotSet("logged_in", True)]
    notes = kb.notes_for(NOTE_ARTICLES)
    text = "\n\n".join([exit_text.exits_text(groups, lang, today, choices),
                        *(answers.render_note(kb, note, lang) for note in notes)])
    buttons = [
        {"title": exit_text.choose_button(contract.contract_number, lang),
         "payload": f'/choose_exit_option{{"contract_number": "{contract.contract_number}"}}'}
        for group in groups for contract in group.contracts if contract.options
    ]
    dispatcher.utter_message(text=text, buttons=buttons)
    dispatcher.utter_message(json_message=source_payload({"kind": "article", "id": "15.1"}))
    return [SlotSet("logged_in", True)]


class ActionChooseExitOption(Action):
    """A button: for a contract, offer its options; for a contract and an option, ask to confirm."""

    def name(self) -> Text:
        return "action_choose_exit_option"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        lang = reply_language(tracker)
        number = number_or_login_request(dispatcher, tracker)
        if number is None:
            return _clear() + [SlotSet("logged_in", False)]
        contract_number = latest_entity(tracker, "contract_number")
        option = latest_entity(tracker, "exit_option")
        with sessions()() as session:
            situation = _situation(session, number, contract_number)
        if situation is None:
            dispatcher.utter_message(text=exit_text.refused_text(ChoiceRefused.NOT_YOUR_CONTRACT, lang))
            return _clear()
        if option is None:
            dispatcher.utter_message(text=exit_text.choose_for_text(contract_number, lang), buttons=[
                {"title": exit_text.option_label(o, lang),
                 "payload": f'/choose_exit_option{{"contract_number": "{contract_number}", "exit_option": "{o.value}"}}'}
                for o in situation.options
            ])
            return _clear()
        try:
            chosen = Option(option)
        except ValueError:
            chosen = None
        if chosen not in situation.options:
            dispatcher.utter_message(text=exit_text.refused_text(ChoiceRefused.OPTION_NOT_OFFERED, lang))
            return _clear()
        dispatcher.utter_message(text=exit_text.choice_question(contract_number, chosen, lang),
                                 buttons=exit_text.confirm_buttons(lang))
        return [SlotSet("exit_choice_pending", True), SlotSet("exit_contract", contract_number),
                SlotSet("exit_option", chosen.value)]


def _situation(session, number: str, contract_number: Optional[str]):
    if not contract_number:
        return None
    for group in exit_options.person_exits(session, number, datetime.date.today()):
        for contract in group.contracts:
            if contract.contract_number == contract_number:
                return contract
    return None


class ActionRegisterExitChoice(Action):
    def name(self) -> Text:
        return "action_register_exit_choice"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        lang = reply_language(tracker)
        number = number_or_login_request(dispatcher, tracker)
        if number is None:
            return _clear() + [SlotSet("logged_in", False)]
        try:
            with sessions().begin() as session:
                choice = exit_options.register_choice(
                    session, number, tracker.get_slot("exit_contract") or "", tracker.get_slot("exit_option") or "",
                    datetime.date.today(), conversation_id=tracker.sender_id)
                reference = choice.reference
        except ChoiceRefused as refused:
            dispatcher.utter_message(text=exit_text.refused_text(refused.reason, lang))
            return _clear()
        dispatcher.utter_message(text=exit_text.choice_registered(reference, lang))
        return _clear()


class ActionCancelExitChoice(Action):
    def name(self) -> Text:
        return "action_cancel_exit_choice"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        dispatcher.utter_message(text=exit_text.choice_cancelled_text(reply_language(tracker)))
        return _clear()
