"""Exit options (general conditions art. 15 with 14.2 and 23): every option, deadline and rule at its
boundaries, the self-employed variant, no exit on record, and registering a choice."""
import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from groupinsurance import demo_data, exit_options
from groupinsurance.exit_options import ChoiceRefused, DeadlineState, Option
from groupinsurance.models import ExitChoice

TODAY = datetime.date(2026, 11, 22)
D = datetime.date


def contract(number="530/000001", kind="A", plan="salaried", reserves="5000.00", exit=D(2026, 10, 1),
             notice=D(2026, 10, 20), affiliation=D(2020, 1, 1), employer_id=1, employer="Werkgever NV"):
    return SimpleNamespace(contract_number=number, kind=kind, plan_type=plan, reserves=Decimal(reserves),
                           exit_date=exit, exit_notice_date=notice, affiliation_date=affiliation,
                           employer_id=employer_id, employer=SimpleNamespace(name=employer))


# --- the deadline: 30 days after the reserves were communicated (15.1), then the default (15.2) ---

@pytest.mark.parametrize("notice, today, state, last_day", [
    (D(2026, 10, 20), D(2026, 11, 19), DeadlineState.OPEN, D(2026, 11, 19)),     # the 30th day
    (D(2026, 10, 20), D(2026, 11, 20), DeadlineState.PASSED, D(2026, 11, 19)),   # the day after
    (D(2026, 10, 20), D(2026, 10, 20), DeadlineState.OPEN, D(2026, 11, 19)),     # the day it was sent
    (D(2024, 2, 10), D(2024, 3, 11), DeadlineState.OPEN, D(2024, 3, 11)),       # through 29 February
    (None, D(2026, 11, 22), DeadlineState.NOT_YET_COMMUNICATED, None),
])
def test_deadline(notice, today, state, last_day):
    assert exit_options.deadline(notice) == last_day
    assert exit_options.deadline_state(notice, today) == state


# --- 15.3: 90 days of death protection after the exit while no choice is known -----------------------

def test_death_protection_lasts_90_days_from_the_exit():
    exit_date = D(2026, 9, 1)
    assert exit_options.death_protection_until(exit_date, D(2026, 11, 30), choice_made=False) == D(2026, 11, 30)
    assert exit_options.death_protection_until(exit_date, D(2026, 12, 1), choice_made=False) is None
    assert exit_options.death_protection_until(exit_date, D(2026, 9, 2), choice_made=True) is None


# --- 15.4: after at least 42 months, salaried only ------------------------------------------------

@pytest.mark.parametrize("plan, affiliation, exit_date, possible", [
    ("salaried", D(2020, 1, 1), D(2023, 7, 1), True),     # exactly 42 months
    ("salaried", D(2020, 1, 1), D(2023, 6, 30), False),   # a day short
    ("salaried", D(2019, 8, 31), D(2023, 2, 28), True),   # month ends: 31 August + 42 months = 28 February
    ("self_employed", D(2000, 1, 1), D(2023, 7, 1), False),
    ("salaried", None, D(2023, 7, 1), False),             # affiliation unknown: not claimed
])
def test_personal_payments_after_42_months(plan, affiliation, exit_date, possible):
    assert exit_options.personal_payments_possible(plan, affiliation, exit_date) is possible


# --- which contracts have options, and which options ------------------------------------------------

def test_salaried_options_include_the_reception_structure():
    result = exit_options.contract_exit(contract(), D(2026, 11, 19))
    assert result.options == (Option.TRANSFER_NEW_EMPLOYER, Option.TRANSFER_OTHER_INSTITUTION,
                              Option.KEEP_UNCHANGED, Option.RECEPTION_STRUCTURE, Option.CONTINUE_PERSONALLY)
    assert result.deadline == D(2026, 11, 19) and result.deadline_state is DeadlineState.OPEN


def test_after_the_deadline_the_default_applies_and_only_transfers_remain():
    result = exit_options.contract_exit(contract(), D(2026, 11, 20))
    assert result.deadline_state is DeadlineState.PASSED
    assert exit_options.DEFAULT_OPTION is Option.KEEP_UNCHANGED
    assert result.options == (Option.TRANSFER_NEW_EMPLOYER, Option.TRANSFER_OTHER_INSTITUTION,
                              Option.RECEPTION_STRUCTURE)


