"""The tables: persons, employers (organisers), their group-insurance contracts, and the outbox.

Identifiers are stored compact (11 digits, 10 for enterprise numbers) and checked on assignment, so a
malformed number cannot enter the database through the ORM. Migrations (groupinsurance/migrations)
create the tables; keep them in step with this module.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import declarative_base, relationship, validates
from stdnum.be import vat

from groupinsurance import identifiers
from groupinsurance.money import Money

# Named constraints, so that Alembic can alter them later (SQLite batch mode needs the names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))

LANGUAGES = ("nl", "fr")
# A: employer contributions, C: personal contributions, P: personal contract (continued by the person).
CONTRACT_KINDS = ("A", "C", "P")
PLAN_TYPES = ("salaried", "self_employed")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands stored datetimes back without their zone; they are UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Person(Base):
    """Someone who can log in: known by national register or BIS number."""

    __tablename__ = "persons"
    __table_args__ = (CheckConstraint(_in("language", LANGUAGES), name="language"),)

    id = Column(Integer, primary_key=True)
    national_number = Column(String(11), nullable=False, unique=True)
    first_name = Column(String(100), nullable=False)
    last_name = Column(String(100), nullable=False)
    # The language of documents and messages; the person may change it (FAQ 8).
    language = Column(String(2), nullable=False, default="nl")
    # The employer uploads the business address; the person gives the private one (FAQ 8, 19).
    business_email = Column(String(254))
    private_email = Column(String(254))
    # Set when the person changed the value in the portal or the chat (FAQ 8). Until the insurer's export
    # carries the same value, the nightly import keeps the person's choice; then these go back to NULL.
    language_set_by_person_at = Column(DateTime(timezone=True))
    private_email_set_by_person_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    contracts = relationship("Contract", back_populates="person")

    @validates("national_number")
    def _check_number(self, _key, value):
        return identifiers.validate(value)

    @validates("language")
    def _check_language(self, _key, value):
        if value not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        return value

    @property
    def number_kind(self) -> str:
        return identifiers.kind(self.national_number)

    def __repr__(self) -> str:  # masked: reprs end up in logs and tracebacks
        return f"<Person {self.id} {identifiers.mask(self.national_number)}>"


class Employer(Base):
    """The organiser of a group insurance. Foreign organisers may have no Belgian enterprise number."""

    __tablename__ = "employers"

    id = Column(Integer, primary_key=True)
    # KBO/BCE enterprise number, 10 digits (the export's employer_number column).
    enterprise_number = Column(String(10), unique=True)
    name = Column(String(200), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    contracts = relationship("Contract", back_populates="employer")

    @validates("enterprise_number")
    def _check_number(self, _key, value):
        return vat.validate(value) if value else None

    def __repr__(self) -> str:
        return f"<Employer {self.id} {self.name!r}>"


class Contract(Base):
    """One contract of the insurer's export. Only numbers starting with 530/ are group insurance."""

    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint(_in("kind", CONTRACT_KINDS), name="kind"),
        CheckConstraint(_in("plan_type", PLAN_TYPES), name="plan_type"),
        CheckConstraint("annual_premium >= 0", name="annual_premium"),
        CheckConstraint("reserves >= 0", name="reserves"),
    )

    id = Column(Integer, primary_key=True)
    contract_number = Column(String(40), nullable=False, unique=True)
    # Nullable: the organiser may not have filled in the national or BIS number yet (FAQ 9).
    person_id = Column(Integer, ForeignKey("persons.id"), index=True)
    employer_id = Column(Integer, ForeignKey("employers.id"), nullable=False, index=True)
    kind = Column(String(1), nullable=False)
    plan_type = Column(String(16), nullable=False, default="salaried")
    annual_premium = Column(Money, nullable=False, default=0)
    reserves = Column(Money, nullable=False, default=0)
    affiliation_date = Column(Date)
    exit_date = Column(Date)
    exit_notice_date = Column(Date)
    termination_date = Column(Date)
    # Employment suspended (long illness, career break): active although no premium is paid (FAQ 1).
    suspended = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    person = relationship("Person", back_populates="contracts")
    employer = relationship("Employer", back_populates="contracts")

    def __repr__(self) -> str:
        return f"<Contract {self.contract_number}>"


