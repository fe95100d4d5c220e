"""The status rules (employer FAQ 1, 2, 3, 5, 9), each at its boundary."""
import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from groupinsurance import demo_data
from groupinsurance.importer import import_text
from groupinsurance.models import Contract, Employer, Person
from groupinsurance.status import (
    Status,
    UndeterminedStatus,
    group_by_employer,
    is_group_insurance,
    is_visible,
    status,
    visible_contracts,
    visible_until,
)

D = datetime.date
ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def contract(number="530/000001", person=True, premium=ZERO, reserves=ZERO, suspended=False,
             termination=None, employer_id=1, employer_name="Werkgever", exit=None, kind="A"):
    return SimpleNamespace(
        contract_number=number,
        person=object() if person else None,
        annual_premium=premium,
        reserves=reserves,
        suspended=suspended,
        termination_date=termination,
        employer_id=employer_id,
        employer=SimpleNamespace(name=employer_name, enterprise_number=None),
        kind=kind,
        plan_type="salaried",
        affiliation_date=None,
        exit_date=exit,
    )


# --- 530/ only ---


@pytest.mark.parametrize("number", ["530/100001", "530/1", "530/"])
def test_530_contracts_are_group_insurance(number):
    assert is_group_insurance(number)


@pytest.mark.parametrize("number", ["531/100001", "053/100001", "5300/1", "530-100001", " 530/1", "", None, "610/530/1"])
def test_other_numbers_are_not(number):
    assert not is_group_insurance(number)


def test_a_non_530_contract_is_never_shown_even_when_active():
    assert not is_visible(contract("610/555001", premium=Decimal("1200.00")), D(2026, 1, 1))


# --- a contract without national number (FAQ 9) ---


def test_a_contract_without_national_number_is_shown_to_nobody():
    assert not is_visible(contract(person=False, premium=Decimal("1500.00")), D(2026, 1, 1))


# --- statuses ---


@pytest.mark.parametrize(
    "premium, reserves, suspended, termination, expected",
    [
        (CENT, ZERO, False, None, Status.ACTIVE),  # the smallest premium is a premium
        (Decimal("2400.00"), Decimal("18542.37"), False, None, Status.ACTIVE),
        (CENT, ZERO, True, None, Status.ACTIVE),  # premium paid: active, whatever the flag says
        (CENT, ZERO, False, D(2026, 3, 31), Status.ACTIVE),  # premium paid: not terminated
        (ZERO, Decimal("3120.00"), True, None, Status.ACTIVE_SUSPENDED),
        (ZERO, ZERO, True, None, Status.ACTIVE_SUSPENDED),
        (ZERO, CENT, False, None, Status.PASSIVE),  # the smallest reserve is a reserve
        (ZERO, CENT, False, D(2026, 3, 31), Status.PASSIVE),  # reserves remain: not terminated yet
        (ZERO, ZERO, False, D(2026, 3, 31), Status.TERMINATED),
        (ZERO, ZERO, True, D(2026, 3, 31), Status.TERMINATED),  # termination is the later fact
    ],
)
def test_status(premium, reserves, suspended, termination, expected):
    assert status(premium, reserves, suspended, termination) is expected


def test_no_premium_no_reserves_and_no_termination_date_is_no_status():
    with pytest.raises(UndeterminedStatus):
        status(ZERO, ZERO, False, None)


# --- six months after termination (FAQ 1, 2, 5) ---


@pytest.mark.parametrize(
    "terminated, last_visible_day",
    [
        (D(2026, 3, 31), D(2026, 9, 30)),  # September has no 31st: its last day
        (D(2026, 1, 15), D(2026, 7, 15)),
        (D(2026, 8, 31), D(2027, 2, 28)),
        (D(2027, 8, 31), D(2028, 2, 29)),  # leap year
        (D(2026, 7, 1), D(2027, 1, 1)),  # over the turn of the year
    ],
)
def test_visible_until_is_six_calendar_months_later(terminated, last_visible_day):
    assert visible_until(terminated) == last_visible_day
    terminated_contract = contract(termination=terminated)
    assert is_visible(terminated_contract, terminated)
    assert is_visible(terminated_contract, last_visible_day)
    assert not is_visible(terminated_contract, last_visible_day + datetime.timedelta(days=1))


def test_a_termination_still_to_come_is_visible():
    assert is_visible(contract(termination=D(2026, 12, 31)), D(2026, 11, 22))


@pytest.mark.parametrize("today", [D(2026, 9, 30), D(2026, 10, 1), D(2040, 1, 1)])
def test_passive_and_active_contracts_stay_visible_whatever_the_date(today):
    assert is_visible(contract(reserves=CENT, termination=D(2026, 3, 31)), today)
    assert is_visible(contract(premium=CENT), today)
    assert is_visible(contract(suspended=True), today)


# --- per employer (FAQ 5) ---


def test_grouping_previous_employers_after_current_ones_and_hidden_ones_left_out():
    today = D(2026, 11, 22)
    groups = group_by_employer(
        [
            contract("530/3", employer_id=2, employer_name="Vorige NV", exit=D(2020, 1, 1), reserves=CENT),
            contract("530/2", employer_id=1, employer_name="Huidige NV", premium=CENT),
            contract("530/1", employer_id=1, employer_name="Huidige NV", premium=CENT),
            contract("530/4", employer_id=3, employer_name="Oud BV", exit=D(2019, 1, 1), termination=D(2025, 1, 1)),
            contract("610/5", employer_id=1, employer_name="Huidige NV", premium=CENT),
        ],
        today,
    )
    assert [(g.employer_name, g.previous, [c.contract_number for c in g.contracts]) for g in groups] == [
        ("Huidige NV", False, ["530/1", "530/2"]),
        ("Vorige NV", True, ["530/3"]),
    ]


