"""What a person who left (or is leaving) an employer can do with each contract: general conditions
art. 15 (with 14.2 and 23), and the law as it is now.

For every contract through an employer the person left ('A' employer contributions, 'C' personal
contributions, with an exit date and reserves left), per art. 15.1:
- transfer the acquired reserves to the new employer's pension institution, or to another institution
  that manages supplementary pensions (15.1.1);
- stay insured for the reduced benefits without premiums: unchanged (15.1.2, first indent), or in the
  reception structure of art. 23 (15.1.2, second indent; salaried plans only);
- continue the premiums personally in a personal contract 'P' (15.1.3).
Self-employed plans (15.5): the transfer to the pension institution of the new company, and instead of
the reception structure a choice between mixed 10/X and deferred capital with refund of the reserve.

The deadline is 30 days after the acquired reserves were communicated (`exit_notice_date`, 15.1);
without a choice the reserves stay unchanged (15.2), and a transfer stays possible at any time. Within
90 days of the exit, while no choice was made, a death pays at least the acquired reserve (15.3).
After at least 42 months of affiliation a salaried worker whose new employer has no pension plan may
have up to 1,500 euro a year (indexed) withheld from their pay and paid in (15.4).

Current law differs where the conditions are older: contract 'A' is the affiliate's from the first day
(since 2019; 14.2 still says after one year) and since 2016 the reserves may also stay with a death cover
equal to them. The answers carry those dated notes (knowledge/content/legal_notes.yml).

Everything here is a pure function of its arguments; `today` is passed in.
"""
from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, List, Optional, Tuple

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from groupinsurance import identifiers, references
from groupinsurance.models import Contract, ExitChoice, Person
from groupinsurance.status import is_group_insurance

CHOICE_PERIOD = datetime.timedelta(days=30)
DEATH_PROTECTION_PERIOD = datetime.timedelta(days=90)
MONTHS_FOR_PERSONAL_PAYMENTS = 42
# Art. 15.4: the most a new employer withholds from the pay per year (indexed under art. 178 WIB 92).
PERSONAL_PAYMENTS_CEILING = Decimal("1500.00")


class Option(str, enum.Enum):
    TRANSFER_NEW_EMPLOYER = "transfer_new_employer"
    TRANSFER_OTHER_INSTITUTION = "transfer_other_institution"
    KEEP_UNCHANGED = "keep_unchanged"
    RECEPTION_STRUCTURE = "reception_structure"
    SELF_EMPLOYED_COMBINATION = "self_employed_combination"
    CONTINUE_PERSONALLY = "continue_personally"


# The article each option comes from, for the answer's source and the staff view.
OPTION_ARTICLES = {
    Option.TRANSFER_NEW_EMPLOYER: "15.1.1",
    Option.TRANSFER_OTHER_INSTITUTION: "15.1.1",
    Option.KEEP_UNCHANGED: "15.1.2",
    Option.RECEPTION_STRUCTURE: "23",
    Option.SELF_EMPLOYED_COMBINATION: "15.5",
    Option.CONTINUE_PERSONALLY: "15.1.3",
}
SALARIED_OPTIONS = (
    Option.TRANSFER_NEW_EMPLOYER,
    Option.TRANSFER_OTHER_INSTITUTION,
    Option.KEEP_UNCHANGED,
    Option.RECEPTION_STRUCTURE,
    Option.CONTINUE_PERSONALLY,
)
SELF_EMPLOYED_OPTIONS = (
    Option.TRANSFER_NEW_EMPLOYER,
    Option.KEEP_UNCHANGED,
    Option.SELF_EMPLOYED_COMBINATION,
    Option.CONTINUE_PERSONALLY,
)
DEFAULT_OPTION = Option.KEEP_UNCHANGED  # 15.2
# After the 30 days the default applies, but a transfer stays possible at any time (15.2, second
# paragraph: to another institution per 15.1.1, or to the reception structure per 15.1.2).
LATER_OPTIONS = (
    Option.TRANSFER_NEW_EMPLOYER,
    Option.TRANSFER_OTHER_INSTITUTION,
    Option.RECEPTION_STRUCTURE,
    Option.SELF_EMPLOYED_COMBINATION,
)


