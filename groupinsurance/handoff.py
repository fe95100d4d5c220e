"""Human handoff: the transcript, the queue of escalated conversations, and who answers them.

A conversation is answered by the assistant until it is escalated (the person asks for someone, a
second fallback accepted, a death claim); then it waits in the queue, a colleague claims it (one at a
time: the claim is a single conditional UPDATE, so two colleagues clicking at once cannot both get it),
answers, and either returns it to the assistant or closes it (the person may then rate it 1-5).

Everything stored is masked first (national numbers, IBANs): staff read transcripts, and logs may show
them. Opening hours decide what the person is told while waiting, never whether their words are kept.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import List, Optional, Tuple
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from groupinsurance.identifiers import mask_in_text
from groupinsurance.models import Conversation, ConversationMessage, as_utc, utcnow
from groupinsurance.sensitive import mask_ibans

BRUSSELS = ZoneInfo("Europe/Brussels")
HANDED_OFF = ("waiting", "assigned")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class HandoffRefused(ValueError):
    NOT_WAITING = "not_waiting"  # someone else claimed it first, or it is no longer in the queue
    NOT_ASSIGNEE = "not_assignee"  # only the colleague who claimed it may answer, release, return, close
    NOT_CLOSED = "not_closed"  # a rating comes after the close
    BAD_RATING = "bad_rating"
    UNKNOWN = "unknown"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def masked(text: str) -> str:
    return mask_ibans(mask_in_text(text or ""))


# --- opening hours ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class OpeningHours:
    """E.g. 'mon-fri 08:30-17:00' (Brussels time); several ranges separated by ';'."""

    ranges: Tuple[Tuple[Tuple[int, ...], datetime.time, datetime.time], ...]

    @classmethod
    def parse(cls, spec: str) -> "OpeningHours":
        ranges = []
        for part in filter(None, (p.strip() for p in (spec or "").split(";"))):
            match = re.fullmatch(r"([a-z]{3})(?:-([a-z]{3}))?\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})", part.lower())
            if not match or match.group(1) not in DAYS or (match.group(2) and match.group(2) not in DAYS):
                raise ValueError(f"opening hours must look like 'mon-fri 08:30-17:00', not {part!r}")
            first = DAYS.index(match.group(1))
            last = DAYS.index(match.group(2) or match.group(1))
            days = tuple(range(first, last + 1))
            start = datetime.time(int(match.group(3)), int(match.group(4)))
            end = datetime.time(int(match.group(5)), int(match.group(6)))
            if end <= start:
                raise ValueError(f"the closing time must come after the opening time in {part!r}")
            ranges.append((days, start, end))
        return cls(tuple(ranges))

    def is_open(self, moment: datetime.datetime) -> bool:
        local = moment.astimezone(BRUSSELS)
        return any(local.weekday() in days and start <= local.time() < end for days, start, end in self.ranges)


# --- the transcript ---------------------------------------------------------------------------------

def _changes(current_person: Optional[str], current_role: str, current_language: str, *,
             person_number: Optional[str], language: str, role: Optional[str] = None) -> dict:
    """What a new message changes in its conversation: the login and language follow the latest message;
    a login makes an anonymous conversation an employee's."""
    changes = {}
    if person_number:
        if current_person != person_number:
            changes["person_number"] = person_number
        if current_role == "anonymous":
            changes["role"] = "employee"
    elif role and current_role != role:
        changes["role"] = role
    if current_language != language:
        changes["language"] = language
    return changes


def conversation(session: Session, conversation_id: str, *, person_number: Optional[str] = None,
                 language: str = "nl", role: Optional[str] = None) -> Conversation:
    """The conversation's record, created on its first message; the login and language follow the latest."""
    record = session.get(Conversation, conversation_id)
    if record is None:
        record = Conversation(id=conversation_id, state="assistant", language=language, person_number=person_number,
                              role=role or ("employee" if person_number else "anonymous"))
        session.add(record)
        return record
    for name, value in _changes(record.person_number, record.role, record.language, person_number=person_number,
                                language=language, role=role).items():
        setattr(record, name, value)
    return record


