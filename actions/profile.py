"""Changing the private e-mail address and the language of documents (FAQ 8), through two Rasa forms.

The forms only collect and confirm; groupinsurance.profile validates, stores and queues the
confirmation. The identity is checked again when saving: a token that expired while the person was
typing means "log in again", never a change to someone else's profile.
"""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import logged_in_number, number_or_login_request, sessions
from groupinsurance import profile

FORM_SLOTS = ("new_private_email", "document_language", "profile_confirmed")


def _reset() -> List[Dict[Text, Any]]:
    return [SlotSet(name, None) for name in FORM_SLOTS]


class ActionCheckIdentity(Action):
    """Sets `logged_in` from the latest message's identity token, so that rules can branch on it."""

    def name(self) -> Text:
        return "action_check_identity"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        return [SlotSet("logged_in", logged_in_number(tracker) is not None)]


class ValidateEmailForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_email_form"

    def validate_new_private_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        try:
            return {"new_private_email": profile.parse_email(str(value or ""))}
        except profile.InvalidEmail:
            dispatcher.utter_message(response="utter_invalid_email")
            return {"new_private_email": None}


class ValidateLanguageForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_language_form"

    def validate_document_language(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        chosen = profile.parse_language(str(value or ""))
        if chosen is None:
            dispatcher.utter_message(response="utter_unknown_language")
        return {"document_language": chosen}


class _SaveProfileChange:
    """Shared by the two save actions; not an Action itself, so that rasa-sdk does not register it."""

    slot = ""
    changed_response = ""

    def apply(self, session, number: str, value: str) -> profile.ProfileChange:
        raise NotImplementedError

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        value = tracker.get_slot(self.slot)
        if tracker.get_slot("profile_confirmed") is not True or not value:
            dispatcher.utter_message(response="utter_profile_cancelled")
            return _reset()
        number = number_or_login_request(dispatcher, tracker)
        if number is None:
            return _reset() + [SlotSet("logged_in", False)]
        try:
            with sessions().begin() as session:
                change = self.apply(session, number, value)
        except profile.PersonNotFound:
            dispatcher.utter_message(response="utter_person_unknown")
            return _reset()
        except profile.InvalidEmail:  # validated by the form already; kept for safety
            dispatcher.utter_message(response="utter_invalid_email")
            return _reset()
        dispatcher.utter_message(response=self.changed_response if change.changed else "utter_profile_unchanged")
        # Rasa renders the response with the slots as they are now, before these events apply.
        return _reset()


class ActionSavePrivateEmail(_SaveProfileChange, Action):
    slot = "new_private_email"
    changed_response = "utter_private_email_changed"

    def name(self) -> Text:
        return "action_save_private_email"

    def apply(self, session, number, value):
        return profile.change_private_email(session, number, value)


class ActionSaveDocumentLanguage(_SaveProfileChange, Action):
    slot = "document_language"
    changed_response = "utter_document_language_changed"

    def name(self) -> Text:
        return "action_save_document_language"

    def apply(self, session, number, value):
        return profile.change_language(session, number, value)


class ActionCancelProfileChange(Action):
    def name(self) -> Text:
        return "action_cancel_profile_change"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        dispatcher.utter_message(response="utter_profile_cancelled")
        return _reset()
