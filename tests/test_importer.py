"""The nightly export import: a good file, bad rows (all reported, nothing written), re-import."""
import csv
import datetime
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from groupinsurance import demo_data, importer, identifiers
from groupinsurance.importer import HEADER, ImportRejected, import_file, import_text
from groupinsurance.models import Contract, Employer, Person

TODAY = datetime.date(2026, 11, 22)
JAN = demo_data.PERSONS["jan"].national_number
MARIE = demo_data.PERSONS["marie"].national_number


def to_csv(rows, header=HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def good_row(**changes) -> dict:
    row = {
        "national_number": identifiers.format(JAN),
        "first_name": "Jan",
        "last_name": "Peeters",
        "language": "nl",
        "employer_number": "0403.019.261",
        "employer_name": "Werkgever NV",
        "contract_number": "530/900001",
        "contract_kind": "A",
        "plan_type": "salaried",
        "annual_premium": "1200.50",
        "reserves": "3400.00",
        "affiliation_date": "2020-01-01",
        "exit_date": "",
        "exit_notice_date": "",
        "termination_date": "",
        "suspended": "false",
        "business_email": "jan.peeters@werkgever.example",
        "private_email": "",
    }
    row.update(changes)
    return row


def count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def contract(session, number) -> Contract:
    return session.execute(select(Contract).where(Contract.contract_number == number)).scalar_one()


# --- a good file ---


def test_the_demo_file_imports(session, session_factory):
    summary = import_text(demo_data.demo_csv(TODAY), session_factory)
    assert (summary.rows, summary.contracts.created, summary.persons.created, summary.employers.created) == (16, 16, 8, 5)
    assert (count(session, Contract), count(session, Person), count(session, Employer)) == (16, 8, 5)

    jan = session.execute(select(Person).where(Person.national_number == JAN)).scalar_one()
    assert (jan.first_name, jan.last_name, jan.language) == ("Jan", "Peeters", "nl")
    assert jan.business_email == "jan.peeters@brouwerij-de-klok.example"
    assert jan.private_email == "jan.peeters@home.example"
    assert len(jan.contracts) == 5

    first = contract(session, "530/100001")
    assert first.annual_premium == Decimal("2400.00") and isinstance(first.annual_premium, Decimal)
    assert first.reserves == Decimal("18542.37")
    assert first.affiliation_date == datetime.date(2015, 9, 1)
    assert first.employer.enterprise_number == demo_data.EMPLOYERS["klok"].number
    assert contract(session, "530/100003").suspended is True
    assert contract(session, "530/400401").plan_type == "self_employed"
    assert contract(session, "530/100004").person is None  # no national number (FAQ 9)
    luc = session.execute(select(Person).where(Person.last_name == "Martin")).scalar_one()
    assert luc.number_kind == "bis" and luc.language == "fr"


def test_numbers_are_stored_compact_and_amounts_exactly(session, session_factory):
    import_text(to_csv([good_row(annual_premium="999999999999.99", reserves="0.01", employer_number="BE 403 019 261")]), session_factory)
    stored = contract(session, "530/900001")
    assert stored.annual_premium == Decimal("999999999999.99")
    assert stored.reserves == Decimal("0.01")
    assert stored.employer.enterprise_number == "0403019261"
    assert stored.person.national_number == JAN


def test_an_organiser_without_enterprise_number_is_matched_by_name(session, session_factory):
    rows = [
        good_row(employer_number="", employer_name="Transports Luxembourg SARL"),
        good_row(employer_number="", employer_name="Transports Luxembourg SARL", contract_number="530/900002"),
    ]
    import_text(to_csv(rows), session_factory)
    import_text(to_csv(rows), session_factory)
    assert count(session, Employer) == 1


def test_a_byte_order_mark_and_a_line_break_inside_quotes_are_fine(tmp_path, session, session_factory):
    text = to_csv([good_row(employer_name="Werkgever\nNV"), good_row(contract_number="", employer_name="X")])
    path = tmp_path / "export.csv"
    path.write_text("\ufeff" + text, encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        import_file(path, session_factory)
    # The second contract starts on line 4: the quoted line break counts as a line.
    assert [e.line for e in rejected.value.errors] == [4]


# --- bad rows: every one reported, nothing written ---


BAD_ROWS = [
    # (row, the reason expected in the report)
    (good_row(national_number="85.07.30-033.29"), "national_number: the check digits do not match"),
    (good_row(national_number="8507300332"), "national_number: 10 digits instead of 11"),
    (good_row(national_number=demo_data.national_number(datetime.date(1985, 7, 30), 33)[:6] + "x"), "national_number:"),
    (good_row(contract_kind="B"), "contract_kind: 'B' is not one of A, C, P"),
    (good_row(plan_type="independent"), "plan_type: 'independent' is not one of salaried, self_employed"),
    (good_row(affiliation_date="01/02/2020"), "affiliation_date: '01/02/2020' is not a date (YYYY-MM-DD)"),
    (good_row(termination_date="2026-02-30", annual_premium="0", reserves="0"), "termination_date: '2026-02-30' is not a date"),
    (good_row(annual_premium="1200,50"), "annual_premium: '1200,50' is not an amount"),
    (good_row(reserves="-5.00"), "reserves: '-5.00' is not an amount"),
    (good_row(reserves="12.345"), "reserves: '12.345' is not an amount"),
    (good_row(annual_premium="EUR 100"), "annual_premium: 'EUR 100' is not an amount"),
    (good_row(contract_number=""), "contract_number: missing"),
    (good_row(language="en"), "language: 'en' is not one of nl, fr"),
    (good_row(language=""), "language: missing"),
    (good_row(first_name=""), "first_name: missing"),
    (good_row(private_email="jan@"), "private_email: not a valid e-mail address"),
    (good_row(business_email="jan peeters@werkgever.example"), "business_email: not a valid e-mail address"),
    (good_row(employer_number="0403.019.262"), "employer_number: not a valid Belgian enterprise number"),
    (good_row(employer_name=""), "employer_name: missing"),
    (good_row(suspended="maybe"), "suspended: 'maybe' is not true, false, 1, 0 or empty"),
    (good_row(exit_date="2019-12-31"), "exit_date: before affiliation_date"),
    (good_row(annual_premium="0", reserves="0"), "the status cannot be determined"),
]


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(session, session_factory):
    good = [good_row(contract_number=f"530/80000{i}") for i in range(2)]
    rows = [good[0]] + [row for row, _ in BAD_ROWS] + [good[1]]
    with pytest.raises(ImportRejected) as rejected:
        import_text(to_csv(rows), session_factory)
    errors = rejected.value.errors
    # Line 1 is the header, line 2 the first good row: the bad rows are lines 3 and on.
    assert [e.line for e in errors] == list(range(3, 3 + len(BAD_ROWS)))
    for error, (_, reason) in zip(errors, BAD_ROWS):
        assert reason in str(error), str(error)
    assert (count(session, Contract), count(session, Person), count(session, Employer)) == (0, 0, 0)


def test_all_the_reasons_of_one_row_are_given():
    [error] = _rejected(to_csv([good_row(contract_kind="Z", plan_type="x", annual_premium="1,0", language="de")]))
    assert str(error).startswith("line 2: ")
    for column in ("contract_kind", "plan_type", "annual_premium", "language"):
        assert f"{column}:" in str(error)


def _rejected(text):
    with pytest.raises(ImportRejected) as rejected:
        importer.read_rows(io.StringIO(text, newline=""))
    return rejected.value.errors


def test_a_row_with_too_few_or_too_many_columns():
    text = to_csv([good_row()]) + "a,b,c\n" + to_csv([good_row(contract_number="530/2")]).splitlines()[1] + ",extra\n"
    errors = _rejected(text)
    assert [(e.line, e.reasons) for e in errors] == [(3, ["3 columns instead of 18"]), (4, ["19 columns instead of 18"])]


def test_duplicate_contract_numbers_and_one_number_with_two_names():
    errors = _rejected(to_csv([
        good_row(),
        good_row(),  # the same contract again
        good_row(contract_number="530/900002", first_name="Johan"),  # same number, another person?
        good_row(contract_number="530/900003", first_name="JAN"),  # case does not matter
        good_row(contract_number="530/900004", employer_name="Werkgever BV"),  # same employer_number
    ]))
    assert [str(e) for e in errors] == [
        "line 3: contract_number: 530/900001 is on line 2 too",
        "line 4: national_number: the same number has another name on line 2",
        "line 6: employer_name: the same employer_number has another name on line 2",
    ]


def test_the_header_must_be_exactly_the_exports():
    header = [name for name in HEADER if name != "plan_type"] + ["remarks"]
    [error] = _rejected(to_csv([], header=header))
    assert error.line == 1
    assert "missing: plan_type" in str(error) and "unexpected: remarks" in str(error)
    [error] = _rejected(",".join(reversed(HEADER)) + "\n")
    assert "the header must be exactly" in str(error)
    [error] = _rejected("")
    assert "empty" in str(error)


def test_blank_lines_are_skipped_and_line_numbers_stay_true():
    text = to_csv([good_row()]) + "\n\n" + to_csv([good_row(contract_number="")]).splitlines()[1] + "\n"
    [error] = _rejected(text)
    assert error.line == 5


def test_national_numbers_never_appear_in_clear_in_the_report(session, session_factory):
    wrong = JAN[:-1] + str((int(JAN[-1]) + 1) % 10)
    rows = [
        good_row(national_number=wrong),
        good_row(contract_number=f"530/{JAN}"),  # a number where it does not belong
        good_row(contract_number="530/1", language="xx"),
    ]
    with pytest.raises(ImportRejected) as rejected:
        import_text(to_csv(rows), session_factory)
    report = "\n".join(str(e) for e in rejected.value.errors)
    assert JAN not in report and wrong not in report and JAN[6:] not in report
    assert "line 2: national_number" in report


def test_a_file_that_is_not_utf8_is_refused(tmp_path, session, session_factory):
    path = tmp_path / "export.csv"
    path.write_bytes(to_csv([good_row(first_name="Zoë")]).encode("latin-1"))
    with pytest.raises(ImportRejected) as rejected:
        import_file(path, session_factory)
    assert str(rejected.value.errors[0]).startswith("file: the file is not UTF-8 text")


# --- re-import ---


def test_reimport_updates_and_never_duplicates(session, session_factory):
    import_text(demo_data.demo_csv(TODAY), session_factory)
    again = import_text(demo_data.demo_csv(TODAY), session_factory)
    assert (again.contracts.created, again.contracts.updated, again.contracts.unchanged) == (0, 0, 16)
    assert (again.persons.created, again.persons.updated) == (0, 0)
    assert (count(session, Contract), count(session, Person), count(session, Employer)) == (16, 8, 5)

    rows = demo_data.demo_rows(TODAY)
    rows[0].update(annual_premium="2500.00", reserves="18742.37")  # a new premium
    rows[5].update(language="nl", last_name="Dubois-Leroy")  # Marie changed (on each of her rows)
    rows[6].update(language="nl", last_name="Dubois-Leroy")
    rows[15].update(national_number=identifiers.format(MARIE), first_name="Marie", last_name="Dubois-Leroy",
                    language="nl")  # FAQ 9: the organiser filled in the number
    rows[6]["employer_name"] = rows[12]["employer_name"] = "Transports Mosane & Fils SRL"
    third = import_text(to_csv(rows), session_factory)
    assert (third.contracts.created, third.contracts.updated) == (0, 2)
    assert (third.persons.created, third.persons.updated) == (0, 1)
    assert (third.employers.created, third.employers.updated) == (0, 1)
    assert (count(session, Contract), count(session, Person), count(session, Employer)) == (16, 8, 5)

    assert contract(session, "530/100001").annual_premium == Decimal("2500.00")
    linked = contract(session, "530/100004")
    assert linked.person.national_number == MARIE and linked.person.last_name == "Dubois-Leroy"
    assert linked.person.language == "nl"
    assert contract(session, "530/300301").employer.name == "Transports Mosane & Fils SRL"


def test_reimport_unlinks_a_contract_whose_number_was_removed(session, session_factory):
    import_text(to_csv([good_row()]), session_factory)
    import_text(to_csv([good_row(national_number="", first_name="", last_name="", language="")]), session_factory)
    assert contract(session, "530/900001").person is None


def test_an_empty_email_does_not_erase_a_stored_one(session, session_factory):
    import_text(to_csv([good_row(private_email="jan@thuis.example")]), session_factory)
    import_text(to_csv([good_row(private_email="", business_email="")]), session_factory)
    jan = session.execute(select(Person)).scalar_one()
    assert (jan.private_email, jan.business_email) == ("jan@thuis.example", "jan.peeters@werkgever.example")
    import_text(to_csv([good_row(private_email="jan@nieuw.example")]), session_factory)
    session.refresh(jan)
    assert jan.private_email == "jan@nieuw.example"


def test_a_rejected_reimport_leaves_the_previous_data_untouched(session, session_factory):
    import_text(demo_data.demo_csv(TODAY), session_factory)
    rows = demo_data.demo_rows(TODAY)
    rows[0]["annual_premium"] = "9999.00"
    rows[1]["contract_kind"] = "X"
    with pytest.raises(ImportRejected):
        import_text(to_csv(rows), session_factory)
    assert contract(session, "530/100001").annual_premium == Decimal("2400.00")


def test_a_database_error_rolls_everything_back(session, monkeypatch, session_factory):
    original = importer._upsert_person
    calls = []

    def failing(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return original(*args)

    monkeypatch.setattr(importer, "_upsert_person", failing)
    with pytest.raises(RuntimeError):
        import_text(demo_data.demo_csv(TODAY), session_factory)
    assert count(session, Contract) == 0


# --- progress and the command line ---


def test_progress_lines_for_long_files(session, monkeypatch, session_factory):
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 5)
    lines = []
    importer.import_stream(io.StringIO(demo_data.demo_csv(TODAY), newline=""), session_factory, lines.append)
    assert lines == ["5 rows checked, 0 bad", "10 rows checked, 0 bad", "15 rows checked, 0 bad",
                     "5 of 16 rows written", "10 of 16 rows written", "15 of 16 rows written"]


def test_command_line_good_file(tmp_path, database_url, capsys):
    path = tmp_path / "demo.csv"
    assert demo_data.main([str(path), "--today", TODAY.isoformat()]) == 0
    assert importer.main([str(path), "--database-url", database_url]) == 0
    out = capsys.readouterr().out
    assert "16 rows imported. Contracts: 16 new" in out
    assert importer.main([str(path), "--database-url", database_url]) == 0
    assert "Contracts: 0 new, 0 updated, 16 unchanged" in capsys.readouterr().out


def test_command_line_bad_file(tmp_path, database_url, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(to_csv([good_row(national_number=JAN[:-2] + "00"), good_row(contract_number="530/2", reserves="x")]))
    assert importer.main([str(path), "--database-url", database_url]) == 1
    captured = capsys.readouterr()
    assert "line 2: national_number: the check digits do not match" in captured.err
    assert "line 3: reserves: 'x' is not an amount" in captured.err
    assert "2 bad row(s)" in captured.err and "nothing imported" in captured.err
    assert JAN[:-2] not in captured.err + captured.out


def test_command_line_missing_file(tmp_path, database_url, capsys):
    assert importer.main([str(tmp_path / "nope.csv"), "--database-url", database_url]) == 2


def test_the_database_url_comes_from_the_environment(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'sub' / 'env.db'}"  # the directory does not exist yet
    monkeypatch.setenv("DATABASE_URL", url)
    path = tmp_path / "demo.csv"
    demo_data.main([str(path), "--today", TODAY.isoformat()])
    assert importer.main([str(path)]) == 0
    assert (tmp_path / "sub" / "env.db").exists()


def test_demo_data_loads_only_into_an_empty_database(session, session_factory):
    assert demo_data.load_if_empty(session_factory, TODAY).contracts.created == 16
    assert demo_data.load_if_empty(session_factory, TODAY) is None
    assert count(session, Contract) == 16


def test_demo_data_is_deterministic_and_valid():
    assert demo_data.demo_csv(TODAY) == demo_data.demo_csv(TODAY)
    rows = importer.read_rows(io.StringIO(demo_data.demo_csv(TODAY), newline=""))
    assert {r.language for r in rows} == {"nl", "fr"}
    assert {identifiers.kind(r.national_number) for r in rows if r.national_number} == {"national_register", "bis"}
    assert any(r.national_number is None for r in rows)
    assert any(not r.contract_number.startswith("530/") for r in rows)
    assert {r.plan_type for r in rows} == {"salaried", "self_employed"}
    assert {r.contract_kind for r in rows} == {"A", "C", "P"}
