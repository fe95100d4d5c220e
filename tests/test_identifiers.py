"""National register and BIS numbers: validation reasons, the 2000+ rule, BIS months, masking."""
import datetime
import doctest

import pytest

from groupinsurance import identifiers
from groupinsurance.demo_data import national_number
from groupinsurance.identifiers import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    birth_date,
    calc_check_digits,
    kind,
    mask,
    mask_in_text,
    validate,
)


def with_check_digits(first_nine: str, born_2000_or_later: bool = False) -> str:
    return first_nine + calc_check_digits(first_nine, born_2000_or_later=born_2000_or_later)


def test_doctests():
    assert doctest.testmod(identifiers).failed == 0


@pytest.mark.parametrize("written", ["85.07.30-033.28", "85073003328", "85 07 30 033 28", " 850730-033.28 "])
def test_validate_accepts_the_usual_ways_of_writing_it(written):
    assert validate(written) == "85073003328"
    assert birth_date(written) == datetime.date(1985, 7, 30)
    assert kind(written) == "national_register"


def test_born_in_2000_or_later_check_digits_are_computed_on_2_plus_the_number():
    # Same first nine digits, two centuries: the check digits tell them apart.
    born_2017 = with_check_digits("170730033", born_2000_or_later=True)
    born_1917 = with_check_digits("170730033", born_2000_or_later=False)
    assert born_2017 == "17073003384"  # python-stdnum's own example
    assert birth_date(born_2017) == datetime.date(2017, 7, 30)
    assert birth_date(born_1917) == datetime.date(1917, 7, 30)


def test_a_2000_check_for_a_year_still_to_come_is_refused():
    # '30' can only be 1930 today: check digits computed as for 2030 do not match.
    with pytest.raises(InvalidChecksum):
        validate(with_check_digits("300730033", born_2000_or_later=True))


def test_born_on_1_january_2000():
    number = national_number(datetime.date(2000, 1, 1), 2)
    assert birth_date(number) == datetime.date(2000, 1, 1)


@pytest.mark.parametrize(
    "number, born",
    [
        ("98.47.28-997.65", datetime.date(1998, 7, 28)),  # month + 40: sex known
        ("01 49 07 001 85", datetime.date(2001, 9, 7)),  # month + 40, born in 2001
        (national_number(datetime.date(1979, 11, 2), 245, bis="sex_unknown"), datetime.date(1979, 11, 2)),
        (national_number(datetime.date(2003, 1, 31), 12, bis="sex_unknown"), datetime.date(2003, 1, 31)),
    ],
)
def test_bis_numbers_add_20_or_40_to_the_month(number, born):
    assert kind(number) == "bis"
    assert birth_date(number) == born


def test_bis_month_offsets_are_in_the_number():
    assert validate(national_number(datetime.date(1979, 11, 2), 245, bis="sex_unknown"))[2:4] == "31"
    assert validate(national_number(datetime.date(1979, 11, 2), 245, bis="sex_known"))[2:4] == "51"


def test_unknown_birth_day_or_month_is_valid_without_a_birth_date():
    day_unknown = with_check_digits("850700033")
    month_unknown = with_check_digits("850000033")
    assert validate(day_unknown) and birth_date(day_unknown) is None
    assert validate(month_unknown) and birth_date(month_unknown) is None


@pytest.mark.parametrize(
    "number, error, reason",
    [
        ("", InvalidFormat, "no number"),
        (None, InvalidFormat, "no number"),
        ("85.07.30-033.2A", InvalidFormat, "only digits"),
        ("8507300332", InvalidLength, "10 digits instead of 11"),
        ("850730033288", InvalidLength, "12 digits instead of 11"),
        ("85073003329", InvalidChecksum, "check digits"),
        ("98472899766", InvalidChecksum, "check digits"),  # BIS
        (with_check_digits("851330033"), InvalidComponent, "month 13"),
        (with_check_digits("853330033"), InvalidComponent, "month 33"),
        (with_check_digits("850230033"), InvalidComponent, "day 30 is impossible in month 02 of 1985"),
        (with_check_digits("850431033"), InvalidComponent, "day 31 is impossible in month 04"),
        (with_check_digits("990229033"), InvalidComponent, "day 29 is impossible in month 02 of 1999"),
        (with_check_digits("852232033"), InvalidComponent, "day 32"),  # BIS, February
    ],
)
def test_invalid_numbers_say_why(number, error, reason):
    with pytest.raises(error) as raised:
        validate(number)
    assert isinstance(raised.value, ValueError)
    assert reason in str(raised.value)
    # The reason can go into a log: it never repeats the number.
    if number and len(number) > 6:
        assert number[6:] not in str(raised.value)


def test_leap_day():
    assert birth_date(with_check_digits("040229034", born_2000_or_later=True)) == datetime.date(2004, 2, 29)


def test_birth_date_in_the_future_is_refused():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    if tomorrow.year != datetime.date.today().year:
        pytest.skip("on 31 December, tomorrow's year has no 2000+ check digits yet")
    first_nine = f"{tomorrow:%y%m%d}001"
    with pytest.raises(InvalidComponent, match="future"):
        validate(with_check_digits(first_nine, born_2000_or_later=True))


def test_calc_check_digits_matches_python_stdnum_examples():
    assert calc_check_digits("850730033", born_2000_or_later=False) == "28"
    assert calc_check_digits("984728997", born_2000_or_later=False) == "65"
    assert calc_check_digits("014907001", born_2000_or_later=True) == "85"


def test_calc_check_digits_97_when_the_remainder_is_zero():
    # 97 - 0 = 97: a valid pair, not '00'.
    first_nine = next(f"850730{s:03d}" for s in range(1, 998) if int(f"850730{s:03d}") % 97 == 0)
    assert calc_check_digits(first_nine, born_2000_or_later=False) == "97"
    assert validate(first_nine + "97")


@pytest.mark.parametrize("written", ["85073003328", "85.07.30-033.28", "85 07 30 033 28"])
def test_mask_keeps_the_birth_date_part_only(written):
    assert mask(written) == "85.07.30-***.**"


@pytest.mark.parametrize("garbage", ["", None, "123", "85.07.30-033.2A", "850730033288"])
def test_mask_never_fails_and_never_shows_anything_it_cannot_parse(garbage):
    assert mask(garbage) == "***"


@pytest.mark.parametrize(
    "written",
    ["85073003328", "85.07.30-033.28", "85 07 30 033 28", "850730-033-28", "85.07.30 - 033.28", "85.07.30-033 28"],
)
def test_mask_in_text_finds_every_way_of_writing_it(written):
    text = f"Mijn nummer is {written}, toon mijn contracten."
    masked = mask_in_text(text)
    assert masked == "Mijn nummer is 85.07.30-***.**, toon mijn contracten."


def test_mask_in_text_masks_every_number_and_mistyped_ones_too():
    text = "moi 98.47.28-997.65 et lui 85073003329 (faux)"
    assert mask_in_text(text) == "moi 98.47.28-***.** et lui 85.07.30-***.** (faux)"


@pytest.mark.parametrize(
    "text",
    [
        "Contract 530/100001 en 530/1234567",
        "IBAN BE68 5390 0754 7034",
        "BE68539007547034",
        "bel 0470 12 34 56",
        "ondernemingsnummer 0403.019.261",
        "een getal van twaalf cijfers: 850730033281",
        "",
    ],
)
def test_mask_in_text_leaves_other_numbers_alone(text):
    assert mask_in_text(text) == text
