"""Payout claims (the 'Uitkeringen' module the FAQ announces; general conditions art. 12, 14, 16).

A claim is a draft while the person fills it in (so it survives a closed tab or a restarted server, and
can be resumed), then submitted with one atomic status change: a second click, a retry after a timeout
or a restart in between finds the claim already submitted and returns it, never a second one.

Rules, current law first:
- Retirement: paid when the legal (or early) pension actually starts (since 2016; the conditions still
  say from 60, art. 14.3). The start date is asked; a legal pension cannot start before 60 (the earliest
  early-retirement age), so an earlier date is refused with that reason. Only the claimant's own visible
  contracts with reserves can be claimed; a contract already in an open claim shows that claim instead.
- Capital or annuity (16.1): the annuity is indexed 2 % a year and 80 % transferable to the surviving
  spouse or legal cohabitant; an annuity of 500 euro a year or less (indexed) is paid as capital (16.10).
- Death: a beneficiary reports it. The claim records the date of death (the death certificate, uploaded,
  names the deceased) for staff to verify and links no contract: the claimant never sees the deceased's contracts (art. 12.2 decides
  who is entitled; staff check it).
- Documents (16.4-16.8), per case, as a checklist; they can follow after the submission.
- Withdrawal: possible while the claim is a draft or submitted, not once staff are processing it.
"""
from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple

from dateutil.relativedelta import relativedelta
from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload
from stdnum import iban as iban_format
from stdnum.be import iban as belgian_iban
from stdnum.exceptions import ValidationError

from groupinsurance import identifiers, references
from groupinsurance.models import Claim, ClaimContract, Contract, utcnow
from groupinsurance.status import Status, visible_contracts

MIN_PENSION_AGE = 60
OPEN_STATUSES = ("submitted", "in_progress")
WITHDRAWABLE = ("draft", "submitted")
# Payout claims: "PC-7K3Q9M" (groupinsurance.references).
REFERENCE_PREFIX = "PC"


class Reason(str, enum.Enum):
    RETIREMENT = "retirement"
    DEATH = "death"


class DocumentKind(str, enum.Enum):
    IDENTITY_CARD = "identity_card"  # 16.4, both sides
    PROOF_OF_LIFE = "proof_of_life"  # 16.7, dated on or after the due date, with the birth date
    PENSION_START_PROOF = "pension_start_proof"  # current law: the decision on the legal pension's start
    BIRTH_CERTIFICATE = "birth_certificate"  # 16.6, annuity
    REVERSION_BIRTH_CERTIFICATE = "reversion_birth_certificate"  # 16.6, annuity with reversion
    DEATH_CERTIFICATE = "death_certificate"  # 16.8, with the birth date
    MEDICAL_CERTIFICATE = "medical_certificate"  # 16.8, the cause of death
    CERTIFICATE_OF_INHERITANCE = "certificate_of_inheritance"  # 16.8, for beneficiaries not named


@dataclass(frozen=True)
class RequiredDocument:
    kind: DocumentKind
    article: str
    # False: needed only in some cases (the text says which); it never blocks anything.
    always: bool = True


class ClaimRefused(ValueError):
    """A step of the claim cannot be taken; `reason` is a code the chat words, `reference` an open claim."""

    NOT_YOUR_CONTRACT = "not_your_contract"
    NO_RESERVES = "no_reserves"
    ALREADY_CLAIMED = "already_claimed"
    PENSION_TOO_EARLY = "pension_too_early"
    INVALID_IBAN = "invalid_iban"
    NOT_BELGIAN_IBAN = "not_belgian_iban"
    DATE_IN_FUTURE = "date_in_future"
    INCOMPLETE = "incomplete"
    NOT_WITHDRAWABLE = "not_withdrawable"
    UNKNOWN_CLAIM = "unknown_claim"

    def __init__(self, reason: str, reference: Optional[str] = None, detail: str = ""):
        super().__init__(reason if not detail else f"{reason}: {detail}")
        self.reason, self.reference, self.detail = reason, reference, detail


# --- pure rules ----------------------------------------------------------------------------------------

def required_documents(reason: str, payout_form: Optional[str] = None, reversion: bool = False) -> Tuple[RequiredDocument, ...]:
    docs = [RequiredDocument(DocumentKind.IDENTITY_CARD, "16.4")]
    if reason == Reason.RETIREMENT:
        docs += [RequiredDocument(DocumentKind.PROOF_OF_LIFE, "16.7"),
                 RequiredDocument(DocumentKind.PENSION_START_PROOF, "14.3")]
        if payout_form == "annuity":
            docs.append(RequiredDocument(DocumentKind.BIRTH_CERTIFICATE, "16.6"))
            if reversion:
                docs.append(RequiredDocument(DocumentKind.REVERSION_BIRTH_CERTIFICATE, "16.6"))
    else:
        docs += [RequiredDocument(DocumentKind.DEATH_CERTIFICATE, "16.8"),
                 RequiredDocument(DocumentKind.MEDICAL_CERTIFICATE, "16.8"),
                 RequiredDocument(DocumentKind.CERTIFICATE_OF_INHERITANCE, "16.8", always=False)]
    return tuple(docs)


