"""Imports the insurer's nightly export (CSV, one row per contract) into the database.

    python -m groupinsurance.importer path.csv        (or: make import FILE=path.csv)

All or nothing: every row is checked first, and a file with any bad row imports nothing and reports
every bad row with its line number and reasons. A good file is written in one transaction. Importing
again updates: contracts are matched by contract number, persons by national number, employers by
enterprise number (by name for an organiser without one). Contracts missing from a later file are kept.

National numbers never appear in clear in what this module prints or logs.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import io
import logging
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, TextIO, Tuple

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from stdnum.be import vat
from stdnum.exceptions import ValidationError

from groupinsurance import db, identifiers
from groupinsurance.models import CONTRACT_KINDS, LANGUAGES, PLAN_TYPES, Contract, Employer, Person
from groupinsurance.status import UndeterminedStatus, status

log = logging.getLogger(__name__)

HEADER = (
    "national_number,first_name,last_name,language,employer_number,employer_name,contract_number,"
    "contract_kind,plan_type,annual_premium,reserves,affiliation_date,exit_date,exit_notice_date,"
    "termination_date,suspended,business_email,private_email"
).split(",")
PROGRESS_EVERY = 5000
# Lookups of existing rows go in chunks: SQLite allows at most 999 bound parameters in older builds.
CHUNK = 500

_AMOUNT = re.compile(r"\d{1,12}(\.\d{1,2})?")
_BOOLEANS = {"": False, "0": False, "false": False, "1": True, "true": True}


# --- reading and checking --------------------------------------------------------------------------


@dataclass
class RowError:
    line: int  # 1 is the header; 0 for the file as a whole
    reasons: List[str]

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        # Defence in depth: whatever a reason quotes, a national number in it is masked.
        return identifiers.mask_in_text(f"{where}: " + "; ".join(self.reasons))


class ImportRejected(Exception):
    """The file has bad rows (all in `errors`); nothing was imported."""

    def __init__(self, errors: List[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} bad row(s); nothing imported")


@dataclass
class Row:
    line: int
    national_number: Optional[str]
    first_name: str
    last_name: str
    language: Optional[str]
    employer_number: Optional[str]
    employer_name: str
    contract_number: str
    contract_kind: str
    plan_type: str
    annual_premium: Decimal
    reserves: Decimal
    affiliation_date: Optional[datetime.date]
    exit_date: Optional[datetime.date]
    exit_notice_date: Optional[datetime.date]
    termination_date: Optional[datetime.date]
    suspended: bool
    business_email: Optional[str]
    private_email: Optional[str]


def _national_number(value: str) -> Optional[str]:
    # Empty is allowed: the organiser has not filled it in yet (FAQ 9). The contract is then shown to nobody.
    return identifiers.validate(value) if value else None


def _enterprise_number(value: str) -> Optional[str]:
    if not value:
        return None
    try:
        return vat.validate(value)
    except ValidationError:
        raise ValueError("not a valid Belgian enterprise number (KBO/BCE, e.g. 0403.019.261)") from None


def _choice(choices, normalise=str.lower):
    def parse(value: str) -> str:
        value = normalise(value)
        if value not in choices:
            raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
        return value

    return parse


def _amount(value: str) -> Decimal:
    if not value:
        return Decimal("0.00")
    if not _AMOUNT.fullmatch(value):
        raise ValueError(f"{value!r} is not an amount in euro (digits, a dot and at most 2 decimals, e.g. 1234.56)")
    return Decimal(value)


def _date(value: str) -> Optional[datetime.date]:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _boolean(value: str) -> bool:
    try:
        return _BOOLEANS[value.lower()]
    except KeyError:
        raise ValueError(f"{value!r} is not true, false, 1, 0 or empty") from None


def _email(value: str) -> Optional[str]:
    if not value:
        return None
    try:
        # Syntax only: a nightly import must not depend on DNS.
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(f"not a valid e-mail address ({error})") from None


def _required(max_length: int):
    def parse(value: str) -> str:
        if not value:
            raise ValueError("missing")
        if len(value) > max_length:
            raise ValueError(f"longer than {max_length} characters")
        return value

    return parse


def _optional(max_length: int):
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise ValueError(f"longer than {max_length} characters")
        return value

    return parse


# Person columns are checked only where there is a person (a national number), see _person_columns.
_PARSERS: Dict[str, Callable[[str], object]] = {
    "national_number": _national_number,
    "first_name": _optional(100),
    "last_name": _optional(100),
    "language": lambda v: _choice(LANGUAGES)(v) if v else None,
    "employer_number": _enterprise_number,
    "employer_name": _required(200),
    "contract_number": _required(40),
    "contract_kind": _choice(CONTRACT_KINDS, str.upper),
    "plan_type": _choice(PLAN_TYPES),
    "annual_premium": _amount,
    "reserves": _amount,
    "affiliation_date": _date,
    "exit_date": _date,
    "exit_notice_date": _date,
    "termination_date": _date,
    "suspended": _boolean,
    "business_email": _email,
    "private_email": _email,
}


def parse_row(line: int, cells: List[str]) -> Tuple[Optional[Row], List[str]]:
    """The row's values, or None and every reason it is bad."""
    if len(cells) != len(HEADER):
        return None, [f"{len(cells)} columns instead of {len(HEADER)}"]
    values, reasons = {}, []
    for name, cell in zip(HEADER, cells):
        try:
            values[name] = _PARSERS[name](cell.strip())
        except ValueError as error:
            reasons.append(f"{name}: {error}")
    if reasons:
        return None, reasons
    row = Row(line=line, **values)
    reasons = _check_row(row)
    return (None if reasons else row), reasons


