"""A made-up export with every status and edge case, for demos, the test login page and browser tests.

    python -m groupinsurance.demo_data [path.csv] [--today YYYY-MM-DD]   # writes the CSV (stdout without a path)
    python -m groupinsurance.demo_data --load-if-empty                   # loads it into DATABASE_URL if empty

The output depends only on `today`: termination dates are set relative to it, so that "terminated less
than six months ago" stays true whenever the demo is loaded. Names, numbers and amounts never change.
Every national number, BIS number and enterprise number has valid check digits; e-mail addresses use
the reserved .example domain, so that nothing can ever be delivered.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import io
import sys
from dataclasses import dataclass
from typing import List, Optional

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker
from stdnum.be import vat

from groupinsurance import db, identifiers
from groupinsurance.importer import HEADER, ImportSummary, read_rows, write_rows
from groupinsurance.models import Contract


def national_number(birth: datetime.date, serial: int, bis: Optional[str] = None) -> str:
    """A valid number for this birth date and serial (odd: man, even: woman).

    bis: None for a national register number, 'sex_unknown' (month + 20) or 'sex_known' (month + 40).
    """
    month = birth.month + {None: 0, "sex_unknown": 20, "sex_known": 40}[bis]
    first_nine = f"{birth:%y}{month:02d}{birth.day:02d}{serial:03d}"
    check = identifiers.calc_check_digits(first_nine, born_2000_or_later=birth.year >= 2000)
    return identifiers.validate(first_nine + check)  # python-stdnum confirms the result


def enterprise_number(first_eight: str) -> str:
    """A valid KBO/BCE number: the last two digits are 97 - (the first eight mod 97)."""
    return vat.validate(f"{first_eight}{97 - int(first_eight) % 97:02d}")


@dataclass(frozen=True)
class DemoPerson:
    key: str
    first_name: str
    last_name: str
    language: str
    national_number: str
    # What this person shows, for the test login page and for testers.
    shows: str


@dataclass(frozen=True)
class DemoEmployer:
    number: str
    name: str
    domain: str


EMPLOYERS = {
    "klok": DemoEmployer(enterprise_number("09991234"), "Brouwerij De Klok NV", "brouwerij-de-klok.example"),
    "lemaire": DemoEmployer(enterprise_number("09992345"), "Boulangerie Lemaire SA", "boulangerie-lemaire.example"),
    "schelde": DemoEmployer(enterprise_number("09993456"), "Logistiek Schelde BV", "logistiek-schelde.example"),
    "claes": DemoEmployer(enterprise_number("09994567"), "Claes Consult BV", "claes-consult.example"),
    "mosane": DemoEmployer(enterprise_number("09995678"), "Transports Mosane SRL", "transports-mosane.example"),
}

PERSONS = {
    p.key: p
    for p in (
        DemoPerson("jan", "Jan", "Peeters", "nl", national_number(datetime.date(1984, 5, 12), 117),
                   "two active contracts, a passive one with a previous employer; a long-terminated and a "
                   "non-530 contract are hidden"),
        DemoPerson("marie", "Marie", "Dubois", "fr", national_number(datetime.date(1990, 2, 14), 184),
                   "active; a contract with a previous employer terminated two months ago (still visible)"),
        DemoPerson("an", "An", "Janssens", "nl", national_number(datetime.date(2001, 3, 5), 62),
                   "active without premium: employment suspended (born 2001: the 2000+ check digits)"),
        DemoPerson("luc", "Luc", "Martin", "fr", national_number(datetime.date(1979, 11, 2), 245, bis="sex_known"),
                   "BIS number (frontier worker), active"),
        DemoPerson("sofie", "Sofie", "Claes", "nl", national_number(datetime.date(1976, 10, 21), 96),
                   "self-employed plan (a 530/ contract), active"),
        DemoPerson("pierre", "Pierre", "Lambert", "fr", national_number(datetime.date(1968, 6, 3), 231),
                   "previous employer only: a passive contract and a personal contract ('P') he continued"),
        DemoPerson("els", "Els", "Maes", "nl", national_number(datetime.date(1972, 12, 9), 150),
                   "sees nothing: her only contract was terminated ten months ago (FAQ 9)"),
        DemoPerson("karim", "Karim", "Haddad", "fr", national_number(datetime.date(1993, 4, 18), 73),
                   "left his employer three weeks ago: the 30 days to choose are still running (exit options)"),
    )
}
DEMO_PERSONS: List[DemoPerson] = list(PERSONS.values())


def demo_rows(today: datetime.date) -> List[dict]:
    """The export's rows, one per contract, as dictionaries keyed by the CSV header."""
    def months_ago(n: int) -> datetime.date:
        return today - relativedelta(months=n)

    def row(person: Optional[str], employer: str, contract: str, kind: str, premium: str, reserves: str,
            affiliation: datetime.date, *, plan="salaried", exit=None, exit_notice=None, termination=None,
            suspended=False, business_email=None, private_email=True, name=None) -> dict:
        p = PERSONS.get(person)
        e = EMPLOYERS[employer]
        first, last, language = (p.first_name, p.last_name, p.language) if p else (name or ("", "", ""))
        local = f"{first}.{last}".lower()
        if business_email is None:
            # The business address is the current employer's; after an exit there is none.
            business_email = exit is None
        return {
            "national_number": identifiers.format(p.national_number) if p else "",
            "first_name": first,
            "last_name": last,
            "language": language,
            "employer_number": e.number,
            "employer_name": e.name,
            "contract_number": contract,
            "contract_kind": kind,
            "plan_type": plan,
            "annual_premium": premium,
            "reserves": reserves,
            "affiliation_date": affiliation.isoformat(),
            "exit_date": exit.isoformat() if exit else "",
            "exit_notice_date": exit_notice.isoformat() if exit_notice else "",
            "termination_date": termination.isoformat() if termination else "",
            "suspended": "true" if suspended else "false",
            "business_email": f"{local}@{e.domain}" if business_email else "",
            "private_email": f"{local}@home.example" if (p and private_email) else "",
        }

    d = datetime.date
    return [
        # Jan: active (employer and personal contributions), passive with a previous employer, and two
        # contracts he does not see: terminated 14 months ago, and a number outside 530/ (FAQ 3).
        row("jan", "klok", "530/100001", "A", "2400.00", "18542.37", d(2015, 9, 1)),
        row("jan", "klok", "530/100002", "C", "600.00", "4210.80", d(2015, 9, 1)),
        row("jan", "schelde", "530/200101", "A", "0", "9876.54", d(2008, 2, 1),
            exit=d(2015, 8, 31), exit_notice=d(2015, 10, 5)),
        row("jan", "schelde", "530/200102", "C", "0", "0", d(2008, 2, 1),
            exit=d(2015, 8, 31), exit_notice=d(2015, 10, 5), termination=months_ago(14)),
        row("jan", "klok", "610/555001", "A", "1200.00", "3000.00", d(2015, 9, 1)),
        # Marie: active; with her previous employer terminated two months ago, visible four months more.
        row("marie", "lemaire", "530/100201", "A", "1800.00", "7650.25", d(2019, 1, 1)),
        row("marie", "mosane", "530/300301", "A", "0", "0", d(2012, 4, 1),
            exit=months_ago(8), exit_notice=months_ago(7), termination=months_ago(2)),
        # An: long illness, so no premium, but the contract is active.
        row("an", "klok", "530/100003", "A", "0", "3120.00", d(2022, 6, 1), suspended=True, private_email=False),
        # Luc: BIS number.
        row("luc", "lemaire", "530/100202", "A", "2100.00", "11200.00", d(2017, 3, 1)),
        # Sofie: manager of her own company, self-employed plan.
        row("sofie", "claes", "530/400401", "A", "5000.00", "64000.00", d(2010, 1, 1), plan="self_employed"),
        # Pierre: left Logistiek Schelde; reserves stay (passive) and he continues a personal contract.
        row("pierre", "schelde", "530/200103", "A", "0", "22500.00", d(2001, 5, 1),
            exit=d(2019, 12, 31), exit_notice=d(2020, 1, 20)),
        row("pierre", "schelde", "530/200104", "P", "900.00", "5400.00", d(2020, 2, 1), business_email=False),
        # Els: terminated ten months ago, longer than six: she sees nothing.
        row("els", "mosane", "530/300302", "A", "0", "0", d(2005, 9, 1),
            exit=months_ago(16), exit_notice=months_ago(15), termination=months_ago(10)),
        # Karim: left Logistiek Schelde three weeks ago; his reserves were communicated ten days ago, so
        # he still has twenty days to choose (art. 15.1), and the 90-day rule of 15.3 still protects him.
        # Affiliated for less than 42 months: art. 15.4 does not apply to him.
        row("karim", "schelde", "530/200105", "A", "0", "6420.15", today - relativedelta(months=30),
            exit=today - relativedelta(weeks=3), exit_notice=today - relativedelta(days=10)),
        row("karim", "schelde", "530/200106", "C", "0", "1210.40", today - relativedelta(months=30),
            exit=today - relativedelta(weeks=3), exit_notice=today - relativedelta(days=10)),
        # No national number filled in (FAQ 9): the contract exists but is shown to nobody.
        row(None, "klok", "530/100004", "A", "1500.00", "2300.00", d(2023, 10, 1), name=("Tom", "Wouters", "nl")),
    ]


