"""Models, migrations and the database settings."""
import datetime
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from groupinsurance import db
from groupinsurance.demo_data import national_number
from groupinsurance.models import Base, Contract, Employer, OutboxMessage, Person

NUMBER = national_number(datetime.date(1985, 7, 30), 33)


def test_the_migrations_create_exactly_the_models_tables(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert differences == []
    assert set(inspect(engine).get_table_names()) == {
        "alembic_version", "persons", "employers", "contracts", "outbox", "exit_choices",
        "claims", "claim_contracts", "claim_documents", "staff_users", "conversations", "conversation_messages",
        "ended_logins"}


def test_upgrade_twice_is_harmless_and_accepts_an_engine(engine):
    db.upgrade(engine)
    db.upgrade(str(engine.url))
    with engine.connect() as connection:
        current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert current == ScriptDirectory.from_config(db.alembic_config()).get_current_head()


def test_default_url_is_var_app_db_under_the_repository(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert db.database_url() == f"sqlite:///{db.ROOT / 'var' / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", "postgresql://gi@db/gi")
    assert db.database_url() == "postgresql://gi@db/gi"


def test_money_is_exact(session):
    employer = Employer(name="Werkgever NV")
    amounts = [Decimal("999999999999.99"), Decimal("0.01"), Decimal("0.10") + Decimal("0.20"), Decimal("1234.5")]
    with session.begin():
        session.add_all(
            Contract(contract_number=f"530/{i}", employer=employer, kind="A", annual_premium=amount, reserves=amount)
            for i, amount in enumerate(amounts)
        )
    session.expunge_all()
    stored = session.execute(select(Contract.reserves).order_by(Contract.contract_number)).scalars().all()
    assert stored == amounts
    assert [str(a) for a in stored] == ["999999999999.99", "0.01", "0.30", "1234.50"]
    # SQL comparisons see euros too.
    assert session.execute(select(Contract.contract_number).where(Contract.reserves > Decimal("1000"))).scalars().all() \
        == ["530/0", "530/3"]


def test_identifiers_are_checked_and_stored_compact(session):
    person = Person(national_number="85.07.30-033.28", first_name="Jan", last_name="Peeters", language="nl")
    assert person.national_number == "85073003328"
    assert person.number_kind == "national_register"
    assert "033" not in repr(person)
    with pytest.raises(ValueError, match="check digits"):
        Person(national_number="85073003329")
    with pytest.raises(ValueError, match="language"):
        Person(language="en")
    assert Employer(enterprise_number="BE 0403.019.261").enterprise_number == "0403019261"
    with pytest.raises(ValueError):
        Employer(enterprise_number="0403019262")


def test_the_database_refuses_what_the_rules_forbid(session, engine):
    with session.begin():
        session.add(Person(national_number=NUMBER, first_name="A", last_name="B", language="nl"))
    with pytest.raises(IntegrityError):  # one person per number
        with session.begin():
            session.add(Person(national_number=NUMBER, first_name="C", last_name="D", language="fr"))
    with pytest.raises(IntegrityError):  # a contract needs an employer
        with session.begin():
            session.add(Contract(contract_number="530/1", kind="A"))
    with pytest.raises(IntegrityError):  # kind A, C or P, checked by the database too
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO employers (id, name, created_at, updated_at) VALUES (9, 'X', '2026-01-01', '2026-01-01')"
            ))
            connection.execute(text(
                "INSERT INTO contracts (contract_number, employer_id, kind, plan_type, annual_premium, reserves,"
                " suspended, created_at, updated_at) VALUES ('530/2', 9, 'B', 'salaried', 0, 0, 0, '2026-01-01', '2026-01-01')"
            ))


def test_outbox_messages_wait_until_sent(session):
    with session.begin():
        session.add(OutboxMessage(recipient="jan@home.example", language="nl", subject="Bevestiging", body="Uw taal is gewijzigd."))
    message = session.execute(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).scalar_one()
    assert message.created_at is not None and message.sent_at is None
