"""Fixtures for tests that need the database: a fresh, migrated SQLite file per test.

Migrating once per session and copying the file keeps each test's database private and fast.
"""
import shutil

import pytest

from groupinsurance import db


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("db-template") / "template.db"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(migrated_template, tmp_path):
    path = tmp_path / "app.db"
    shutil.copyfile(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(database_url):
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine):
    return db.make_session_factory(engine)


@pytest.fixture
def session(session_factory):
    with session_factory() as session:
        yield session
