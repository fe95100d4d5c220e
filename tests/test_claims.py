"""Payout claims: eligibility under current law, IBAN, documents per case, drafts that resume,
idempotent submission, withdrawal, and the death-claim privacy rule."""
import datetime

import pytest
from sqlalchemy import func, select

from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from groupinsurance import claims, demo_data, identifiers
from groupinsurance.claims import ClaimRefused, DocumentKind
from groupinsurance.models import Claim, ClaimDocument

TODAY = datetime.date(2026, 11, 22)
JAN = demo_data.PERSONS["jan"].national_number  # born 12 May 1984
PIERRE = demo_data.PERSONS["pierre"].national_number  # born 3 June 1968
MARIE = demo_data.PERSONS["marie"].national_number
GOOD_IBAN = "BE21 0012 3456 7803"


@pytest.fixture
def demo(session_factory):
    demo_data.load_if_empty(session_factory, TODAY)
    return session_factory


# --- pure rules ------------------------------------------------------------------------------------

def test_a_legal_pension_does_not_start_before_60():
    claims.check_pension_start(PIERRE, datetime.date(2028, 6, 3))  # his 60th birthday
    with pytest.raises(ClaimRefused) as refused:
        claims.check_pension_start(PIERRE, datetime.date(2028, 6, 2))
    assert refused.value.reason == ClaimRefused.PENSION_TOO_EARLY and refused.value.detail == "2028-06-03"


@pytest.mark.parametrize("value, expected", [
    (GOOD_IBAN, "BE21001234567803"),
    ("be56363123456788", "BE56363123456788"),
    ("BE86-0682-5001-0150", "BE86068250010150"),
])
def test_belgian_ibans(value, expected):
    assert claims.normalize_iban(value) == expected


@pytest.mark.parametrize("value, reason", [
    ("BE21 0012 3456 7804", ClaimRefused.INVALID_IBAN),      # check digits
    ("BE68 5390 0754 7034", ClaimRefused.INVALID_IBAN),      # no such Belgian bank code
    ("NL91 ABNA 0417 1643 00", ClaimRefused.NOT_BELGIAN_IBAN),
    ("12345", ClaimRefused.INVALID_IBAN),
    ("", ClaimRefused.INVALID_IBAN),
])
def test_refused_ibans(value, reason):
    with pytest.raises(ClaimRefused) as refused:
        claims.normalize_iban(value)
    assert refused.value.reason == reason


def test_an_iban_is_shown_masked():
    assert claims.mask_iban("BE21001234567803") == "BE21 **** **** 7803"


def test_documents_per_case():
    kinds = lambda *args: [d.kind for d in claims.required_documents(*args)]  # noqa: E731
    assert kinds("retirement", "capital") == [DocumentKind.IDENTITY_CARD, DocumentKind.PROOF_OF_LIFE,
                                              DocumentKind.PENSION_START_PROOF]
    assert kinds("retirement", "annuity", True)[-2:] == [DocumentKind.BIRTH_CERTIFICATE,
                                                         DocumentKind.REVERSION_BIRTH_CERTIFICATE]
    assert DocumentKind.REVERSION_BIRTH_CERTIFICATE not in kinds("retirement", "annuity", False)
    death = claims.required_documents("death")
    assert [d.kind for d in death] == [DocumentKind.IDENTITY_CARD, DocumentKind.DEATH_CERTIFICATE,
                                       DocumentKind.MEDICAL_CERTIFICATE, DocumentKind.CERTIFICATE_OF_INHERITANCE]
    assert [d.article for d in death] == ["16.4", "16.8", "16.8", "16.8"] and death[-1].always is False


# --- a retirement claim from draft to submission ----------------------------------------------------

def fill_retirement(session, claimant=PIERRE, numbers=("530/200103",), start=datetime.date(2033, 7, 1)):
    claim, resumed = claims.start_or_resume(session, claimant, "retirement", "conversation-1")
    claims.set_contracts(session, claim, list(numbers), TODAY)
    claims.set_pension_start(claim, start)
    claims.set_payout_form(claim, "annuity", reversion=True)
    claims.set_iban(claim, GOOD_IBAN)
    return claim, resumed


def test_a_draft_is_resumed_after_leaving_the_form(demo):
    with demo.begin() as s:
        claim, resumed = claims.start_or_resume(s, PIERRE, "retirement")
        claims.set_contracts(s, claim, ["530/200103"], TODAY)
        reference = claim.reference
    assert not resumed and reference.startswith("PC-")
    with demo.begin() as s:  # later, another conversation, another process
        again, resumed = claims.start_or_resume(s, PIERRE, "retirement")
        assert resumed and again.reference == reference
        assert [c.contract_number for c in again.contracts] == ["530/200103"]
        assert claims.missing_fields(again) == ["pension_start_date", "payout_form", "iban"]


def test_submitting_twice_or_after_a_retry_makes_one_claim(demo):
    with demo.begin() as s:
        claim, _ = fill_retirement(s)
        reference = claim.reference
    with demo.begin() as s:
        first = claims.submit(s, PIERRE, reference)
    with demo.begin() as s:
        second = claims.submit(s, PIERRE, reference)  # the double click, the retry after a timeout
    assert first.id == second.id and second.status == "submitted" and second.submitted_at is not None
    with demo() as s:
        assert s.execute(select(func.count(Claim.id))).scalar_one() == 1


def test_an_incomplete_claim_is_not_submitted(demo):
    with demo.begin() as s:
        claim, _ = claims.start_or_resume(s, PIERRE, "retirement")
        reference = claim.reference
    with pytest.raises(ClaimRefused) as refused:
        with demo.begin() as s:
            claims.submit(s, PIERRE, reference)
    assert refused.value.reason == ClaimRefused.INCOMPLETE and "contracts" in refused.value.detail


