"""What the assistant says in the payout-claim form and about a claim's status, in Dutch or French."""
from __future__ import annotations

import datetime
from typing import Dict, Sequence

from groupinsurance.claims import ClaimableContract, ClaimRefused, DocumentKind, RequiredDocument, mask_iban
from groupinsurance.contract_text import date, money
from groupinsurance.i18n import translator


def document_label(kind: str, lang: str) -> str:
    _ = translator(lang)
    labels = {
        DocumentKind.IDENTITY_CARD: _("a copy of your identity card (both sides)"),
        DocumentKind.PROOF_OF_LIFE: _("a proof of life, dated on or after the payout date, with your date of birth"),
        DocumentKind.PENSION_START_PROOF: _("the decision on the start date of your legal pension"),
        DocumentKind.BIRTH_CERTIFICATE: _("an extract of your birth certificate"),
        DocumentKind.REVERSION_BIRTH_CERTIFICATE: _("an extract of the birth certificate of your spouse or legal cohabitant"),
        DocumentKind.DEATH_CERTIFICATE: _("an extract of the death certificate, with the date of birth"),
        DocumentKind.MEDICAL_CERTIFICATE: _("a doctor's certificate stating the cause of death"),
        DocumentKind.CERTIFICATE_OF_INHERITANCE: _("a certificate of inheritance, if the beneficiaries are not named in the contract"),
    }
    return labels[DocumentKind(kind)]


def checklist(documents: Sequence[RequiredDocument], lang: str) -> str:
    return "\n".join(f"- {document_label(d.kind, lang)} (art. {d.article})" for d in documents)


def question(step: str, lang: str, claimable: Sequence[ClaimableContract] = ()) -> str:
    _ = translator(lang)
    if step == "contracts":
        lines = [_("Which contracts do you want paid out?")]
        for item in claimable:
            if item.open_claim:
                lines.append("- " + _("%(number)s (%(employer)s): already in your claim %(reference)s",
                                      number=item.contract_number, employer=item.employer_name, reference=item.open_claim))
            else:
                lines.append("- " + _("%(number)s (%(employer)s): reserves %(reserves)s", number=item.contract_number,
                                      employer=item.employer_name, reserves=money(item.reserves, lang)))
        return "\n".join(lines)
    texts = {
        "pension_start_date": _(
            "On what date does your legal (or early) pension start? For example 1 July 2033. Under the law "
            "since 2016 we pay your supplementary pension when your legal pension actually starts; the "
            "general conditions (art. 14.3) still speak of age 60."),
        "payout_form": _(
            "Do you want a capital (paid once) or an annuity? The annuity is indexed by 2 %% a year and, if you "
            "wish, 80 %% of it passes to your surviving spouse or legal cohabitant (art. 16.1). An annuity of "
            "500 euro a year or less (indexed) is paid as a capital instead (art. 16.10)."),
        "reversion": _(
            "Should 80 %% of the annuity pass to your spouse or legal cohabitant if you die (art. 16.1)?"),
        "iban": _("To which Belgian bank account (IBAN) may we pay? Type it, for example BE68 5390 0754 7034."),
        "date_of_death": _("On what date did the affiliate die?"),
    }
    return texts[step]


def button_title(choice: str, lang: str) -> str:
    _ = translator(lang)
    titles = {
        "all": _("All of them"),
        "capital": _("Capital"),
        "annuity": _("Annuity"),
        "yes": _("Yes"),
        "no": _("No"),
        "submit": _("Yes, submit"),
        "later": _("No, later"),
    }
    return titles[choice]


def answer_words(lang: str) -> Dict[str, str]:
    """The words a button sends back (the form also reads them typed)."""
    _ = translator(lang)
    return {"all": _("all"), "capital": _("capital"), "annuity": _("annuity")}


def summary(claim, documents: Sequence[RequiredDocument], lang: str) -> str:
    _ = translator(lang)
    lines = [_("Your claim %(reference)s:", reference=claim.reference)]
    if claim.reason == "retirement":
        lines.append("- " + _("reason: retirement, legal pension from %(date)s", date=date(claim.pension_start_date, lang)))
        lines.append("- " + _("contracts: %(numbers)s", numbers=", ".join(c.contract_number for c in claim.contracts)))
        if claim.payout_form == "annuity":
            lines.append("- " + (_("annuity, 80 %% to your spouse or legal cohabitant") if claim.reversion
                                 else _("annuity, without transfer")))
        else:
            lines.append("- " + _("capital"))
    else:
        lines.append("- " + _("reason: death of the affiliate on %(date)s", date=date(claim.date_of_death, lang)))
    lines.append("- " + _("account: %(iban)s", iban=mask_iban(claim.iban)))
    lines.append(_("Documents we will need:"))
    lines.append(checklist(documents, lang))
    lines.append(_("Shall I submit the claim?"))
    return "\n".join(lines)


def submitted(claim, missing: Sequence[RequiredDocument], lang: str) -> str:
    _ = translator(lang)
    text = _("Your claim %(reference)s is submitted. Keep this reference.", reference=claim.reference)
    if missing:
        text += "\n" + _("Still needed (you can upload them here, now or later):") + "\n" + checklist(missing, lang)
    if claim.reason == "death":
        text += "\n" + _("A colleague checks who is entitled and contacts you; you will not see the affiliate's "
                         "contract data here.")
    return text