EXIT_CHOICE_STATUSES = ("registered", "superseded", "processed")


class ExitChoice(Base):
    """What a person chose for a contract after leaving the employer (art. 15.1), for staff to carry out."""

    __tablename__ = "exit_choices"
    __table_args__ = (CheckConstraint(_in("status", EXIT_CHOICE_STATUSES), name="status"),)

    id = Column(Integer, primary_key=True)
    # Short and unambiguous, to quote on the phone or in a letter (groupinsurance.references).
    reference = Column(String(16), nullable=False, unique=True)
    person_id = Column(Integer, ForeignKey("persons.id"), nullable=False, index=True)
    contract_id = Column(Integer, ForeignKey("contracts.id"), nullable=False, index=True)
    option = Column(String(40), nullable=False)
    # registered -> processed by staff; a later choice for the same contract supersedes an earlier one.
    status = Column(String(16), nullable=False, default="registered")
    # The chat conversation it was made in, so that staff see it beside the transcript.
    conversation_id = Column(String(64))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    person = relationship("Person")
    contract = relationship("Contract")

    def __repr__(self) -> str:
        return f"<ExitChoice {self.reference} {self.option} {self.status}>"


CLAIM_REASONS = ("retirement", "death")
CLAIM_STATUSES = ("draft", "submitted", "withdrawn", "in_progress", "paid")
PAYOUT_FORMS = ("capital", "annuity")


class Claim(Base):
    """A payout claim (the digital payout module): a draft while the person fills it in, then submitted.

    Retirement: the affiliate claims their own contracts. Death: a beneficiary reports the affiliate's
    death; the claim links no contract until staff have verified it (the claimant never sees the
    deceased's contracts).
    """

    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint(_in("reason", CLAIM_REASONS), name="reason"),
        CheckConstraint(_in("status", CLAIM_STATUSES), name="status"),
        CheckConstraint(f"payout_form IS NULL OR {_in('payout_form', PAYOUT_FORMS)}", name="payout_form"),
    )

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), nullable=False, unique=True)
    # Whoever is logged in and claims: the affiliate (retirement) or a beneficiary (death).
    claimant_number = Column(String(11), nullable=False, index=True)
    reason = Column(String(16), nullable=False)
    status = Column(String(16), nullable=False, default="draft")
    pension_start_date = Column(Date)  # retirement: when the legal (or early) pension starts
    payout_form = Column(String(16))
    # Annuity only: 80 % transferable to the surviving spouse or legal cohabitant (art. 16.1).
    reversion = Column(Boolean)
    iban = Column(String(34))
    deceased_name = Column(String(200))  # death: as the claimant gave it, for staff to verify
    date_of_death = Column(Date)
    conversation_id = Column(String(64))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    submitted_at = Column(DateTime(timezone=True))
    withdrawn_at = Column(DateTime(timezone=True))

    contracts = relationship("Contract", secondary="claim_contracts", order_by="Contract.contract_number")
    documents = relationship("ClaimDocument", back_populates="claim", order_by="ClaimDocument.id")

    @validates("claimant_number")
    def _check_number(self, _key, value):
        return identifiers.validate(value)

    def __repr__(self) -> str:  # no IBAN, no number: reprs end up in logs
        return f"<Claim {self.reference} {self.reason} {self.status}>"


class ClaimContract(Base):
    __tablename__ = "claim_contracts"

    claim_id = Column(Integer, ForeignKey("claims.id"), primary_key=True)
    contract_id = Column(Integer, ForeignKey("contracts.id"), primary_key=True, index=True)


class ClaimDocument(Base):
    """A file uploaded for a claim, stored outside the web root under a random name."""

    __tablename__ = "claim_documents"

    id = Column(Integer, primary_key=True)
    claim_id = Column(Integer, ForeignKey("claims.id"), nullable=False, index=True)
    kind = Column(String(40), nullable=False)  # groupinsurance.claims.DocumentKind
    original_name = Column(String(255), nullable=False)
    stored_name = Column(String(64), nullable=False, unique=True)
    content_type = Column(String(64), nullable=False)
    size = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    uploaded_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    claim = relationship("Claim", back_populates="documents")