def test_a_contract_in_an_open_claim_shows_that_claim_instead(demo):
    with demo.begin() as s:
        claim, _ = fill_retirement(s)
        claims.submit(s, PIERRE, claim.reference)
        reference = claim.reference
    with demo.begin() as s:
        listed = {c.contract_number: c.open_claim for c in claims.claimable_contracts(s, PIERRE, TODAY)}
        assert listed == {"530/200103": reference, "530/200104": None}
        draft, resumed = claims.start_or_resume(s, PIERRE, "retirement")
        assert not resumed
        with pytest.raises(ClaimRefused) as refused:
            claims.set_contracts(s, draft, ["530/200103"], TODAY)
    assert refused.value.reason == ClaimRefused.ALREADY_CLAIMED and refused.value.reference == reference


@pytest.mark.parametrize("claimant, number, reason", [
    (JAN, "530/200103", ClaimRefused.NOT_YOUR_CONTRACT),   # Pierre's
    (MARIE, "530/300301", ClaimRefused.NOT_YOUR_CONTRACT),  # her own, but terminated: no reserves
    (JAN, "610/555001", ClaimRefused.NOT_YOUR_CONTRACT),   # not group insurance
])
def test_only_own_contracts_with_reserves(demo, claimant, number, reason):
    with pytest.raises(ClaimRefused) as refused:
        with demo.begin() as s:
            claim, _ = claims.start_or_resume(s, claimant, "retirement")
            claims.set_contracts(s, claim, [number], TODAY)
    assert refused.value.reason == reason


def test_withdrawal_before_processing_only(demo):
    with demo.begin() as s:
        claim, _ = fill_retirement(s)
        claims.submit(s, PIERRE, claim.reference)
        reference = claim.reference
    with demo.begin() as s:
        assert claims.withdraw(s, PIERRE, reference).status == "withdrawn"
        assert claims.withdraw(s, PIERRE, reference).status == "withdrawn"  # again: no error
    with demo.begin() as s:
        other, _ = fill_retirement(s)
        claims.submit(s, PIERRE, other.reference)
        other.status = "in_progress"  # staff took it
        other_reference = other.reference
    with pytest.raises(ClaimRefused) as refused:
        with demo.begin() as s:
            claims.withdraw(s, PIERRE, other_reference)
    assert refused.value.reason == ClaimRefused.NOT_WITHDRAWABLE


def test_someone_elses_reference_is_unknown(demo):
    with demo.begin() as s:
        claim, _ = fill_retirement(s)
        reference = claim.reference
    for action in (claims.submit, claims.withdraw):
        with pytest.raises(ClaimRefused) as refused:
            with demo.begin() as s:
                action(s, JAN, reference)
        assert refused.value.reason == ClaimRefused.UNKNOWN_CLAIM


def test_references_are_read_forgivingly(demo):
    with demo.begin() as s:
        claim, _ = fill_retirement(s)
        reference = claim.reference
    with demo.begin() as s:
        typed = reference.lower().replace("0", "o").replace("1", "l")
        assert claims.withdraw(s, PIERRE, typed).reference == reference


def test_missing_documents_follow_the_uploads(demo):
    with demo.begin() as s:
        claim, _ = fill_retirement(s)
        s.add(ClaimDocument(claim=claim, kind="identity_card", original_name="id.pdf", stored_name="x1.pdf",
                            content_type="application/pdf", size=10, sha256="0" * 64))
        s.flush()
        missing = [d.kind for d in claims.missing_documents(claim)]
    assert missing == [DocumentKind.PROOF_OF_LIFE, DocumentKind.PENSION_START_PROOF, DocumentKind.BIRTH_CERTIFICATE,
                       DocumentKind.REVERSION_BIRTH_CERTIFICATE]


# --- death claims ------------------------------------------------------------------------------------

def test_a_death_claim_links_no_contract_and_needs_no_number_of_the_deceased(demo):
    beneficiary = identifiers.validate(demo_data.national_number(datetime.date(1990, 3, 3), 40))  # not insured here
    with demo.begin() as s:
        claim, _ = claims.start_or_resume(s, beneficiary, "death")
        claims.set_death(claim, datetime.date(2026, 11, 2), TODAY, deceased_name="  Pierre   Lambert ")
        claims.set_iban(claim, GOOD_IBAN)
        submitted = claims.submit(s, beneficiary, claim.reference)
        assert submitted.status == "submitted" and submitted.contracts == []
        assert submitted.deceased_name == "Pierre Lambert"
    with pytest.raises(ClaimRefused) as refused:
        with demo.begin() as s:
            claim, _ = claims.start_or_resume(s, beneficiary, "death")
            claims.set_death(claim, TODAY + datetime.timedelta(days=1), TODAY)
    assert refused.value.reason == ClaimRefused.DATE_IN_FUTURE


def test_the_form_asks_in_order_and_asks_the_reversion_for_an_annuity_only(demo):
    with demo.begin() as s:
        claim, _ = claims.start_or_resume(s, PIERRE, "retirement")
        assert claims.next_step(claim) == "contracts"
        claims.set_contracts(s, claim, ["530/200103"], TODAY)
        assert claims.next_step(claim) == "pension_start_date"
        claims.set_pension_start(claim, datetime.date(2033, 7, 1))
        assert claims.next_step(claim) == "payout_form"
        claims.set_payout_form(claim, "annuity")
        assert claims.next_step(claim) == "reversion"
        claims.set_reversion(claim, False)
        assert claims.next_step(claim) == "iban"
        claims.set_iban(claim, GOOD_IBAN)
        assert claims.next_step(claim) == "confirm"
        claims.set_payout_form(claim, "capital")
        assert claim.reversion is None and claims.next_step(claim) == "confirm"