def test_self_employed_options_follow_15_5():
    result = exit_options.contract_exit(contract(plan="self_employed"), TODAY)
    assert Option.RECEPTION_STRUCTURE not in result.options and Option.TRANSFER_OTHER_INSTITUTION not in result.options
    assert Option.SELF_EMPLOYED_COMBINATION in result.options and Option.TRANSFER_NEW_EMPLOYER in result.options
    assert result.personal_payments_possible is False


@pytest.mark.parametrize("changes", [
    {"exit": None, "notice": None},          # still employed: no exit on record
    {"reserves": "0"},                       # nothing left to choose for
    {"kind": "P"},                           # a personal contract is not affected by the exit
    {"number": "610/000001"},                # not group insurance
])
def test_contracts_without_options(changes):
    assert exit_options.contract_exit(contract(**changes), TODAY) is None


def test_employer_contributions_are_included_whatever_the_affiliation_length():
    # 14.2 still says 'A' is the affiliate's only after one year; since 2019 it vests at once.
    result = exit_options.contract_exit(contract(kind="A", affiliation=D(2026, 6, 1), exit=D(2026, 10, 1)), TODAY)
    assert result is not None and result.kind == "A"


def test_grouped_per_employer_most_recent_exit_first_with_the_personal_contract_beside():
    contracts = [
        contract("530/1", exit=D(2015, 8, 31), employer_id=1, employer="Oud NV"),
        contract("530/2", exit=D(2026, 11, 1), employer_id=2, employer="Recent BV"),
        contract("530/3", kind="C", exit=D(2026, 11, 1), employer_id=2, employer="Recent BV"),
        contract("530/4", kind="P", reserves="900", exit=None, employer_id=2, employer="Recent BV"),
        contract("530/5", exit=None, employer_id=3, employer="Huidig NV"),
    ]
    groups = exit_options.exits(contracts, TODAY)
    assert [g.employer_name for g in groups] == ["Recent BV", "Oud NV"]
    assert [c.contract_number for c in groups[0].contracts] == ["530/2", "530/3"]
    assert groups[0].personal_contracts == ("530/4",)


# --- registering a choice ------------------------------------------------------------------------

KARIM = demo_data.PERSONS["karim"].national_number
JAN = demo_data.PERSONS["jan"].national_number
SOFIE = demo_data.PERSONS["sofie"].national_number


@pytest.fixture
def demo(session_factory):
    demo_data.load_if_empty(session_factory, TODAY)
    return session_factory


def test_the_demo_person_who_just_left_has_twenty_days_and_the_90_day_protection(demo):
    with demo() as s:
        [group] = exit_options.person_exits(s, KARIM, TODAY)
    assert group.employer_name == "Logistiek Schelde BV"
    first = group.contracts[0]
    assert first.deadline == TODAY + datetime.timedelta(days=20) and first.deadline_state is DeadlineState.OPEN
    assert first.death_protection_until == TODAY - datetime.timedelta(weeks=3) + datetime.timedelta(days=90)
    assert first.personal_payments_possible is False  # 30 months affiliated


def test_a_choice_gets_a_reference_and_a_double_submission_makes_one(demo):
    with demo.begin() as s:
        first = exit_options.register_choice(s, KARIM, "530/200105", "reception_structure", TODAY, "conv-1")
        again = exit_options.register_choice(s, KARIM, "530/200105", "reception_structure", TODAY, "conv-1")
        assert again.id == first.id
    assert first.reference.startswith("EX-") and len(first.reference) == 9
    with demo() as s:
        assert len(s.execute(select(ExitChoice)).scalars().all()) == 1
        # The choice ends the 90-day protection wait: it is known now.
        [group] = exit_options.person_exits(s, KARIM, TODAY)
        assert group.contracts[0].death_protection_until is None