class DeadlineState(str, enum.Enum):
    NOT_YET_COMMUNICATED = "not_yet_communicated"  # no exit_notice_date: the 30 days have not started
    OPEN = "open"  # today <= deadline
    PASSED = "passed"  # the default applies; a transfer stays possible


@dataclass(frozen=True)
class ContractExit:
    contract_number: str
    kind: str
    plan_type: str
    reserves: Decimal
    exit_date: datetime.date
    options: Tuple[Option, ...]
    deadline: Optional[datetime.date]  # exit_notice_date + 30 days, inclusive
    deadline_state: DeadlineState
    # 15.3: the last day a death still pays at least the acquired reserve (None once passed or chosen).
    death_protection_until: Optional[datetime.date]
    # 15.4: whether the person may ask a new employer without a pension plan to withhold contributions.
    personal_payments_possible: bool


@dataclass(frozen=True)
class EmployerExit:
    employer_name: str
    exit_date: datetime.date
    contracts: Tuple[ContractExit, ...]
    # Personal contracts 'P' with this employer: not affected by the exit (art. 15, last paragraph).
    personal_contracts: Tuple[str, ...]


def deadline(exit_notice_date: Optional[datetime.date]) -> Optional[datetime.date]:
    """The last day to choose: 30 days after the acquired reserves were communicated."""
    return exit_notice_date + CHOICE_PERIOD if exit_notice_date else None


def deadline_state(exit_notice_date: Optional[datetime.date], today: datetime.date) -> DeadlineState:
    last_day = deadline(exit_notice_date)
    if last_day is None:
        return DeadlineState.NOT_YET_COMMUNICATED
    return DeadlineState.OPEN if today <= last_day else DeadlineState.PASSED


def death_protection_until(exit_date: datetime.date, today: datetime.date, choice_made: bool) -> Optional[datetime.date]:
    """15.3: within 90 days of the exit, while no choice is known, the death benefit is at least the
    acquired reserve. The last protected day, or None when it no longer applies."""
    last_day = exit_date + DEATH_PROTECTION_PERIOD
    if choice_made or today > last_day:
        return None
    return last_day


def personal_payments_possible(plan_type: str, affiliation_date: Optional[datetime.date],
                               exit_date: datetime.date) -> bool:
    """15.4: a salaried worker affiliated at least 42 months (the exit day counted as affiliated)."""
    if plan_type != "salaried" or affiliation_date is None:
        return False
    return exit_date >= affiliation_date + relativedelta(months=MONTHS_FOR_PERSONAL_PAYMENTS)


def options_for(plan_type: str) -> Tuple[Option, ...]:
    return SELF_EMPLOYED_OPTIONS if plan_type == "self_employed" else SALARIED_OPTIONS


def contract_exit(contract, today: datetime.date, choice_made: bool = False) -> Optional[ContractExit]:
    """The exit options of one contract, or None if it has none (no exit, no reserves, not 530/, 'P')."""
    if (
        not is_group_insurance(contract.contract_number)
        or contract.kind not in ("A", "C")
        or contract.exit_date is None
        or contract.reserves <= 0
    ):
        return None
    state = deadline_state(contract.exit_notice_date, today)
    options = options_for(contract.plan_type)
    if state is DeadlineState.PASSED:
        options = tuple(option for option in options if option in LATER_OPTIONS)
    return ContractExit(
        contract_number=contract.contract_number,
        kind=contract.kind,
        plan_type=contract.plan_type,
        reserves=contract.reserves,
        exit_date=contract.exit_date,
        options=options,
        deadline=deadline(contract.exit_notice_date),
        deadline_state=state,
        death_protection_until=death_protection_until(contract.exit_date, today, choice_made),
        personal_payments_possible=personal_payments_possible(
            contract.plan_type, contract.affiliation_date, contract.exit_date),
    )