CONVERSATION_STATES = ("assistant", "waiting", "assigned", "closed")
CONVERSATION_ROLES = ("employee", "employer", "anonymous")
MESSAGE_AUTHORS = ("person", "assistant", "staff", "system")


class StaffUser(Base):
    """A support colleague who may use the console. Created with `python -m web.staff create`."""

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, unique=True)
    name = Column(String(100), nullable=False)
    password_hash = Column(String(255), nullable=False)  # werkzeug.security, never the password
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<StaffUser {self.id}>"


class Conversation(Base):
    """One chat conversation as the web app sees it (the widget's conversation id), and its handoff."""

    __tablename__ = "conversations"
    __table_args__ = (
        CheckConstraint(_in("state", CONVERSATION_STATES), name="state"),
        CheckConstraint(_in("role", CONVERSATION_ROLES), name="role"),
        CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating"),
    )

    id = Column(String(64), primary_key=True)
    # The logged-in person, if any (their national number); never shown in clear to staff.
    person_number = Column(String(11), index=True)
    role = Column(String(16), nullable=False, default="anonymous")
    language = Column(String(2), nullable=False, default="nl")
    # assistant: the model answers; waiting: escalated, in the queue; assigned: a colleague answers;
    # closed: a colleague closed it (the person may rate it).
    state = Column(String(16), nullable=False, default="assistant", index=True)
    reason = Column(String(40))
    escalated_at = Column(DateTime(timezone=True))
    assigned_to = Column(Integer, ForeignKey("staff_users.id"))
    assigned_at = Column(DateTime(timezone=True))
    closed_at = Column(DateTime(timezone=True))
    rating = Column(Integer)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    messages = relationship("ConversationMessage", order_by="ConversationMessage.id", back_populates="conversation")
    assignee = relationship("StaffUser")


class ConversationMessage(Base):
    """A line of the transcript, bot part included. Text is stored with national numbers and IBANs masked."""

    __tablename__ = "conversation_messages"
    __table_args__ = (CheckConstraint(_in("author", MESSAGE_AUTHORS), name="author"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(64), ForeignKey("conversations.id"), nullable=False, index=True)
    author = Column(String(16), nullable=False)
    staff_id = Column(Integer, ForeignKey("staff_users.id"))
    text = Column(Text, nullable=False)
    # Internal notes are staff-only: never sent to the person.
    internal = Column(Boolean, nullable=False, default=False)
    # For the assistant's answers: where the answer came from (faq, article, definition, fallback,
    # handoff) and which entry, for the dashboard's fallback rate and top questions.
    source_kind = Column(String(16))
    source_id = Column(String(40))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    conversation = relationship("Conversation", back_populates="messages")


class OutboxMessage(Base):
    """A confirmation message waiting to be sent; without a mail server it just stays queued."""

    __tablename__ = "outbox"
    __table_args__ = (CheckConstraint(_in("language", LANGUAGES), name="language"),)

    id = Column(Integer, primary_key=True)
    recipient = Column(String(254), nullable=False)
    language = Column(String(2), nullable=False)
    subject = Column(String(200), nullable=False)
    body = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # NULL until sent: the queue is `WHERE sent_at IS NULL`.
    sent_at = Column(DateTime(timezone=True), index=True)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} sent_at={self.sent_at}>"


class EndedLogin(Base):
    """A login that was ended (logout): its session cookie no longer logs anyone in, even if copied.

    The cookie itself lives in the browser; only its login id is kept here, until the longest a login
    can last has passed (groupinsurance.logins.MAX_LOGIN)."""

    __tablename__ = "ended_logins"

    login_id = Column(String(64), primary_key=True)
    ended_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    forget_after = Column(DateTime(timezone=True), nullable=False, index=True)

    def __repr__(self) -> str:
        return f"<EndedLogin ended_at={self.ended_at}>"
