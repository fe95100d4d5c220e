"""The exit options of `exit_options` as the assistant writes them, in Dutch or French.

One block per employer left: the exit date, each contract's acquired reserves, the options (with the
article they come from), the deadline or that it passed and what happened by default, the 90-day and
42-month rules where they apply, the personal contract that simply continues, and the choices already
registered. The dated legal notes are added by the caller (knowledge.answers), as for every answer.
"""
from __future__ import annotations

import datetime
from typing import Dict, Sequence

from groupinsurance.contract_text import date, money
from groupinsurance.exit_options import DeadlineState, EmployerExit, Option
from groupinsurance.i18n import translator


def option_name(option: Option, lang: str) -> str:
    _ = translator(lang)
    names = {
        Option.TRANSFER_NEW_EMPLOYER: _("transfer your reserves to the pension institution of your new employer"),
        Option.TRANSFER_OTHER_INSTITUTION: _("transfer your reserves to another institution that manages supplementary pensions"),
        Option.KEEP_UNCHANGED: _("leave your reserves with us, without premiums and without changing the pension plan"),
        Option.RECEPTION_STRUCTURE: _("leave your reserves with us, without premiums, in the reception structure (art. 23), choosing mixed 10/X or deferred capital with refund of the reserve"),
        Option.SELF_EMPLOYED_COMBINATION: _("stay insured with us without premiums, choosing mixed 10/X or deferred capital with refund of the reserve (art. 15.5)"),
        Option.CONTINUE_PERSONALLY: _("continue paying premiums yourself, fully or partly, in a personal contract 'P'"),
    }
    return names[option]


def option_label(option: Option, lang: str) -> str:
    """Short, for a button."""
    _ = translator(lang)
    labels = {
        Option.TRANSFER_NEW_EMPLOYER: _("Transfer to my new employer's plan"),
        Option.TRANSFER_OTHER_INSTITUTION: _("Transfer to another pension institution"),
        Option.KEEP_UNCHANGED: _("Leave unchanged"),
        Option.RECEPTION_STRUCTURE: _("Reception structure"),
        Option.SELF_EMPLOYED_COMBINATION: _("Mixed 10/X or deferred capital"),
        Option.CONTINUE_PERSONALLY: _("Continue paying myself"),
    }
    return labels[option]


def _kind(kind: str, lang: str) -> str:
    _ = translator(lang)
    return {"A": _("employer contributions"), "C": _("personal contributions")}[kind]


def employer_block(group: EmployerExit, lang: str, today: datetime.date, choices: Dict[str, object]) -> str:
    _ = translator(lang)
    first = group.contracts[0]  # one exit, one plan: the contracts with one employer share them
    if group.exit_date > today:
        lines = [_("%(employer)s: you leave on %(date)s.", employer=group.employer_name, date=date(group.exit_date, lang))]
    else:
        lines = [_("%(employer)s: you left on %(date)s.", employer=group.employer_name, date=date(group.exit_date, lang))]
    for contract in group.contracts:
        lines.append("• " + _("%(number)s (%(kind)s): acquired reserves %(reserves)s.", number=contract.contract_number,
                              kind=_kind(contract.kind, lang), reserves=money(contract.reserves, lang)))
    if first.deadline_state is DeadlineState.OPEN:
        lines.append(_("You can choose until %(date)s (30 days after your acquired reserves were communicated, art. 15.1):",
                       date=date(first.deadline, lang)))
    elif first.deadline_state is DeadlineState.PASSED:
        lines.append(_("The 30 days to choose ended on %(date)s. As you did not choose, your reserves stayed with us "
                       "unchanged (art. 15.2). You can still ask for a transfer at any time:", date=date(first.deadline, lang)))
    else:
        lines.append(_("Your employer reports your exit; we then communicate your acquired reserves, and from then you "
                       "have 30 days to choose (art. 15.1):"))
    lines += [f"- {option_name(option, lang)}" for option in first.options]
    if first.deadline_state is not DeadlineState.PASSED:
        lines.append(_("If you do not choose in time, your reserves stay with us unchanged (art. 15.2), and a transfer "
                       "stays possible later."))
    if first.death_protection_until is not None:
        lines.append(_("Until %(date)s, as long as you have not made a choice, your beneficiaries receive at least "
                       "your acquired reserves if you die (art. 15.3).", date=date(first.death_protection_until, lang)))
    if first.personal_payments_possible:
        lines.append(_("You were affiliated for at least 42 months: if your new employer has no pension plan, you "
                       "can ask them to withhold up to 1,500 euro a year (indexed) from your pay and pay it to us "
                       "(art. 15.4)."))
    if first.plan_type == "self_employed":
        lines.append(_("For your plan as a self-employed person, art. 15.5 applies: the reception structure is "
                       "replaced by the choice between mixed 10/X and deferred capital with refund of the reserve; "
                       "medical formalities may apply if the death cover becomes higher."))
    if group.personal_contracts:
        lines.append(_("Your personal contract %(numbers)s is not affected by the exit: you can continue paying, "
                       "suspend it, or redeem it (art. 15).", numbers=", ".join(group.personal_contracts)))
    for contract in group.contracts:
        choice = choices.get(contract.contract_number)
        if choice is not None:
            lines.append(_("Your choice for %(number)s: %(option)s (reference %(reference)s).",
                           number=contract.contract_number, option=option_label(Option(choice.option), lang),
                           reference=choice.reference))
    return "\n".join(lines)


def exits_text(groups: Sequence[EmployerExit], lang: str, today: datetime.date, choices: Dict[str, object]) -> str:
    _ = translator(lang)
    parts = [_("What you can do with your reserves after leaving your employer:")]
    parts += [employer_block(group, lang, today, choices) for group in groups]
    return "\n\n".join(parts)


def no_exit_text(lang: str) -> str:
    _ = translator(lang)
    return _("I find no exit on record for your group-insurance contracts: for now your contracts simply "
             "continue. This is what the general conditions say about leaving an employer:")


def choice_question(contract_number: str, option: Option, lang: str) -> str:
    _ = translator(lang)
    return _("You choose for contract %(number)s: %(option)s. Shall I pass this choice on?",
             number=contract_number, option=option_name(option, lang))


def choice_registered(reference: str, lang: str) -> str:
    _ = translator(lang)
    return _("Your choice is registered with reference %(reference)s. A colleague processes it and contacts you "
             "if anything else is needed; you can still change your mind by choosing again.", reference=reference)


def choose_for_text(contract_number: str, lang: str) -> str:
    _ = translator(lang)
    return _("What do you choose for contract %(number)s?", number=contract_number)


def choose_button(contract_number: str, lang: str) -> str:
    _ = translator(lang)
    return _("Pass on a choice for %(number)s", number=contract_number)


def refused_text(reason: str, lang: str) -> str:
    _ = translator(lang)
    texts = {
        "not_your_contract": _("I cannot find that contract among yours, so I cannot register a choice for it."),
        "no_options": _("There is no exit on record for that contract, so there is nothing to choose yet."),
        "option_not_offered": _("That option is not available for this contract (any more); please pick one of the options I listed."),
    }
    return texts[reason]


def choice_cancelled_text(lang: str) -> str:
    _ = translator(lang)
    return _("All right, I pass nothing on. Your reserves stay as they are until you choose.")


def confirm_buttons(lang: str):
    _ = translator(lang)
    return [{"title": _("Yes, pass it on"), "payload": "/affirm"}, {"title": _("No"), "payload": "/deny"}]