def write_csv(stream, today: datetime.date) -> None:
    writer = csv.DictWriter(stream, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(demo_rows(today))


def demo_csv(today: datetime.date) -> str:
    buffer = io.StringIO()
    write_csv(buffer, today)
    return buffer.getvalue()


def load_if_empty(sessions: sessionmaker, today: Optional[datetime.date] = None) -> Optional[ImportSummary]:
    """Imports the demo data if there is no contract yet; the summary, or None if there were contracts.

    The check and the import share one transaction, so two processes starting at once load it once.
    """
    rows = read_rows(io.StringIO(demo_csv(today or datetime.date.today()), newline=""))
    with sessions.begin() as session:
        if session.execute(select(Contract.id).limit(1)).first() is not None:
            return None
        return write_rows(session, rows)


def migrate_and_load(url: str, today: Optional[datetime.date] = None) -> Optional[ImportSummary]:
    """The database at `url` migrated to Alembic's head, with the demo data if it has no contracts yet."""
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        return load_if_empty(db.make_session_factory(engine), today)
    finally:
        engine.dispose()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m groupinsurance.demo_data", description=__doc__.split("\n")[0])
    parser.add_argument("path", nargs="?", help="where to write the CSV (default: standard output)")
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=datetime.date.today(),
                        help="the date the termination dates are relative to (default: today)")
    parser.add_argument("--load-if-empty", action="store_true",
                        help="instead of writing a CSV, import the demo data into DATABASE_URL if it has no contracts")
    args = parser.parse_args(argv)
    if args.load_if_empty:
        url = db.database_url()
        try:
            summary = migrate_and_load(url, args.today)
        except OperationalError as error:
            print(db.unavailable_message(url, error), file=sys.stderr)
            return 3
        print(f"Demo data loaded: {summary}" if summary else "The database has contracts already: nothing loaded.")
        return 0
    if args.path:
        with open(args.path, "w", encoding="utf-8", newline="") as stream:
            write_csv(stream, args.today)
    else:
        write_csv(sys.stdout, args.today)
    return 0


if __name__ == "__main__":
    sys.exit(main())
