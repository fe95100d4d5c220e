"""Engine, sessions and schema migrations for the group-insurance database.

The URL comes from DATABASE_URL; the embedded default is SQLite in var/app.db under the repository
root (whatever the working directory). The app and the importer call `upgrade()` when they start, so
the schema is always Alembic's head; nothing calls `metadata.create_all`.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'app.db'}"


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


def make_engine(url: Optional[str] = None, **kwargs) -> Engine:
    """A 2.0-style engine for `url` (default: `database_url()`)."""
    url = make_url(url or database_url())
    _create_sqlite_directory(url)
    if url.get_backend_name() != "sqlite":
        # A database server restarted (or failed over) leaves dead connections in the pool: test each one
        # when it is taken, so the first request after the restart works instead of failing.
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, future=True, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _create_sqlite_directory(url) -> None:
    # A fresh checkout has no var/; SQLite creates the file but not its directory.
    url = make_url(url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record):
    # SQLite ignores foreign keys unless asked, and a second process (the importer beside the web app)
    # should wait for a lock rather than fail at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_session_factory(engine: Optional[Engine] = None) -> sessionmaker:
    """Plain SQLAlchemy sessions; use `with factory() as session, session.begin(): ...`."""
    return sessionmaker(bind=engine or make_engine(), future=True, expire_on_commit=False, class_=Session)


def alembic_config(url: Optional[str] = None):
    """Alembic's configuration without alembic.ini, so that it works from any working directory."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # '%' is ConfigParser's interpolation character; URLs may contain it (escaped passwords).
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def upgrade(url: Union[str, Engine, None] = None, revision: str = "head") -> None:
    """`alembic upgrade head` for `url` (default: DATABASE_URL), or on an engine's connection."""
    from alembic import command

    if isinstance(url, Engine):
        config = alembic_config(url.url.render_as_string(hide_password=False))
        with url.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        return
    if url is None:
        url = database_url()
    _create_sqlite_directory(url)
    command.upgrade(alembic_config(url), revision)
