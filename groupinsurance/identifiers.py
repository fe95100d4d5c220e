"""Belgian national register and BIS numbers: validation, birth date, kind, masking.

Both are 11 digits, YYMMDD SSS CC. CC = 97 - (YYMMDDSSS mod 97), computed on '2' + YYMMDDSSS for people
born in 2000 or later. A BIS number adds 20 (sex unknown when issued) or 40 (sex known) to the month.
python-stdnum does the checking; this module adds what it leaves to callers: reasons a person can act on,
an impossible day of the month (stdnum reads it as "day unknown"), and masking for logs and transcripts.

>>> validate('85.07.30-033.28')
'85073003328'
>>> validate('17 07 30 033 84')    # born 2017: check digits computed on '2' + the first nine digits
'17073003384'
>>> birth_date('17073003384')
datetime.date(2017, 7, 30)
>>> kind('98.47.28-997.65'), birth_date('98.47.28-997.65')   # BIS: month 47 = July, sex known
('bis', datetime.date(1998, 7, 28))
>>> kind('85073003328')
'national_register'
>>> validate('85073003329')
Traceback (most recent call last):
    ...
stdnum.exceptions.InvalidChecksum: the check digits do not match (for a birth in the 1900s or in 2000 or later)
>>> mask('85073003328')
'85.07.30-***.**'
>>> mask_in_text('Mijn rijksregisternummer is 85.07.30-033.28, dank u.')
'Mijn rijksregisternummer is 85.07.30-***.**, dank u.'
"""
from __future__ import annotations

import calendar
import datetime
import re
from typing import Optional

from stdnum.be import nn, ssn
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.util import isdigits

__all__ = [
    "ValidationError",
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "compact",
    "validate",
    "is_valid",
    "birth_date",
    "kind",
    "format",
    "mask",
    "mask_in_text",
    "calc_check_digits",
]

NATIONAL_REGISTER = "national_register"
BIS = "bis"
LENGTH = 11


def compact(number: str) -> str:
    """The number without dots, dashes and spaces (not validated)."""
    return ssn.compact(number)


def validate(number: str) -> str:
    """The number as 11 digits if it is a valid national register or BIS number.

    Raises a stdnum ValidationError (a ValueError) whose message says what is wrong, never repeating
    the number itself, so that it can go into logs and import reports.
    """
    if number is None or not str(number).strip():
        raise InvalidFormat("no number given")
    number = compact(str(number))
    if not isdigits(number):
        raise InvalidFormat("only digits, dots, dashes and spaces are allowed")
    if len(number) != LENGTH:
        raise InvalidLength(f"{len(number)} digits instead of {LENGTH}")
    month = int(number[2:4])
    if not (0 <= month <= 12 or 20 <= month <= 32 or 40 <= month <= 52):
        raise InvalidComponent(
            f"month {month:02d} is impossible (01-12; BIS numbers 21-32 or 41-52; 00, 20 or 40 if unknown)"
        )
    try:
        ssn.validate(number)
    except InvalidChecksum:
        raise InvalidChecksum(
            "the check digits do not match (for a birth in the 1900s or in 2000 or later)"
        ) from None
    except ValidationError:
        # Everything stdnum checks beyond the check digits is covered above; keep a reason anyway.
        raise InvalidComponent("not a national register or BIS number") from None
    _check_day(number)
    return number


def _check_day(number: str) -> None:
    # stdnum takes an impossible day (31 April) for "day unknown"; the register writes an unknown day
    # as 00, so a day past the end of a known month is a typing error.
    year, month = ssn.get_birth_year(number), ssn.get_birth_month(number)
    day = int(number[4:6])
    if year and month and day:
        last = calendar.monthrange(year, month)[1]
        if day > last:
            raise InvalidComponent(f"day {day:02d} is impossible in month {month:02d} of {year}")
        if datetime.date(year, month, day) > datetime.date.today():
            raise InvalidComponent("the birth date is in the future")


def is_valid(number: str) -> bool:
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def birth_date(number: str) -> Optional[datetime.date]:
    """The birth date, or None when the register did not know it in full (month or day 00)."""
    return ssn.get_birth_date(validate(number))


def kind(number: str) -> str:
    """'national_register' or 'bis' (a BIS number's month is raised by 20 or 40)."""
    number = validate(number)
    return BIS if int(number[2:4]) >= 20 else NATIONAL_REGISTER


def format(number: str) -> str:  # noqa: A001 - python-stdnum's name for it
    """The usual written form, 85.07.30-033.28."""
    return nn.format(validate(number))


def mask(number: str) -> str:
    """The number for logs and transcripts: the birth date part stays, serial and check digits go.

    Never raises: anything that is not 11 digits is masked completely, so a typo cannot leak either.
    """
    digits = compact(str(number or ""))
    if len(digits) != LENGTH or not isdigits(digits):
        return "***"
    return f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}-***.**"


# 11 digits grouped as YY MM DD SSS CC, the groups joined by nothing, a dot, a dash or a space (with
# spaces around a dash allowed). Not bounded by other digits, so longer numbers (IBANs) stay intact.
_SEP = r"(?:\s?[.\-]?\s?)"
_NUMBER_IN_TEXT = re.compile(
    rf"(?<!\d)\d{{2}}{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{2}}(?!\d)"
)


def mask_in_text(text: str) -> str:
    """Masks everything in the text shaped like a national register or BIS number.

    Check digits are deliberately not required: a number typed with a mistake is still someone's.
    """
    if not text:
        return text
    return _NUMBER_IN_TEXT.sub(lambda m: mask(m.group(0)), text)


def calc_check_digits(number: str, *, born_2000_or_later: bool) -> str:
    """The two check digits for the first nine digits (YYMMDDSSS), e.g. to generate test numbers.

    The century is not in the number, so the caller says it (the 2000+ rule).

    >>> calc_check_digits('850730033', born_2000_or_later=False)
    '28'
    >>> calc_check_digits('170730033', born_2000_or_later=True)
    '84'
    """
    if len(number) != 9 or not isdigits(number):
        raise InvalidFormat("nine digits needed")
    base = int(("2" if born_2000_or_later else "") + number)
    return f"{97 - base % 97:02d}"
