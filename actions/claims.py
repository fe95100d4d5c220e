"""Payout claims in the chat: start or resume, the guided form, submit, status, withdrawal.

The claim itself lives in the database as a draft (groupinsurance.claims), so the form can be left and
resumed in another conversation; the Rasa form `claim_form` only carries the latest answer
(`claim_answer`). Each answer is applied to the draft for the step the draft is at, and the next
question is asked from the draft again. The IBAN comes sealed in the identity token (the text Rasa
stores shows it masked); the claimant is always the token holder.
"""
import datetime
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    latest_entity,
    logged_in_identity,
    logged_in_number,
    number_or_login_request,
    reply_language,
    sessions,
)
from actions.handoff import hand_off
from groupinsurance import claim_text, claims, references
from groupinsurance.claims import ClaimRefused
from groupinsurance.date_parsing import parse_date
from groupinsurance.language import fold

CONTRACT_NUMBER = re.compile(r"\b530/\d+\b")
STOP_WORDS = {"stop", "stoppen", "later", "annuleer", "annuler", "arreter", "plus tard"}
DONE, STOPPED = "submitted", "stopped"


def _ibans(private: Dict[str, Any]) -> List[str]:
    """The IBANs the person typed in this message (sealed in the identity token, masked in the text)."""
    ibans = private.get("ibans")
    return [str(i) for i in ibans] if isinstance(ibans, list) else []


def _intent(tracker: Tracker) -> Optional[str]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def _upload_payload(claim) -> Optional[Dict[str, Any]]:
    missing = claims.missing_documents(claim)
    if not missing or claim.status not in ("draft", "submitted", "in_progress"):
        return None
    return {"upload": {"claim": claim.reference, "kinds": [d.kind.value for d in missing]}}


class ActionStartClaim(Action):
    """start_claim (retirement) or report_death: log in first, then start or resume the draft."""

    def name(self) -> Text:
        return "action_start_claim"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        lang = reply_language(tracker)
        number = number_or_login_request(dispatcher, tracker)
        if number is None:
            return [SlotSet("claim_can_start", False), SlotSet("logged_in", False)]
        reason = "death" if _intent(tracker) == "report_death" else "retirement"
        today = datetime.date.today()
        with sessions().begin() as session:
            draft = claims.current_draft(session, number)
            if draft is None and reason == "retirement":
                claimable = claims.claimable_contracts(session, number, today)
                if not any(c.open_claim is None for c in claimable):
                    open_refs = sorted({c.open_claim for c in claimable if c.open_claim})
                    dispatcher.utter_message(text=claim_text.refused(ClaimRefused.ALREADY_CLAIMED, lang, ", ".join(open_refs))
                                             if open_refs else claim_text.nothing_to_claim(lang))
                    return [SlotSet("claim_can_start", False), SlotSet("logged_in", True)]
            claim, was_resumed = claims.start_or_resume(session, number, reason, tracker.sender_id)
            if was_resumed:
                dispatcher.utter_message(text=claim_text.resumed(claim.reference, lang))
            elif reason == "death":
                # A death is never handled by the assistant alone: a person is offered at once.
                dispatcher.utter_message(text=claim_text.death_introduction(lang), buttons=[
                    {"title": claim_text.talk_to_someone(lang), "payload": "/request_human"}])
        return [SlotSet("claim_can_start", True), SlotSet("logged_in", True), SlotSet("claim_answer", None)]


class ActionAskClaimAnswer(Action):
    """Asks the question for the step the draft is at (Rasa calls it for the form's slot)."""

    def name(self) -> Text:
        return "action_ask_claim_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        lang = reply_language(tracker)
        number = logged_in_number(tracker)
        if number is None:
            dispatcher.utter_message(response="utter_login_needed")
            return []
        with sessions()() as session:
            claim = claims.current_draft(session, number)
            if claim is None:
                return []
            step = claims.next_step(claim)
            ask(dispatcher, session, claim, step, lang, number)
        return []