def _check_row(row: Row) -> List[str]:
    reasons = []
    if row.national_number:
        for name in ("first_name", "last_name", "language"):
            if not getattr(row, name):
                reasons.append(f"{name}: missing")
    start = row.affiliation_date
    for name in ("exit_date", "termination_date"):
        end = getattr(row, name)
        if start and end and end < start:
            reasons.append(f"{name}: before affiliation_date")
    try:
        status(row.annual_premium, row.reserves, row.suspended, row.termination_date)
    except UndeterminedStatus:
        reasons.append(
            "no premium, no reserves, not suspended and no termination date: the status cannot be determined"
        )
    return reasons


def read_rows(
    stream: TextIO, progress: Optional[Callable[[str], None]] = None
) -> List[Row]:
    """Every row of the export, checked. Raises ImportRejected listing every bad row."""
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        raise ImportRejected([RowError(1, ["the file is empty"])])
    header = [name.strip() for name in header]
    if header != HEADER:
        missing = [name for name in HEADER if name not in header]
        unexpected = [name for name in header if name not in HEADER]
        reasons = ["the header must be exactly: " + ",".join(HEADER)]
        if missing:
            reasons.append("missing: " + ", ".join(missing))
        if unexpected:
            reasons.append("unexpected: " + ", ".join(unexpected))
        raise ImportRejected([RowError(1, reasons)])

    rows: List[Row] = []
    errors: List[RowError] = []
    seen_contracts: Dict[str, int] = {}
    seen_names: Dict[str, Tuple[int, str]] = {}
    seen_employers: Dict[str, Tuple[int, str]] = {}
    last_line = reader.line_num
    for count, cells in enumerate(reader, start=1):
        line, last_line = last_line + 1, reader.line_num  # first line of the record
        if not any(cell.strip() for cell in cells):
            continue  # blank line
        row, reasons = parse_row(line, cells)
        if row is not None:
            reasons = _check_against_earlier_rows(row, seen_contracts, seen_names, seen_employers)
        if reasons:
            errors.append(RowError(line, reasons))
        else:
            rows.append(row)
        if progress and count % PROGRESS_EVERY == 0:
            progress(f"{count} rows checked, {len(errors)} bad")
    if errors:
        raise ImportRejected(errors)
    return rows