def saved_as_draft(reference: str, lang: str) -> str:
    _ = translator(lang)
    return _("I keep what you filled in as a draft (%(reference)s). Say \"continue my claim\" whenever you want to "
             "go on.", reference=reference)


def resumed(reference: str, lang: str) -> str:
    _ = translator(lang)
    return _("You already started claim %(reference)s: let us continue where you left off.", reference=reference)


def death_introduction(lang: str) -> str:
    _ = translator(lang)
    return _(
        "My condolences. I will record the death so that a colleague can handle it. The benefit goes to the "
        "beneficiaries in the order of the general conditions (art. 12.2): the spouse or legal cohabitant, "
        "otherwise the children, otherwise the persons the affiliate named, otherwise the legal heirs. For "
        "privacy I do not show the affiliate's contracts here; the documents you upload let us verify.")


def talk_to_someone(lang: str) -> str:
    _ = translator(lang)
    return _("Talk to a colleague")


def nothing_to_claim(lang: str) -> str:
    _ = translator(lang)
    return _("I find no contract with reserves that you can claim: contracts that were paid out or transferred "
             "have no reserves left.")


def refused(reason: str, lang: str, reference: str = "", detail: str = "") -> str:
    _ = translator(lang)
    if reason == ClaimRefused.PENSION_TOO_EARLY:
        return _("A legal or early pension cannot start before you turn 60 (%(date)s). Which date does your "
                 "pension decision mention?", date=date(datetime.date.fromisoformat(detail), lang) if detail else "")
    texts = {
        ClaimRefused.NOT_YOUR_CONTRACT: _("That is not one of your contracts that can be paid out. Please choose from the list."),
        ClaimRefused.NO_RESERVES: _("Please choose at least one contract."),
        ClaimRefused.ALREADY_CLAIMED: _("That contract is already in your claim %(reference)s: ask \"where is my claim?\" to follow it.", reference=reference),
        ClaimRefused.INVALID_IBAN: _("That is not a valid Belgian IBAN. Please check it and type it again."),
        ClaimRefused.NOT_BELGIAN_IBAN: _("We pay to a Belgian account only (an IBAN starting with BE)."),
        ClaimRefused.DATE_IN_FUTURE: _("That date is in the future. On what date did the affiliate die?"),
        ClaimRefused.UNKNOWN_CLAIM: _("I do not find that claim among yours."),
        ClaimRefused.NOT_WITHDRAWABLE: _("Claim %(reference)s is already being processed and can no longer be withdrawn; a colleague can help you.", reference=reference),
    }
    return texts.get(reason, _("That did not work. Please try again."))


def not_understood(step: str, lang: str) -> str:
    _ = translator(lang)
    texts = {
        "pension_start_date": _("I did not recognise a date. Type it like 1 July 2033 or 01/07/2033."),
        "date_of_death": _("I did not recognise a date. Type it like 3 November 2026 or 03/11/2026."),
        "payout_form": _("Please choose capital or annuity."),
        "reversion": _("Please answer yes or no."),
        "iban": _("I did not find an IBAN in your message. Type your Belgian account number, for example BE68 5390 0754 7034."),
        "contracts": _("Please choose a contract from the list, or all of them."),
        "confirm": _("Please answer yes to submit, or no to keep it as a draft."),
    }
    return texts[step]


def status_line(claim, missing: Sequence[RequiredDocument], lang: str) -> str:
    _ = translator(lang)
    statuses = {
        "draft": _("draft, not submitted yet"),
        "submitted": _("submitted, waiting for processing"),
        "in_progress": _("being processed by a colleague"),
        "paid": _("paid"),
        "withdrawn": _("withdrawn"),
    }
    reason = _("retirement") if claim.reason == "retirement" else _("death")
    line = _("%(reference)s (%(reason)s): %(status)s.", reference=claim.reference, reason=reason,
             status=statuses[claim.status])
    if missing and claim.status in ("draft", "submitted", "in_progress"):
        line += "\n" + _("Still needed:") + "\n" + checklist(missing, lang)
    return line


def no_claims(lang: str) -> str:
    _ = translator(lang)
    return _("You have no payout claim. To start one, say for example \"I retire and want my supplementary pension paid\".")


def withdraw_question(reference: str, lang: str) -> str:
    _ = translator(lang)
    return _("Do you want to withdraw claim %(reference)s?", reference=reference)


def withdraw_which(lang: str) -> str:
    _ = translator(lang)
    return _("Which claim do you want to withdraw?")


def withdrawn(reference: str, lang: str) -> str:
    _ = translator(lang)
    return _("Claim %(reference)s is withdrawn. Nothing will be paid for it; you can start a new claim at any time.",
             reference=reference)


def nothing_to_withdraw(lang: str) -> str:
    _ = translator(lang)
    return _("You have no claim that can still be withdrawn.")


def kept(lang: str) -> str:
    _ = translator(lang)
    return _("All right, the claim stays as it is.")


