"""The web app's access to the group-insurance database: plain SQLAlchemy 1.4 sessions, 2.0 style.

Flask-SQLAlchemy 3 needs SQLAlchemy 2 and Rasa 3.6 pins 1.4, so this small extension does the one
thing we need from it: an engine per app, bound with init_app, and `database.session()` for a
`with` block.
"""
from __future__ import annotations

from typing import Optional

from flask import Flask, current_app
from sqlalchemy.orm import Session

from groupinsurance import db


class Database:
    def __init__(self, app: Optional[Flask] = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        engine = db.make_engine(app.config["DATABASE_URL"])
        app.extensions["database"] = {"engine": engine, "sessions": db.make_session_factory(engine)}

    @staticmethod
    def engine():
        return current_app.extensions["database"]["engine"]

    @staticmethod
    def session() -> Session:
        """A new session on the current app's database: `with database.session() as s: ...`."""
        return current_app.extensions["database"]["sessions"]()

    @staticmethod
    def begin():
        """A session in a transaction, committed at the end of the `with` block."""
        return current_app.extensions["database"]["sessions"].begin()