def ask(dispatcher: CollectingDispatcher, session, claim, step: str, lang: str, number: str) -> None:
    words = claim_text.answer_words(lang)
    if step == "contracts":
        claimable = claims.claimable_contracts(session, number, datetime.date.today())
        free = [c for c in claimable if c.open_claim is None]
        buttons = [{"title": f"{c.contract_number} ({c.employer_name})", "payload": c.contract_number} for c in free]
        if len(free) > 1:
            buttons.append({"title": claim_text.button_title("all", lang), "payload": words["all"]})
        dispatcher.utter_message(text=claim_text.question(step, lang, claimable), buttons=buttons)
    elif step == "payout_form":
        dispatcher.utter_message(text=claim_text.question(step, lang), buttons=[
            {"title": claim_text.button_title("capital", lang), "payload": words["capital"]},
            {"title": claim_text.button_title("annuity", lang), "payload": words["annuity"]}])
    elif step == "reversion":
        dispatcher.utter_message(text=claim_text.question(step, lang), buttons=[
            {"title": claim_text.button_title("yes", lang), "payload": "/affirm"},
            {"title": claim_text.button_title("no", lang), "payload": "/deny"}])
    elif step == "confirm":
        documents = claims.required_documents(claim.reason, claim.payout_form, bool(claim.reversion))
        dispatcher.utter_message(text=claim_text.summary(claim, documents, lang), buttons=[
            {"title": claim_text.button_title("submit", lang), "payload": "/affirm"},
            {"title": claim_text.button_title("later", lang), "payload": "/deny"}])
    else:
        dispatcher.utter_message(text=claim_text.question(step, lang))


class ValidateClaimForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_claim_form"

    def validate_claim_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        lang = reply_language(tracker)
        number, private = logged_in_identity(tracker)
        if number is None:  # the login expired while filling in: the draft waits
            dispatcher.utter_message(response="utter_login_needed")
            return {"claim_answer": STOPPED}
        text = str(value or "")
        intent = _intent(tracker)
        today = datetime.date.today()
        with sessions().begin() as session:
            claim = claims.current_draft(session, number)
            if claim is None:
                return {"claim_answer": STOPPED}
            step = claims.next_step(claim)
            wants_to_stop = fold(text).strip(" .!") in STOP_WORDS or (
                intent == "deny" and step not in ("reversion",))
            if wants_to_stop:
                dispatcher.utter_message(text=claim_text.saved_as_draft(claim.reference, lang))
                return {"claim_answer": STOPPED}
            try:
                understood = self.apply(session, claim, step, text, intent, _ibans(private), lang, today)
            except ClaimRefused as refused:
                dispatcher.utter_message(text=claim_text.refused(refused.reason, lang, refused.reference or "", refused.detail))
                return {"claim_answer": None}
            if not understood:
                dispatcher.utter_message(text=claim_text.not_understood(step, lang))
                return {"claim_answer": None}
            if step == "confirm":
                return {"claim_answer": DONE}
        return {"claim_answer": None}  # the next question comes from action_ask_claim_answer

    @staticmethod
    def apply(session, claim, step, text, intent, ibans, lang, today) -> bool:
        words = {k: fold(v) for k, v in claim_text.answer_words(lang).items()}
        plain = fold(text)
        if step == "contracts":
            numbers = CONTRACT_NUMBER.findall(text)
            if not numbers and words["all"] in plain.split():
                numbers = [c.contract_number for c in claims.claimable_contracts(session, claim.claimant_number, today)
                           if c.open_claim is None]
            if not numbers:
                return False
            claims.set_contracts(session, claim, numbers, today)
        elif step in ("pension_start_date", "date_of_death"):
            parsed = parse_date(text)
            if parsed is None:
                return False
            if step == "pension_start_date":
                claims.set_pension_start(claim, parsed)
            else:
                claims.set_death(claim, parsed, today)
        elif step == "payout_form":
            # Typed or from the buttons, which send these words (no intent needed inside the form).
            if words["annuity"] in plain:
                claims.set_payout_form(claim, "annuity")
            elif words["capital"] in plain:
                claims.set_payout_form(claim, "capital")
            else:
                return False
        elif step == "reversion":
            if intent not in ("affirm", "deny"):
                return False
            claims.set_reversion(claim, intent == "affirm")
        elif step == "iban":
            if not ibans:
                return False
            claims.set_iban(claim, ibans[0])
        elif step == "confirm":
            if intent != "affirm":
                return False
            claims.submit(session, claim.claimant_number, claim.reference)
        return True