def _check_against_earlier_rows(row: Row, seen_contracts, seen_names, seen_employers) -> List[str]:
    reasons = []
    if row.contract_number in seen_contracts:
        earlier_line = seen_contracts[row.contract_number]
        reasons.append(f"contract_number: {row.contract_number} is on line {earlier_line} too")
    else:
        seen_contracts[row.contract_number] = row.line
    if row.national_number:
        # One number with two names is most likely a mistyped number: importing it would show one
        # person's contract to another.
        name = f"{row.first_name} {row.last_name}".casefold()
        earlier = seen_names.setdefault(row.national_number, (row.line, name))
        if earlier[1] != name:
            reasons.append(f"national_number: the same number has another name on line {earlier[0]}")
    if row.employer_number:
        # Which of two names would be right is anyone's guess; the export should agree with itself.
        earlier = seen_employers.setdefault(row.employer_number, (row.line, row.employer_name))
        if earlier[1] != row.employer_name:
            reasons.append(f"employer_name: the same employer_number has another name on line {earlier[0]}")
    return reasons


# --- writing ---------------------------------------------------------------------------------------


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class ImportSummary:
    rows: int = 0
    persons: Counts = field(default_factory=Counts)
    employers: Counts = field(default_factory=Counts)
    contracts: Counts = field(default_factory=Counts)

    def __str__(self) -> str:
        return (
            f"{self.rows} rows imported. Contracts: {self.contracts}. "
            f"Persons: {self.persons}. Employers: {self.employers}."
        )


def _assign(obj, values: dict) -> bool:
    """Sets the attributes that differ; True if any did."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _count(counts: Counts, created: bool, changed: bool) -> None:
    if created:
        counts.created += 1
    elif changed:
        counts.updated += 1
    else:
        counts.unchanged += 1


def _existing(session: Session, column, keys: Iterable[str]) -> dict:
    keys = sorted(set(keys))
    found = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        for obj in session.execute(select(column.class_).where(column.in_(chunk))).scalars():
            found[getattr(obj, column.key)] = obj
    return found


def write_rows(
    session: Session, rows: List[Row], progress: Optional[Callable[[str], None]] = None
) -> ImportSummary:
    """Upserts checked rows in the session's current transaction (the caller commits)."""
    summary = ImportSummary(rows=len(rows))
    persons = _existing(session, Person.national_number, (r.national_number for r in rows if r.national_number))
    contracts = _existing(session, Contract.contract_number, (r.contract_number for r in rows))
    employers_by_number = _existing(
        session, Employer.enterprise_number, (r.employer_number for r in rows if r.employer_number)
    )
    employers_by_name = {
        e.name: e for e in session.execute(select(Employer).where(Employer.enterprise_number.is_(None))).scalars()
    }
    touched_persons, touched_employers = {}, {}

    for count, row in enumerate(rows, start=1):
        employer = _upsert_employer(session, row, employers_by_number, employers_by_name, touched_employers)
        person = _upsert_person(session, row, persons, touched_persons) if row.national_number else None
        contract = contracts.get(row.contract_number)
        created = contract is None
        if created:
            contract = contracts[row.contract_number] = Contract(contract_number=row.contract_number)
            session.add(contract)
        changed = _assign(
            contract,
            {
                "person": person,
                "employer": employer,
                "kind": row.contract_kind,
                "plan_type": row.plan_type,
                "annual_premium": row.annual_premium,
                "reserves": row.reserves,
                "affiliation_date": row.affiliation_date,
                "exit_date": row.exit_date,
                "exit_notice_date": row.exit_notice_date,
                "termination_date": row.termination_date,
                "suspended": row.suspended,
            },
        )
        _count(summary.contracts, created, changed)
        if progress and count % PROGRESS_EVERY == 0:
            progress(f"{count} of {len(rows)} rows written")

    for created, changed in touched_persons.values():
        _count(summary.persons, created, changed)
    for created, changed in touched_employers.values():
        _count(summary.employers, created, changed)
    return summary


def _upsert_employer(session, row: Row, by_number: dict, by_name: dict, touched: dict) -> Employer:
    index, key = (by_number, row.employer_number) if row.employer_number else (by_name, row.employer_name)
    employer = index.get(key)
    created = employer is None
    if created:
        employer = index[key] = Employer(enterprise_number=row.employer_number, name=row.employer_name)
        session.add(employer)
    changed = _assign(employer, {"name": row.employer_name})
    _note(touched, ("n", key) if row.employer_number else ("name", key), created, changed)
    return employer