def test_a_new_choice_supersedes_the_earlier_one(demo):
    with demo.begin() as s:
        first = exit_options.register_choice(s, KARIM, "530/200105", "keep_unchanged", TODAY)
    with demo.begin() as s:
        second = exit_options.register_choice(s, KARIM, "530/200105", "transfer_new_employer", TODAY)
    with demo() as s:
        statuses = dict(s.execute(select(ExitChoice.reference, ExitChoice.status)).all())
        current = exit_options.registered_choices(s, KARIM)
    assert statuses == {first.reference: "superseded", second.reference: "registered"}
    assert current["530/200105"].option == "transfer_new_employer"


@pytest.mark.parametrize("number, contract_number, option, reason", [
    (JAN, "530/200105", "keep_unchanged", ChoiceRefused.NOT_YOUR_CONTRACT),   # Karim's contract
    (KARIM, "530/999999", "keep_unchanged", ChoiceRefused.NOT_YOUR_CONTRACT),
    (JAN, "530/100001", "keep_unchanged", ChoiceRefused.NO_OPTIONS),          # Jan still works there
    (KARIM, "530/200105", "buy_a_boat", ChoiceRefused.OPTION_NOT_OFFERED),
    (JAN, "530/200101", "continue_personally", ChoiceRefused.OPTION_NOT_OFFERED),  # 30 days long gone
])
def test_refused_choices(demo, number, contract_number, option, reason):
    with pytest.raises(ChoiceRefused) as refused:
        with demo.begin() as s:
            exit_options.register_choice(s, number, contract_number, option, TODAY)
    assert refused.value.reason == reason
    with demo() as s:
        assert s.execute(select(ExitChoice)).first() is None


def test_a_passed_deadline_still_allows_a_transfer(demo):
    # Jan left in 2015: the default applied long ago (15.2), and a transfer stays possible at any time.
    with demo.begin() as s:
        choice = exit_options.register_choice(s, JAN, "530/200101", "transfer_other_institution", TODAY)
    assert choice.status == "registered"


# --- the wording (groupinsurance/exit_text.py) -----------------------------------------------------

from groupinsurance import exit_text  # noqa: E402


def words(contracts, lang, today=TODAY, choices=None):
    return exit_text.exits_text(exit_options.exits(contracts, today), lang, today, choices or {}).replace("\xa0", " ")


def test_wording_while_the_30_days_run_in_dutch():
    text = words([contract(exit=D(2026, 11, 1), notice=D(2026, 11, 10))], "nl")
    assert "Werkgever NV: u bent uit dienst sinds 1 november 2026." in text
    assert "U kunt kiezen tot en met 10 december 2026" in text
    assert "Kiest u niet op tijd, dan blijven uw reserves ongewijzigd bij ons (art. 15.2)" in text
    assert "Tot en met 30 januari 2027" in text and "(art. 15.3)" in text
    assert "minstens 42 maanden" in text  # affiliated since 2020


def test_wording_after_the_deadline_and_before_the_communication_in_french():
    passed = words([contract(exit=D(2015, 8, 31), notice=D(2015, 10, 5))], "fr")
    assert "Le délai de 30 jours pour choisir a pris fin le 4 novembre 2015" in passed
    assert "continuer à payer vous-même" not in passed and "(art. 15.3)" not in passed
    pending = words([contract(exit=D(2026, 12, 31), notice=None)], "fr")
    assert "vous quittez l'entreprise le 31 décembre 2026" in pending
    assert "Votre employeur signale votre sortie" in pending


def test_wording_for_a_self_employed_plan_and_a_personal_contract():
    text = words([contract(plan="self_employed"), contract("530/9", kind="P", exit=None)], "nl", D(2026, 11, 1))
    assert "art. 15.5" in text and "onthaalstructuur (art. 23)" not in text
    assert "Uw persoonlijk contract 530/9 blijft buiten de uittreding" in text
    assert "42 maanden" not in text


def test_wording_shows_a_registered_choice_with_its_reference():
    choice = SimpleNamespace(option="reception_structure", reference="EX-ABC123")
    text = words([contract()], "fr", choices={"530/000001": choice})
    assert "Votre choix pour 530/000001 : Structure d'accueil (référence EX-ABC123)." in text