class ActionClaimFormDone(Action):
    """After the form: the submission's confirmation with the checklist and the upload, or nothing more."""

    def name(self) -> Text:
        return "action_claim_form_done"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        lang = reply_language(tracker)
        number = logged_in_number(tracker)
        if tracker.get_slot("claim_answer") == DONE and number is not None:
            with sessions()() as session:
                latest = next((c for c in claims.claims_of(session, number) if c.status == "submitted"), None)
                if latest is not None:
                    dispatcher.utter_message(text=claim_text.submitted(latest, claims.missing_documents(latest), lang))
                    upload = _upload_payload(latest)
                    if upload:
                        dispatcher.utter_message(json_message=upload)
                    if latest.reason == "death":  # a death is always followed up by a person
                        return [SlotSet("claim_answer", None)] + hand_off(dispatcher, "death_claim")
        return [SlotSet("claim_answer", None)]


class ActionClaimStatus(Action):
    def name(self) -> Text:
        return "action_claim_status"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        lang = reply_language(tracker)
        number = number_or_login_request(dispatcher, tracker)
        if number is None:
            return [SlotSet("logged_in", False)]
        with sessions()() as session:
            found = [c for c in claims.claims_of(session, number) if c.status != "withdrawn"]
            if not found:
                dispatcher.utter_message(text=claim_text.no_claims(lang))
                return [SlotSet("logged_in", True)]
            dispatcher.utter_message(text="\n\n".join(
                claim_text.status_line(c, claims.missing_documents(c), lang) for c in found))
            upload = next((u for u in map(_upload_payload, found) if u), None)
            if upload:
                dispatcher.utter_message(json_message=upload)
        return [SlotSet("logged_in", True)]


def _clear_withdrawal() -> List[Dict[Text, Any]]:
    return [SlotSet("withdraw_pending", False), SlotSet("withdraw_reference", None)]


class ActionWithdrawClaim(Action):
    """Which claim (buttons when several), then a yes/no question; the withdrawal itself on yes."""

    def name(self) -> Text:
        return "action_withdraw_claim"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        lang = reply_language(tracker)
        number = number_or_login_request(dispatcher, tracker)
        if number is None:
            return _clear_withdrawal()
        # A button sends the reference as an entity; a person may also type it ("annuleer PC-7K3Q9M").
        chosen = latest_entity(tracker, "claim_reference") or references.find(
            tracker.latest_message.get("text") or "", claims.REFERENCE_PREFIX)
        with sessions()() as session:
            own_claims = claims.claims_of(session, number)
        open_claims = [c for c in own_claims if c.status in claims.WITHDRAWABLE]
        if chosen is not None:
            # A reference from a button can be forged: only one's own claims are asked about, and
            # someone else's reference answers exactly like an unknown one.
            chosen = references.normalize(str(chosen))
            if chosen not in {c.reference for c in own_claims}:
                dispatcher.utter_message(text=claim_text.refused(ClaimRefused.UNKNOWN_CLAIM, lang))
                return _clear_withdrawal()
        if chosen is None and len(open_claims) == 1:
            chosen = open_claims[0].reference
        if chosen is None:
            if not open_claims:
                dispatcher.utter_message(text=claim_text.nothing_to_withdraw(lang))
            else:
                dispatcher.utter_message(text=claim_text.withdraw_which(lang), buttons=[
                    {"title": c.reference, "payload": f'/withdraw_claim{{"claim_reference": "{c.reference}"}}'}
                    for c in open_claims])
            return _clear_withdrawal()
        dispatcher.utter_message(text=claim_text.withdraw_question(chosen, lang), buttons=[
            {"title": claim_text.button_title("yes", lang), "payload": "/affirm"},
            {"title": claim_text.button_title("no", lang), "payload": "/deny"}])
        return [SlotSet("withdraw_pending", True), SlotSet("withdraw_reference", chosen)]


class ActionConfirmWithdrawal(Action):
    def name(self) -> Text:
        return "action_confirm_withdrawal"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]):
        lang = reply_language(tracker)
        number = number_or_login_request(dispatcher, tracker)
        if number is None:
            return _clear_withdrawal()
        if _intent(tracker) != "affirm":
            dispatcher.utter_message(text=claim_text.kept(lang))
            return _clear_withdrawal()
        try:
            with sessions().begin() as session:
                claim = claims.withdraw(session, number, tracker.get_slot("withdraw_reference") or "")
                reference = claim.reference
        except ClaimRefused as refused:
            dispatcher.utter_message(text=claim_text.refused(refused.reason, lang, refused.reference or ""))
            return _clear_withdrawal()
        dispatcher.utter_message(text=claim_text.withdrawn(reference, lang))
        return _clear_withdrawal()