def test_an_exit_later_than_today_keeps_the_employer_current():
    today = D(2026, 11, 22)
    [group] = group_by_employer([contract(premium=CENT, exit=D(2026, 11, 30))], today)
    assert not group.previous
    [group] = group_by_employer([contract(premium=CENT, exit=today)], today)
    assert group.previous


def test_a_personal_contract_alone_does_not_make_the_employer_current():
    today = D(2026, 11, 22)
    [group] = group_by_employer(
        [contract("530/1", reserves=CENT, exit=D(2019, 12, 31)), contract("530/2", premium=CENT, kind="P")], today
    )
    assert group.previous


def test_undetermined_contracts_are_left_out_not_fatal():
    [group] = group_by_employer([contract("530/1", premium=CENT), contract("530/2")], D(2026, 1, 1))
    assert [c.contract_number for c in group.contracts] == ["530/1"]


# --- from the database ---


@pytest.fixture
def demo(session, session_factory):
    import_text(demo_data.demo_csv(D(2026, 11, 22)), session_factory)
    return demo_data.PERSONS


def test_visible_contracts_of_the_demo_people(session, demo):
    def shown(key, today=D(2026, 11, 22)):
        return [
            (g.employer_name, g.previous, [(c.contract_number, c.status.value) for c in g.contracts])
            for g in visible_contracts(demo[key].national_number, today, session=session)
        ]

    assert shown("jan") == [
        ("Brouwerij De Klok NV", False, [("530/100001", "active"), ("530/100002", "active")]),
        ("Logistiek Schelde BV", True, [("530/200101", "passive")]),
    ]
    assert shown("marie") == [
        ("Boulangerie Lemaire SA", False, [("530/100201", "active")]),
        ("Transports Mosane SRL", True, [("530/300301", "terminated")]),
    ]
    assert shown("an") == [("Brouwerij De Klok NV", False, [("530/100003", "active_suspended")])]
    assert shown("luc") == [("Boulangerie Lemaire SA", False, [("530/100202", "active")])]
    assert shown("sofie") == [("Claes Consult BV", False, [("530/400401", "active")])]
    assert shown("pierre") == [("Logistiek Schelde BV", True, [("530/200103", "passive"), ("530/200104", "active")])]
    assert shown("els") == []


def test_the_terminated_contract_disappears_after_its_last_visible_day(session, demo):
    number = demo["marie"].national_number
    [_, previous] = visible_contracts(number, D(2026, 11, 22), session=session)
    last_day = previous.contracts[0].visible_until
    assert last_day == D(2027, 3, 22)
    assert len(visible_contracts(number, last_day, session=session)) == 2
    assert len(visible_contracts(number, last_day + datetime.timedelta(days=1), session=session)) == 1


def test_amounts_and_dates_come_back_as_decimal_and_date(session, demo):
    [current, _] = visible_contracts(demo["jan"].national_number, D(2026, 11, 22), session=session)
    first = current.contracts[0]
    assert first.annual_premium == Decimal("2400.00") and isinstance(first.annual_premium, Decimal)
    assert first.reserves == Decimal("18542.37")
    assert first.affiliation_date == D(2015, 9, 1)
    assert current.enterprise_number == demo_data.EMPLOYERS["klok"].number


def test_the_number_may_be_written_with_separators(session, demo):
    from groupinsurance import identifiers

    written = identifiers.format(demo["luc"].national_number)
    assert visible_contracts(written, D(2026, 11, 22), session=session)


def test_nobody_sees_the_contract_without_national_number(session, demo):
    everyone = [
        c.contract_number
        for p in demo.values()
        for g in visible_contracts(p.national_number, D(2026, 11, 22), session=session)
        for c in g.contracts
    ]
    assert "530/100004" not in everyone
    orphan = session.execute(select(Contract).filter_by(contract_number="530/100004")).scalar_one()
    assert orphan.person is None and orphan.reserves == Decimal("2300.00")


def test_an_unknown_number_sees_nothing_and_an_invalid_one_is_refused(session, demo):
    stranger = demo_data.national_number(D(1985, 7, 30), 33)
    assert visible_contracts(stranger, D(2026, 11, 22), session=session) == []
    with pytest.raises(ValueError):
        visible_contracts("85073003329", D(2026, 11, 22), session=session)


def test_each_person_sees_only_their_own(session):
    employer = Employer(name="Gedeelde Werkgever BV")
    one = Person(national_number=demo_data.national_number(D(1980, 1, 1), 1), first_name="A", last_name="A", language="nl")
    two = Person(national_number=demo_data.national_number(D(1980, 1, 1), 2), first_name="B", last_name="B", language="fr")
    with session.begin():
        session.add_all([
            Contract(contract_number="530/1", person=one, employer=employer, kind="A", annual_premium=Decimal("1")),
            Contract(contract_number="530/2", person=two, employer=employer, kind="A", annual_premium=Decimal("1")),
        ])
    [group] = visible_contracts(one.national_number, D(2026, 1, 1), session=session)
    assert [c.contract_number for c in group.contracts] == ["530/1"]