def _upsert_person(session, row: Row, persons: dict, touched: dict) -> Person:
    person = persons.get(row.national_number)
    created = person is None
    if created:
        person = persons[row.national_number] = Person(national_number=row.national_number)
        session.add(person)
    values = {"first_name": row.first_name, "last_name": row.last_name}
    # An empty address does not erase one: the person may have given it in the portal (FAQ 8), and the
    # export can lag behind that change.
    for name in ("business_email", "private_email"):
        if getattr(row, name):
            values[name] = getattr(row, name)
    values["language"] = row.language
    changed = _keep_what_the_person_set(person, values)
    changed = _assign(person, values) or changed
    _note(touched, row.national_number, created, changed)
    return person


def _keep_what_the_person_set(person: Person, values: dict) -> bool:
    """The person's own change (FAQ 8) wins over the export until the export says the same.

    The export lags behind: the insurer's back office learns of the change from the outbox and sends it
    back some nights later. Until then the import must not undo it; once the export agrees, the field
    is the export's again. Returns whether a marker was cleared.
    """
    cleared = False
    for name in ("language", "private_email"):
        marker = f"{name}_set_by_person_at"
        if getattr(person, marker) is None or name not in values:
            continue
        if values[name] == getattr(person, name):
            setattr(person, marker, None)
            cleared = True
        else:
            del values[name]
    return cleared


def _note(touched: dict, key, created: bool, changed: bool) -> None:
    # A person or employer is on many rows; count each once: new, else updated if any row changed it.
    was_created, was_changed = touched.get(key, (False, False))
    touched[key] = (was_created or created, was_changed or changed)


# --- entry points ----------------------------------------------------------------------------------


def import_stream(
    stream: TextIO, sessions: sessionmaker, progress: Optional[Callable[[str], None]] = None
) -> ImportSummary:
    """Checks and imports an export in one transaction, in a session of its own from `sessions`.

    Raises ImportRejected, with every bad row, before anything is written.
    """
    rows = read_rows(stream, progress)
    with sessions.begin() as session:
        summary = write_rows(session, rows, progress)
    log.info("import: %s", summary)
    return summary


def import_file(path, sessions: sessionmaker, progress: Optional[Callable[[str], None]] = None) -> ImportSummary:
    # utf-8-sig: spreadsheet programs put a byte order mark before the header. newline='': the csv
    # module's requirement for quoted fields containing line breaks.
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            return import_stream(stream, sessions, progress)
    except UnicodeDecodeError as error:
        raise ImportRejected([RowError(0, [f"the file is not UTF-8 text (byte {error.start})"])]) from None


def import_text(text: str, sessions: sessionmaker) -> ImportSummary:
    """Imports an export held in a string (demo data, tests)."""
    return import_stream(io.StringIO(text, newline=""), sessions)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m groupinsurance.importer", description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path, help="the CSV export (UTF-8, header as in docs/data.md)")
    parser.add_argument("--database-url", help="default: DATABASE_URL, else sqlite:///var/app.db")
    args = parser.parse_args(argv)
    if not args.path.is_file():
        print(f"No such file: {args.path}", file=sys.stderr)
        return 2

    def progress(message: str) -> None:
        print(f"  {message}", file=sys.stderr, flush=True)

    url = args.database_url or db.database_url()
    try:
        db.upgrade(url)
        engine = db.make_engine(url)
        try:
            summary = import_file(args.path, db.make_session_factory(engine), progress)
        finally:
            engine.dispose()
    except ImportRejected as rejected:
        for error in rejected.errors:
            print(str(error), file=sys.stderr)
        print(f"{len(rejected.errors)} bad row(s) in {args.path}: nothing imported.", file=sys.stderr)
        return 1
    except OperationalError as error:
        # The import is one transaction: a database lost half-way keeps the previous data whole.
        print(db.unavailable_message(url, error), file=sys.stderr)
        return 3
    print(str(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