def check_pension_start(national_number: str, start: datetime.date) -> None:
    """A legal or early pension does not start before 60; refuse an earlier date with that reason."""
    born = identifiers.birth_date(national_number)
    if born is not None and start < born + relativedelta(years=MIN_PENSION_AGE):
        raise ClaimRefused(ClaimRefused.PENSION_TOO_EARLY, detail=str(born + relativedelta(years=MIN_PENSION_AGE)))


def normalize_iban(value: str) -> str:
    """A Belgian IBAN, compact ('BE21001234567803'); python-stdnum checks digits and the bank code."""
    compact = iban_format.compact(value or "")
    if not compact.startswith("BE"):
        if iban_format.is_valid(compact):
            raise ClaimRefused(ClaimRefused.NOT_BELGIAN_IBAN)
        raise ClaimRefused(ClaimRefused.INVALID_IBAN)
    try:
        return belgian_iban.validate(compact)
    except ValidationError as error:
        raise ClaimRefused(ClaimRefused.INVALID_IBAN, detail=str(error)) from None


def mask_iban(value: str) -> str:
    """'BE68 5390 0754 7034' -> 'BE21 **** **** 7803': enough to recognise, not to use."""
    compact = iban_format.compact(value or "")
    if len(compact) < 8:
        return "****"
    return f"{compact[:4]} **** **** {compact[-4:]}"


# --- drafts and submissions ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimableContract:
    contract_number: str
    employer_name: str
    reserves: object
    open_claim: Optional[str]  # the reference of an open claim that already covers it


def _open_claims_by_contract(session: Session, contract_ids: Iterable[int], except_claim: Optional[int] = None):
    ids = list(contract_ids)
    if not ids:
        return {}
    query = (select(ClaimContract.contract_id, Claim.reference).join(Claim, Claim.id == ClaimContract.claim_id)
             .where(ClaimContract.contract_id.in_(ids), Claim.status.in_(OPEN_STATUSES)))
    if except_claim is not None:
        query = query.where(Claim.id != except_claim)
    return dict(session.execute(query).all())


def claimable_contracts(session: Session, claimant: str, today: datetime.date) -> List[ClaimableContract]:
    """The claimant's own visible contracts with reserves, and whether an open claim covers each."""
    candidates = {
        c.contract_number: (c, group.employer_name)
        for group in visible_contracts(claimant, today, session=session) for c in group.contracts
        if c.status is not Status.TERMINATED and c.reserves > 0
    }
    ids = dict(session.execute(select(Contract.contract_number, Contract.id)
                               .where(Contract.contract_number.in_(list(candidates)))).all()) if candidates else {}
    open_claims = _open_claims_by_contract(session, ids.values())
    return [
        ClaimableContract(number, employer, contract.reserves, open_claims.get(ids[number]))
        for number, (contract, employer) in sorted(candidates.items())
    ]


def current_draft(session: Session, claimant: str) -> Optional[Claim]:
    number = identifiers.validate(claimant)
    return session.execute(
        select(Claim).where(Claim.claimant_number == number, Claim.status == "draft")
        .order_by(Claim.created_at.desc()).options(selectinload(Claim.contracts), selectinload(Claim.documents))
    ).scalars().first()


def start_or_resume(session: Session, claimant: str, reason: str, conversation_id: Optional[str] = None) -> Tuple[Claim, bool]:
    """The claimant's draft (resumed: True) or a new one for `reason` (False). One draft per claimant."""
    draft = current_draft(session, claimant)
    if draft is not None:
        return draft, True
    claim = Claim(reference=_unused_reference(session), claimant_number=claimant, reason=Reason(reason).value,
                  status="draft", conversation_id=conversation_id)
    session.add(claim)
    session.flush()
    return claim, False


def discard_draft(session: Session, claimant: str) -> bool:
    """Starting over: the draft is withdrawn (kept for the record), a new one can begin."""
    draft = current_draft(session, claimant)
    if draft is None:
        return False
    draft.status, draft.withdrawn_at = "withdrawn", utcnow()
    return True


def set_contracts(session: Session, claim: Claim, contract_numbers: Sequence[str], today: datetime.date) -> None:
    """Retirement: the contracts to pay out, checked against the claimant's own claimable contracts."""
    claimable = {c.contract_number: c for c in claimable_contracts(session, claim.claimant_number, today)}
    chosen = []
    for number in contract_numbers:
        item = claimable.get(number)
        if item is None:
            raise ClaimRefused(ClaimRefused.NOT_YOUR_CONTRACT, detail=number)
        if item.open_claim:
            raise ClaimRefused(ClaimRefused.ALREADY_CLAIMED, reference=item.open_claim, detail=number)
        chosen.append(number)
    if not chosen:
        raise ClaimRefused(ClaimRefused.NO_RESERVES)
    claim.contracts = session.execute(select(Contract).where(Contract.contract_number.in_(chosen))).scalars().all()