def exits(contracts: Iterable, today: datetime.date, chosen: Iterable[str] = ()) -> List[EmployerExit]:
    """Per employer the person left (or is leaving), the contracts with options; most recent exit first.

    `contracts`: one person's contracts (models.Contract or the same attributes, with `employer`);
    `chosen`: the numbers of contracts for which a choice is already registered.
    """
    chosen = set(chosen)
    groups = {}
    for contract in contracts:
        result = contract_exit(contract, today, contract.contract_number in chosen)
        if result is not None:
            groups.setdefault(contract.employer_id, (contract.employer.name, []))[1].append(result)
    personal = {}
    for contract in contracts:
        if contract.kind == "P" and is_group_insurance(contract.contract_number):
            personal.setdefault(contract.employer_id, []).append(contract.contract_number)
    result = [
        EmployerExit(
            employer_name=name,
            exit_date=max(c.exit_date for c in members),
            contracts=tuple(sorted(members, key=lambda c: c.contract_number)),
            personal_contracts=tuple(sorted(personal.get(employer_id, []))),
        )
        for employer_id, (name, members) in groups.items()
    ]
    return sorted(result, key=lambda group: (-group.exit_date.toordinal(), group.employer_name.casefold()))


# --- registering a choice ----------------------------------------------------------------------------

class ChoiceRefused(ValueError):
    """The choice cannot be registered; `reason` is one of the codes below (the chat words them)."""

    NOT_YOUR_CONTRACT = "not_your_contract"  # unknown number, someone else's, or not visible
    NO_OPTIONS = "no_options"  # no exit on record, no reserves, a personal contract
    OPTION_NOT_OFFERED = "option_not_offered"  # e.g. the reception structure on a self-employed plan

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _person_contracts(session, national_number: str):
    number = identifiers.validate(national_number)
    return session.execute(
        select(Contract).join(Contract.person).where(Person.national_number == number)
        .options(joinedload(Contract.employer), joinedload(Contract.person))
    ).scalars().all()


def registered_choices(session, national_number: str) -> dict:
    """The person's current choices (status 'registered' or 'processed'), by contract number."""
    number = identifiers.validate(national_number)
    rows = session.execute(
        select(ExitChoice, Contract.contract_number).join(ExitChoice.contract).join(ExitChoice.person)
        .where(Person.national_number == number, ExitChoice.status != "superseded")
        .order_by(ExitChoice.created_at)
    ).all()
    return {contract_number: choice for choice, contract_number in rows}


def person_exits(session, national_number: str, today: datetime.date) -> List[EmployerExit]:
    """What the person with this (verified) number can choose today, per employer left."""
    return exits(_person_contracts(session, national_number), today, registered_choices(session, national_number))


def register_choice(session, national_number: str, contract_number: str, option: str, today: datetime.date,
                    conversation_id: Optional[str] = None):
    """Stores the choice with a new reference and returns it (models.ExitChoice). Call inside a transaction.

    The same option again returns the choice already registered (a double click makes one request); a
    different option supersedes the earlier one, which staff then no longer act on.
    """
    contracts = {c.contract_number: c for c in _person_contracts(session, national_number)}
    contract = contracts.get(contract_number)
    if contract is None or contract.person is None:
        raise ChoiceRefused(ChoiceRefused.NOT_YOUR_CONTRACT)
    situation = contract_exit(contract, today)
    if situation is None:
        raise ChoiceRefused(ChoiceRefused.NO_OPTIONS)
    try:
        chosen = Option(option)
    except ValueError:
        raise ChoiceRefused(ChoiceRefused.OPTION_NOT_OFFERED) from None
    if chosen not in situation.options:
        raise ChoiceRefused(ChoiceRefused.OPTION_NOT_OFFERED)
    current = registered_choices(session, national_number).get(contract_number)
    if current is not None and current.option == chosen.value and current.status == "registered":
        return current
    if current is not None and current.status == "registered":
        current.status = "superseded"
    choice = ExitChoice(reference=_unused_reference(session), person_id=contract.person_id, contract_id=contract.id,
                        option=chosen.value, status="registered", conversation_id=conversation_id)
    session.add(choice)
    session.flush()
    return choice


def _unused_reference(session) -> str:
    for _ in range(10):
        candidate = references.new("EX")
        if session.execute(select(ExitChoice.id).where(ExitChoice.reference == candidate)).first() is None:
            return candidate
    raise RuntimeError("no free reference after 10 draws")
