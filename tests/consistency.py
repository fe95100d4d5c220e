"""Is what the web app wrote whole? For the fuzz and limit tests: a refused or failed request must leave
no half-written data behind.

    inconsistencies(session, upload_dir)   # [] when every row and every file belong together
    WriteWatch(engine, upload_dir)         # whether anything was written at all, after every request
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import List, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from groupinsurance.handoff import HANDED_OFF
from groupinsurance.models import Claim, ClaimDocument, Conversation, ConversationMessage


def stored_files(upload_dir: Path) -> List[Path]:
    return sorted(path for path in Path(upload_dir).iterdir()) if Path(upload_dir).exists() else []


def inconsistencies(session: Session, upload_dir: Path) -> List[str]:
    """Everything that shows a write stopped halfway, described; [] when there is none."""
    problems: List[str] = []
    # A conversation is created together with its first line, in one transaction.
    empty = session.execute(select(Conversation.id).where(~Conversation.messages.any())).scalars().all()
    problems += [f"conversation {cid!r} has no message" for cid in empty]
    orphans = session.execute(
        select(ConversationMessage.id).where(~select(Conversation.id)
                                             .where(Conversation.id == ConversationMessage.conversation_id).exists())
    ).scalars().all()
    problems += [f"message {mid} belongs to no conversation" for mid in orphans]
    for record in session.execute(select(Conversation)).scalars():
        if record.state in HANDED_OFF and record.escalated_at is None:
            problems.append(f"conversation {record.id!r} is {record.state} but was never escalated")
        if record.rating is not None and record.state != "closed":
            problems.append(f"conversation {record.id!r} is rated but not closed")

    # A claim document is its row and its file: neither without the other, and the same bytes.
    on_disk = {path.name: path for path in stored_files(upload_dir)}
    documents = session.execute(select(ClaimDocument)).scalars().all()
    for document in documents:
        path = on_disk.get(document.stored_name)
        if path is None:
            problems.append(f"document {document.id} has no file ({document.stored_name})")
            continue
        content = path.read_bytes()
        if len(content) != document.size or hashlib.sha256(content).hexdigest() != document.sha256:
            problems.append(f"document {document.id}: the file is not what the row says")
        if session.get(Claim, document.claim_id) is None:
            problems.append(f"document {document.id} belongs to no claim")
    recorded = {document.stored_name for document in documents}
    problems += [f"file {name} has no row" for name in sorted(set(on_disk) - recorded)]
    return problems


class WriteWatch:
    """Whether anything was written since the last look, cheaply enough to ask after every request:
    SQLite's data_version changes with every commit by another connection (the app's), whatever the
    table; the stored files are listed.

        watch = WriteWatch(engine, upload_dir)
        before = watch.state(); ...; assert watch.state() == before
    """

    def __init__(self, engine: Engine, upload_dir: Path):
        assert engine.dialect.name == "sqlite", "data_version is SQLite's"
        self._connection = engine.connect()  # its own: data_version counts the others' commits
        self._upload_dir = upload_dir

    def state(self) -> Tuple[int, Tuple[str, ...]]:
        version = self._connection.exec_driver_sql("PRAGMA data_version").scalar()
        self._connection.rollback()  # hold no transaction open between requests
        return version, tuple(path.name for path in stored_files(self._upload_dir))

    def close(self) -> None:
        self._connection.close()