def may_use(session: Session, conversation_id: str, person_number: Optional[str]) -> bool:
    """A conversation that a logged-in person used is theirs: nobody else (logged in or not) continues it."""
    record = session.get(Conversation, conversation_id)
    return record is None or record.person_number is None or record.person_number == person_number


def add_message(session: Session, record: Conversation, author: str, text: str, *, staff_id: Optional[int] = None,
                internal: bool = False, source: Optional[dict] = None) -> ConversationMessage:
    message = ConversationMessage(conversation_id=record.id, author=author, text=masked(text), staff_id=staff_id,
                                  internal=internal, source_kind=(source or {}).get("kind"),
                                  source_id=(source or {}).get("id"))
    session.add(message)
    session.flush()
    return message


def take_question(session: Session, conversation_id: str, text: str, *, person_number: Optional[str] = None,
                  language: str = "nl") -> Optional[str]:
    """Stores the person's message, creating the conversation on its first one; the conversation's
    state, or None when it belongs to someone else (may_use) and nothing was stored.

    The same rules as conversation() + add_message(), in plain statements: this runs for every chat message.
    """
    row = session.execute(
        select(Conversation.person_number, Conversation.role, Conversation.language, Conversation.state)
        .where(Conversation.id == conversation_id)
    ).first()
    now = utcnow()
    if row is None:
        session.execute(insert(Conversation).values(
            id=conversation_id, state="assistant", language=language, person_number=person_number,
            role="employee" if person_number else "anonymous", created_at=now, updated_at=now))
        state = "assistant"
    else:
        if row.person_number is not None and row.person_number != person_number:
            return None
        changes = _changes(row.person_number, row.role, row.language, person_number=person_number, language=language)
        if changes:
            session.execute(update(Conversation).where(Conversation.id == conversation_id).values(**changes, updated_at=now))
        state = row.state
    session.execute(insert(ConversationMessage).values(
        conversation_id=conversation_id, author="person", text=masked(text), internal=False, created_at=now))
    return state


def add_answers(session: Session, conversation_id: str, answers: List[Tuple[str, Optional[dict]]]) -> None:
    """The assistant's answers (text, source) to an existing conversation, in order, in one statement.

    The chat's hot path: no ORM unit of work and no reload of the conversation, which the person's
    message (stored just before, in its own transaction) created already.
    """
    if answers:
        session.execute(insert(ConversationMessage), [
            {"conversation_id": conversation_id, "author": "assistant", "text": masked(text), "staff_id": None,
             "internal": False, "source_kind": (source or {}).get("kind"), "source_id": (source or {}).get("id"),
             "created_at": utcnow()}
            for text, source in answers
        ])


def last_message_id(session: Session, conversation_id: str) -> int:
    """The id of the conversation's latest line, 0 when it has none (one indexed query, no rows loaded)."""
    return session.execute(
        select(func.max(ConversationMessage.id)).where(ConversationMessage.conversation_id == conversation_id)
    ).scalar() or 0


# The largest message id: SQLite's INTEGER (and PostgreSQL's bigint) is 64 bits.
MAX_MESSAGE_ID = 2 ** 63 - 1


def message_number(text: Optional[str]) -> Optional[int]:
    """`?after=` as a message id, None if it is not one. ASCII digits only: str.isdigit() also passes
    '²' (which int() refuses) and '١', and a number past MAX_MESSAGE_ID makes the database driver raise."""
    if not text or not re.fullmatch(r"[0-9]{1,19}", text):
        return None
    number = int(text)
    return number if number <= MAX_MESSAGE_ID else None


def messages_after(session: Session, conversation_id: str, after_id: int = 0, *, include_internal: bool = False
                   ) -> List[ConversationMessage]:
    query = select(ConversationMessage).where(ConversationMessage.conversation_id == conversation_id,
                                              ConversationMessage.id > after_id)
    if not include_internal:
        query = query.where(ConversationMessage.internal.is_(False))
    return session.execute(query.order_by(ConversationMessage.id)).scalars().all()


# --- the queue ----------------------------------------------------------------------------------------

