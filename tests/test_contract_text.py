"""The contract overview in Dutch and French: every status, Belgian formats, per employer."""
import datetime
import re

import pytest

from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from groupinsurance import contract_text, demo_data, i18n, status

TODAY = datetime.date(2026, 11, 22)


def plain(text):
    # Babel's fr_BE uses narrow and ordinary no-break spaces; compare with plain spaces.
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.fixture
def overview_of(session_factory):
    demo_data.load_if_empty(session_factory, TODAY)

    def overview(person, lang):
        with session_factory() as s:
            groups = status.visible_contracts(demo_data.PERSONS[person].national_number, TODAY, session=s)
        return plain(contract_text.overview_text(groups, lang, TODAY))

    return overview


def test_every_message_is_translated():
    assert i18n.missing_translations() == {"nl": [], "fr": []}


def test_belgian_amount_and_date_formats():
    assert plain(contract_text.money(contract_text.Decimal("18542.37"), "nl")) == "€ 18.542,37"
    assert plain(contract_text.money(contract_text.Decimal("18542.37"), "fr")) == "18 542,37 €"
    assert contract_text.date(datetime.date(2026, 9, 30), "nl") == "30 september 2026"
    assert contract_text.date(datetime.date(2026, 9, 30), "fr") == "30 septembre 2026"


def test_current_employer_first_then_the_previous_one_in_dutch(overview_of):
    text = overview_of("jan", "nl")
    assert text.startswith("Uw groepsverzekeringscontracten op 22 november 2026:")
    assert text.index("Brouwerij De Klok NV (huidige werkgever)") < text.index("Logistiek Schelde BV (vorige werkgever)")
    assert "• 530/100001 (werkgeversbijdragen): actief. Jaarpremie € 2.400,00; reserves € 18.542,37." in text
    assert "530/200101 (werkgeversbijdragen): passief." in text and "€ 9.876,54" in text
    # Hidden: terminated 14 months ago, and a contract outside 530/.
    assert "530/200102" not in text and "610/555001" not in text


def test_terminated_contract_says_until_when_it_stays_visible_in_french(overview_of):
    text = overview_of("marie", "fr")
    until = contract_text.date(status.visible_until(TODAY - demo_data.relativedelta(months=2)), "fr")
    assert "Boulangerie Lemaire SA (employeur actuel)" in text
    assert "Transports Mosane SRL (ancien employeur)" in text
    assert f"530/300301 (contributions patronales) : clôturé." in text
    assert f"jusqu'au {until} inclus" in text


def test_suspended_employment_is_explained(overview_of):
    text = overview_of("an", "nl")
    assert "530/100003 (werkgeversbijdragen): actief zonder premie." in text
    assert "langdurige ziekte of loopbaanonderbreking" in text and "€ 3.120,00" in text


def test_self_employed_plan_and_personal_contract(overview_of):
    assert "plan voor zelfstandigen" in overview_of("sofie", "nl")
    text = overview_of("pierre", "fr")
    assert "530/200104 (contrat personnel) : actif. Prime annuelle 900,00 €" in text
    assert re.search(r"Logistiek Schelde BV \(ancien employeur\)", text)


def test_nothing_to_show_explains_faq_9_in_both_languages():
    assert "rijksregister- of BIS-nummer" in contract_text.no_contracts_text("nl")
    assert "zes maanden" in contract_text.no_contracts_text("nl")
    assert "numéro de registre national ou BIS" in contract_text.no_contracts_text("fr")
