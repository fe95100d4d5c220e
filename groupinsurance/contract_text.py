"""The contract overview as the assistant writes it, in Dutch or French, with Belgian formats.

Input: what `status.visible_contracts` returns (per employer). Output: plain text the chat shows, one
block per employer (current employers first), one line per contract with its status, premium and
reserves, what the status means, and for a terminated contract the last day it is shown.
"""
from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Sequence

from babel.dates import format_date
from babel.numbers import format_currency

from groupinsurance.i18n import translator
from groupinsurance.language import BABEL_LOCALES
from groupinsurance.status import ContractOverview, EmployerContracts, Status


def money(amount: Decimal, lang: str) -> str:
    """€ 1.234,56 (nl_BE) or 1 234,56 € (fr_BE)."""
    return format_currency(amount, "EUR", locale=BABEL_LOCALES[lang])


def date(value: datetime.date, lang: str) -> str:
    """30 september 2026 (nl_BE) or 30 septembre 2026 (fr_BE)."""
    return format_date(value, "long", locale=BABEL_LOCALES[lang])


def _kind(contract: ContractOverview, lang: str) -> str:
    _ = translator(lang)
    names = {
        "A": _("employer contributions"),
        "C": _("personal contributions"),
        "P": _("personal contract"),
    }
    return names[contract.kind]


def contract_line(contract: ContractOverview, lang: str) -> str:
    _ = translator(lang)
    values = {
        "number": contract.contract_number,
        "kind": _kind(contract, lang),
        "premium": money(contract.annual_premium, lang),
        "reserves": money(contract.reserves, lang),
    }
    if contract.status is Status.ACTIVE:
        text = _("%(number)s (%(kind)s): active. Annual premium %(premium)s; reserves %(reserves)s.", **values)
    elif contract.status is Status.ACTIVE_SUSPENDED:
        text = _(
            "%(number)s (%(kind)s): active without premium. Your employment is suspended (for example a "
            "long illness or a career break), so no premium is paid for now; the contract stays active and "
            "your reserves of %(reserves)s stay insured.", **values,
        )
    elif contract.status is Status.PASSIVE:
        text = _(
            "%(number)s (%(kind)s): passive. No premium is paid any more; your reserves of %(reserves)s "
            "stay with us and keep earning a return.", **values,
        )
    else:
        text = _(
            "%(number)s (%(kind)s): terminated. There are no reserves left (paid out or transferred). You "
            "can see this contract until %(until)s.", until=date(contract.visible_until, lang), **values,
        )
    if contract.plan_type == "self_employed":
        text += " " + _("This is a plan for self-employed people.")
    return "• " + text


def employer_heading(group: EmployerContracts, lang: str) -> str:
    _ = translator(lang)
    if group.previous:
        return _("%(employer)s (previous employer)", employer=group.employer_name)
    return _("%(employer)s (current employer)", employer=group.employer_name)


def overview_text(groups: Sequence[EmployerContracts], lang: str, today: datetime.date) -> str:
    """The whole overview; `groups` must not be empty (see `no_contracts_text`)."""
    _ = translator(lang)
    parts = [_("Your group-insurance contracts on %(date)s:", date=date(today, lang))]
    for group in groups:
        lines = [employer_heading(group, lang)]
        lines += [contract_line(contract, lang) for contract in group.contracts]
        parts.append("\n".join(lines))
    parts.append(_(
        "Active: premiums are being paid. Passive: no more premiums, the reserves remain. Terminated: "
        "nothing is left on the contract; it stays visible for six months. Amounts as in the latest "
        "figures we received; your benefit statement is the reference."
    ))
    return "\n\n".join(parts)


def no_contracts_text(lang: str) -> str:
    _ = translator(lang)
    return _(
        "I find no group-insurance contract that you can see at the moment. That happens when your "
        "employer has not yet filled in your national register or BIS number for a contract, and for a "
        "contract terminated more than six months ago. Ask your employer's HR department to check your "
        "national register or BIS number in EB-Connect; once it is there, the contract appears here."
    )



def exit_options_button(lang: str) -> str:
    _ = translator(lang)
    return _("What can I do with my reserves after leaving?")