def set_pension_start(claim: Claim, start: datetime.date) -> None:
    check_pension_start(claim.claimant_number, start)
    claim.pension_start_date = start


def set_payout_form(claim: Claim, payout_form: str, reversion: Optional[bool] = None) -> None:
    """Capital or annuity; for an annuity, `reversion` None means "not asked yet" (see next_step)."""
    if payout_form not in ("capital", "annuity"):
        raise ValueError(f"unknown payout form {payout_form!r}")
    claim.payout_form = payout_form
    claim.reversion = reversion if payout_form == "annuity" else None


def set_reversion(claim: Claim, reversion: bool) -> None:
    claim.reversion = bool(reversion)


def next_step(claim: Claim) -> str:
    """What the form asks next: a field of `missing_fields`, 'reversion' for an annuity, or 'confirm'."""
    missing = missing_fields(claim)
    if claim.reason == Reason.RETIREMENT and claim.payout_form == "annuity" and claim.reversion is None:
        if not missing or missing[0] == "iban":
            return "reversion"
    return missing[0] if missing else "confirm"


def set_iban(claim: Claim, value: str) -> None:
    claim.iban = normalize_iban(value)


def set_death(claim: Claim, date_of_death: datetime.date, today: datetime.date, deceased_name: str = "") -> None:
    if date_of_death > today:
        raise ClaimRefused(ClaimRefused.DATE_IN_FUTURE)
    claim.deceased_name = " ".join((deceased_name or "").split())[:200] or None
    claim.date_of_death = date_of_death


def missing_fields(claim: Claim) -> List[str]:
    """What the claim still needs before it can be submitted, in the order the form asks it."""
    if claim.reason == Reason.RETIREMENT:
        needed = [("contracts", bool(claim.contracts)), ("pension_start_date", claim.pension_start_date),
                  ("payout_form", claim.payout_form), ("iban", claim.iban)]
    else:
        # No name of the deceased is asked in the chat: the death certificate carries it (privacy).
        needed = [("date_of_death", claim.date_of_death), ("iban", claim.iban)]
    return [name for name, value in needed if not value]


def missing_documents(claim: Claim) -> List[RequiredDocument]:
    uploaded = {d.kind for d in claim.documents}
    return [d for d in required_documents(claim.reason, claim.payout_form, bool(claim.reversion))
            if d.always and d.kind.value not in uploaded]


def submit(session: Session, claimant: str, reference: str) -> Claim:
    """Submits the claimant's draft `reference`; idempotent. Documents may follow afterwards."""
    claim = _own_claim(session, claimant, reference)
    if claim.status == "draft":
        if missing_fields(claim):
            raise ClaimRefused(ClaimRefused.INCOMPLETE, reference=claim.reference, detail=", ".join(missing_fields(claim)))
        taken = _open_claims_by_contract(session, [c.id for c in claim.contracts], except_claim=claim.id)
        if taken:
            raise ClaimRefused(ClaimRefused.ALREADY_CLAIMED, reference=next(iter(taken.values())))
        # One atomic status change: of two concurrent submissions only one updates the row.
        session.execute(update(Claim).where(Claim.id == claim.id, Claim.status == "draft")
                        .values(status="submitted", submitted_at=utcnow()))
        session.refresh(claim)
    if claim.status in ("submitted", "in_progress", "paid"):
        return claim
    raise ClaimRefused(ClaimRefused.NOT_WITHDRAWABLE, reference=claim.reference)


def withdraw(session: Session, claimant: str, reference: str) -> Claim:
    claim = _own_claim(session, claimant, reference)
    if claim.status == "withdrawn":
        return claim
    if claim.status not in WITHDRAWABLE:
        raise ClaimRefused(ClaimRefused.NOT_WITHDRAWABLE, reference=claim.reference)
    claim.status, claim.withdrawn_at = "withdrawn", utcnow()
    return claim


def claims_of(session: Session, claimant: str) -> List[Claim]:
    """The claimant's claims, newest first (drafts included, withdrawn ones too)."""
    number = identifiers.validate(claimant)
    return session.execute(
        select(Claim).where(Claim.claimant_number == number).order_by(Claim.created_at.desc(), Claim.id.desc())
        .options(selectinload(Claim.contracts), selectinload(Claim.documents))
    ).scalars().all()


def _own_claim(session: Session, claimant: str, reference: str) -> Claim:
    number = identifiers.validate(claimant)
    claim = session.execute(
        select(Claim).where(Claim.reference == references.normalize(reference or ""), Claim.claimant_number == number)
        .options(selectinload(Claim.contracts), selectinload(Claim.documents))
    ).scalars().first()
    if claim is None:  # someone else's reference looks exactly like a wrong one
        raise ClaimRefused(ClaimRefused.UNKNOWN_CLAIM)
    return claim


def _unused_reference(session: Session) -> str:
    for _ in range(10):
        candidate = references.new(REFERENCE_PREFIX)
        if session.execute(select(Claim.id).where(Claim.reference == candidate)).first() is None:
            return candidate
    raise RuntimeError("no free reference after 10 draws")