def escalate(session: Session, record: Conversation, reason: str, now: Optional[datetime.datetime] = None) -> bool:
    """Puts the conversation in the queue; False when it already is handed off (nothing changes)."""
    if record.state in HANDED_OFF:
        return False
    record.state, record.reason = "waiting", reason
    record.escalated_at = now or utcnow()
    record.assigned_to = record.assigned_at = record.closed_at = None
    record.rating = None
    return True


@dataclass(frozen=True)
class QueueEntry:
    conversation_id: str
    language: str
    role: str
    reason: Optional[str]
    waiting_seconds: int
    state: str
    assigned_to: Optional[int]


def queue(session: Session, now: Optional[datetime.datetime] = None) -> List[QueueEntry]:
    """Waiting conversations, longest wait first, then the assigned ones."""
    now = now or utcnow()
    rows = session.execute(select(Conversation).where(Conversation.state.in_(HANDED_OFF))).scalars().all()

    def waited(record: Conversation) -> int:
        return max(0, int((now - as_utc(record.escalated_at)).total_seconds()))

    entries = [QueueEntry(r.id, r.language, r.role, r.reason, waited(r), r.state, r.assigned_to) for r in rows]
    return sorted(entries, key=lambda e: (e.state != "waiting", -e.waiting_seconds, e.conversation_id))


def estimated_wait_minutes(waiting_ahead: int, minutes_per_conversation: int = 4) -> int:
    """A plain estimate for the person: a few minutes per conversation ahead, at least one."""
    return max(1, (waiting_ahead + 1) * minutes_per_conversation)


def claim(session: Session, conversation_id: str, staff_id: int, now: Optional[datetime.datetime] = None) -> Conversation:
    """Assigns a waiting conversation to `staff_id`; HandoffRefused(NOT_WAITING) if someone was quicker."""
    result = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.state == "waiting")
        .values(state="assigned", assigned_to=staff_id, assigned_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise HandoffRefused(HandoffRefused.NOT_WAITING)
    record = session.get(Conversation, conversation_id)
    session.refresh(record)
    return record


def _assigned(session: Session, conversation_id: str, staff_id: int) -> Conversation:
    record = session.get(Conversation, conversation_id)
    if record is None:
        raise HandoffRefused(HandoffRefused.UNKNOWN)
    if record.state != "assigned" or record.assigned_to != staff_id:
        raise HandoffRefused(HandoffRefused.NOT_ASSIGNEE)
    return record


def release(session: Session, conversation_id: str, staff_id: int) -> Conversation:
    """Back in the queue for another colleague; the waiting time keeps counting from the escalation."""
    record = _assigned(session, conversation_id, staff_id)
    record.state, record.assigned_to, record.assigned_at = "waiting", None, None
    return record


def staff_reply(session: Session, conversation_id: str, staff_id: int, text: str, *, internal: bool = False
                ) -> ConversationMessage:
    record = _assigned(session, conversation_id, staff_id)
    return add_message(session, record, "staff", text, staff_id=staff_id, internal=internal)


def return_to_assistant(session: Session, conversation_id: str, staff_id: int) -> Conversation:
    record = _assigned(session, conversation_id, staff_id)
    record.state, record.assigned_to = "assistant", None
    return record


def close(session: Session, conversation_id: str, staff_id: int, now: Optional[datetime.datetime] = None) -> Conversation:
    record = _assigned(session, conversation_id, staff_id)
    record.state, record.closed_at = "closed", now or utcnow()
    return record


def rate(session: Session, conversation_id: str, score: int) -> Conversation:
    record = session.get(Conversation, conversation_id)
    if record is None:
        raise HandoffRefused(HandoffRefused.UNKNOWN)
    if record.state != "closed":
        raise HandoffRefused(HandoffRefused.NOT_CLOSED)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise HandoffRefused(HandoffRefused.BAD_RATING)
    record.rating = score
    return record


def is_handed_off(record: Optional[Conversation]) -> bool:
    return record is not None and record.state in HANDED_OFF


def waiting_ahead(session: Session, record: Conversation) -> int:
    """How many conversations in the queue were escalated before this one."""
    return len(session.execute(
        select(Conversation.id).where(Conversation.state == "waiting", Conversation.id != record.id,
                                      Conversation.escalated_at < record.escalated_at)
    ).all())
