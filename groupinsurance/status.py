"""Which contracts a person sees, and in which status (the employer FAQ 1, 2, 3, 5 and 9).

- Only group insurance is shown: contract numbers starting with 530/ (FAQ 3, 4).
- A contract without a national register or BIS number belongs to nobody yet and is shown to nobody
  (FAQ 9); once the organiser fills in the number, the next import links it.
- Active: a premium is paid. Active without premium: the employment is suspended (long illness, career
  break). Passive: no premium, reserves remain. Terminated: no premium, no reserves (paid out or
  transferred) and a termination date (FAQ 1).
- A terminated contract stays visible for six months after its termination date, then disappears
  (FAQ 1, 2, 5). The boundary is inclusive and calendar-based: terminated on 31 March 2026, it is
  visible through 30 September 2026 and gone on 1 October (dateutil's month arithmetic: the same day
  number six months later, or the last day of that month if it is shorter).
- Contracts with a previous employer are shown under that employer while they are visible (FAQ 5).

Everything but `visible_contracts` is a pure function of its arguments; `today` is always passed in.
"""
from __future__ import annotations

import datetime
import enum
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import List, Optional, Tuple

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from groupinsurance import identifiers
from groupinsurance.models import Contract, Person

log = logging.getLogger(__name__)

GROUP_INSURANCE_PREFIX = "530/"
VISIBLE_AFTER_TERMINATION = relativedelta(months=6)
PERSONAL_CONTRACT = "P"


class Status(str, enum.Enum):
    ACTIVE = "active"
    ACTIVE_SUSPENDED = "active_suspended"
    PASSIVE = "passive"
    TERMINATED = "terminated"


class UndeterminedStatus(ValueError):
    """The figures fit no status: no premium, no reserves, not suspended and no termination date."""


def is_group_insurance(contract_number: Optional[str]) -> bool:
    return bool(contract_number) and contract_number.startswith(GROUP_INSURANCE_PREFIX)


def status(
    annual_premium: Decimal,
    reserves: Decimal,
    suspended: bool = False,
    termination_date: Optional[datetime.date] = None,
) -> Status:
    """The contract's status from its current annual premium, reserves, suspension and termination.

    A premium makes a contract active whatever else is recorded. Without one, a termination with no
    reserves left wins over the suspension flag, as the termination is the later, definitive fact.
    """
    if annual_premium > 0:
        return Status.ACTIVE
    if reserves <= 0 and termination_date is not None:
        return Status.TERMINATED
    if suspended:
        return Status.ACTIVE_SUSPENDED
    if reserves > 0:
        return Status.PASSIVE
    raise UndeterminedStatus("no premium, no reserves, not suspended and no termination date")


def visible_until(termination_date: datetime.date) -> datetime.date:
    """The last day a contract terminated on `termination_date` is shown (inclusive)."""
    return termination_date + VISIBLE_AFTER_TERMINATION


def is_visible(contract, today: datetime.date) -> bool:
    """Whether the contract's own person may see it today.

    `contract` is a models.Contract or anything with the same attributes (contract_number, person,
    annual_premium, reserves, suspended, termination_date).
    """
    if not is_group_insurance(contract.contract_number) or contract.person is None:
        return False
    current = status(contract.annual_premium, contract.reserves, contract.suspended, contract.termination_date)
    return current is not Status.TERMINATED or today <= visible_until(contract.termination_date)


@dataclass(frozen=True)
class ContractOverview:
    contract_number: str
    kind: str  # 'A' employer contributions, 'C' personal contributions, 'P' personal contract
    plan_type: str  # 'salaried' | 'self_employed'
    status: Status
    annual_premium: Decimal
    reserves: Decimal
    affiliation_date: Optional[datetime.date]
    exit_date: Optional[datetime.date]
    termination_date: Optional[datetime.date]
    # For a terminated contract: the last day it is shown.
    visible_until: Optional[datetime.date]


@dataclass(frozen=True)
class EmployerContracts:
    employer_name: str
    enterprise_number: Optional[str]
    # True when the person has left this employer: every contract through the employer ('A', 'C') has
    # an exit date, today or earlier. A personal contract ('P') is the person's own, continued after
    # the exit, so it does not make the employer current.
    previous: bool
    contracts: Tuple[ContractOverview, ...]


def overview(contract) -> ContractOverview:
    current = status(contract.annual_premium, contract.reserves, contract.suspended, contract.termination_date)
    return ContractOverview(
        contract_number=contract.contract_number,
        kind=contract.kind,
        plan_type=contract.plan_type,
        status=current,
        annual_premium=contract.annual_premium,
        reserves=contract.reserves,
        affiliation_date=contract.affiliation_date,
        exit_date=contract.exit_date,
        termination_date=contract.termination_date,
        visible_until=visible_until(contract.termination_date) if current is Status.TERMINATED else None,
    )


def group_by_employer(contracts, today: datetime.date) -> List[EmployerContracts]:
    """The visible ones of `contracts` (one person's), per employer: current employers first, by name."""
    groups = {}
    for contract in contracts:
        try:
            if not is_visible(contract, today):
                continue
        except UndeterminedStatus:
            # The importer refuses such rows; something else wrote this one. Hide it, but say so.
            log.warning("contract %s has no determinable status; not shown", contract.contract_number)
            continue
        groups.setdefault(contract.employer_id, []).append(contract)
    result = [
        EmployerContracts(
            employer_name=members[0].employer.name,
            enterprise_number=members[0].employer.enterprise_number,
            previous=all(
                c.exit_date is not None and c.exit_date <= today for c in members if c.kind != PERSONAL_CONTRACT
            ),
            contracts=tuple(overview(c) for c in sorted(members, key=lambda c: c.contract_number)),
        )
        for members in groups.values()
    ]
    return sorted(result, key=lambda group: (group.previous, group.employer_name.casefold()))


def visible_contracts(person_number: str, today: datetime.date, *, session: Session) -> List[EmployerContracts]:
    """What the person with this national register or BIS number sees today, per employer.

    The number must come from the login, never from what someone typed: this function shows whatever
    belongs to the number it is given.
    """
    number = identifiers.validate(person_number)
    contracts = (
        session.execute(
            select(Contract)
            .join(Contract.person)
            .where(Person.national_number == number)
            .options(joinedload(Contract.employer), joinedload(Contract.person))
        )
        .scalars()
        .all()
    )
    return group_by_employer(contracts, today)
