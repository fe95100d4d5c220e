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
from sqlalchemy.pool import QueuePool

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
    elif _is_sqlite_file(url) and "poolclass" not in kwargs:
        # SQLAlchemy 1.4 opens and closes a connection per transaction on an SQLite file (NullPool): every
        # chat message paid the connect, the pragmas, the schema read and, in WAL mode, a checkpoint when
        # the last connection closed. Keep a few open instead (SQLAlchemy 2.0's default); a pool never
        # makes a request wait: past the five, connections are opened and closed as before.
        kwargs.update(poolclass=QueuePool, pool_size=5, max_overflow=-1)
        kwargs["connect_args"] = {"check_same_thread": False, **kwargs.get("connect_args", {})}
    engine = create_engine(url, future=True, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _create_sqlite_directory(url) -> None:
    # A fresh checkout has no var/; SQLite creates the file but not its directory.
    url = make_url(url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def _is_sqlite_file(url) -> bool:
    return url.database not in (None, "", ":memory:") and not url.database.startswith("file::memory:") \
        and "mode=memory" not in url.database


def _sqlite_pragmas(dbapi_connection, _record):
    # SQLite ignores foreign keys unless asked, and a second process (the importer beside the web app)
    # should wait for a lock rather than fail at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Write-ahead log: a commit is one fsync of the log instead of the rollback journal's several, and
    # readers no longer wait for a writer. Just as durable (synchronous stays FULL). Kept in the file; a
    # database in memory answers "memory" and stays as it is.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def is_reachable(engine: Engine) -> bool:
    """Whether the database answers a trivial query now (health checks)."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        return False


def unavailable_message(url: Union[str, Engine, None], error: BaseException) -> str:
    """What to tell whoever started a command when the database cannot be reached: where, why, what to do.

    >>> from sqlalchemy.exc import OperationalError
    >>> print(unavailable_message("postgresql://app:secret@db.internal:5432/app",
    ...                           OperationalError("SELECT 1", {}, Exception("connection refused"))))
    The database postgresql://app:***@db.internal:5432/app cannot be reached (connection refused). Start it, or set DATABASE_URL, and try again; nothing was changed.
    """
    if isinstance(url, Engine):
        url = url.url
    shown = make_url(url or database_url()).render_as_string(hide_password=True)
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()
    return (f"The database {shown} cannot be reached ({reason[0] if reason else type(error).__name__}). "
            "Start it, or set DATABASE_URL, and try again; nothing was changed.")


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
