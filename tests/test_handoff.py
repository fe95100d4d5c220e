"""Handoff rules: the transcript (masked), escalation, the queue, one assignee at a time, release,
return to the assistant, close and rating, opening hours."""
import datetime

import pytest

from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from groupinsurance import demo_data, handoff, identifiers
from groupinsurance.handoff import HandoffRefused, OpeningHours
from groupinsurance.models import StaffUser

UTC = datetime.timezone.utc
T0 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Brussels
JAN = demo_data.PERSONS["jan"].national_number


@pytest.fixture
def staff(session_factory):
    with session_factory.begin() as s:
        a = StaffUser(email="an@insurer.example", name="An", password_hash="x")
        b = StaffUser(email="bert@insurer.example", name="Bert", password_hash="x")
        s.add_all([a, b])
        s.flush()
        return a.id, b.id


def start(s, conversation_id="conv-00000001", when=T0, person=None, reason="request_human"):
    record = handoff.conversation(s, conversation_id, person_number=person, language="fr")
    handoff.add_message(s, record, "person", "je veux parler à quelqu'un")
    handoff.escalate(s, record, reason, when)
    return record


def test_the_transcript_is_stored_masked(session_factory):
    with session_factory.begin() as s:
        record = handoff.conversation(s, "conv-00000001", person_number=JAN)
        handoff.add_message(s, record, "person", f"mijn nummer is {identifiers.format(JAN)} en BE21 0012 3456 7803")
    with session_factory() as s:
        [message] = handoff.messages_after(s, "conv-00000001")
        assert JAN not in message.text and identifiers.format(JAN) not in message.text and "0012" not in message.text
        assert identifiers.mask(JAN) in message.text and "BE21 **** **** 7803" in message.text
        assert s.get(handoff.Conversation, "conv-00000001").role == "employee"


def test_escalation_queue_and_wait(session_factory):
    with session_factory.begin() as s:
        start(s, "conv-00000001", T0)
        start(s, "conv-00000002", T0 + datetime.timedelta(minutes=5))
        assert handoff.escalate(s, s.get(handoff.Conversation, "conv-00000001"), "again") is False  # already waiting
    with session_factory() as s:
        entries = handoff.queue(s, T0 + datetime.timedelta(minutes=10))
        assert [(e.conversation_id, e.waiting_seconds) for e in entries] == [("conv-00000001", 600), ("conv-00000002", 300)]
        assert handoff.waiting_ahead(s, s.get(handoff.Conversation, "conv-00000002")) == 1
    assert handoff.estimated_wait_minutes(0) == 4 and handoff.estimated_wait_minutes(2) == 12


def test_one_assignee_at_a_time(session_factory, staff):
    an, bert = staff
    with session_factory.begin() as s:
        start(s)
    with session_factory.begin() as s:
        assert handoff.claim(s, "conv-00000001", an).assigned_to == an
    with pytest.raises(HandoffRefused) as refused:
        with session_factory.begin() as s:
            handoff.claim(s, "conv-00000001", bert)
    assert refused.value.reason == HandoffRefused.NOT_WAITING
    for action in (handoff.release, handoff.return_to_assistant, handoff.close):
        with pytest.raises(HandoffRefused) as refused:
            with session_factory.begin() as s:
                action(s, "conv-00000001", bert)
        assert refused.value.reason == HandoffRefused.NOT_ASSIGNEE
    with pytest.raises(HandoffRefused):
        with session_factory.begin() as s:
            handoff.staff_reply(s, "conv-00000001", bert, "bonjour")


def test_release_then_another_colleague_claims_and_the_wait_keeps_counting(session_factory, staff):
    an, bert = staff
    with session_factory.begin() as s:
        start(s)
        handoff.claim(s, "conv-00000001", an)
        handoff.release(s, "conv-00000001", an)
        handoff.claim(s, "conv-00000001", bert)
    with session_factory() as s:
        [entry] = handoff.queue(s, T0 + datetime.timedelta(minutes=2))
        assert entry.state == "assigned" and entry.assigned_to == bert and entry.waiting_seconds == 120


def test_reply_note_return_close_and_rate(session_factory, staff):
    an, _ = staff
    with session_factory.begin() as s:
        start(s)
        handoff.claim(s, "conv-00000001", an)
        handoff.staff_reply(s, "conv-00000001", an, "Bonjour, je regarde votre dossier.")
        handoff.staff_reply(s, "conv-00000001", an, "vérifier le numéro 85.07.30-033.28", internal=True)
    with session_factory() as s:
        visible = [m.text for m in handoff.messages_after(s, "conv-00000001")]
        everything = [m.text for m in handoff.messages_after(s, "conv-00000001", include_internal=True)]
    assert visible[-1] == "Bonjour, je regarde votre dossier." and len(everything) == len(visible) + 1
    assert "85.07.30-***.**" in everything[-1]
    with session_factory.begin() as s:
        with pytest.raises(HandoffRefused, match="not_closed"):
            handoff.rate(s, "conv-00000001", 5)
        assert handoff.return_to_assistant(s, "conv-00000001", an).state == "assistant"
        start(s)  # escalated again later
        handoff.claim(s, "conv-00000001", an)
        assert handoff.close(s, "conv-00000001", an, T0).state == "closed"
        for bad in (0, 6, "5", True):
            with pytest.raises(HandoffRefused, match="bad_rating"):
                handoff.rate(s, "conv-00000001", bad)
        assert handoff.rate(s, "conv-00000001", 4).rating == 4


@pytest.mark.parametrize("moment, is_open", [
    (datetime.datetime(2026, 11, 23, 7, 29, tzinfo=UTC), False),   # Monday 08:29 in Brussels (UTC+1)
    (datetime.datetime(2026, 11, 23, 7, 30, tzinfo=UTC), True),    # 08:30
    (datetime.datetime(2026, 11, 23, 15, 59, tzinfo=UTC), True),   # 16:59
    (datetime.datetime(2026, 11, 23, 16, 0, tzinfo=UTC), False),   # 17:00 closes
    (datetime.datetime(2026, 11, 28, 10, 0, tzinfo=UTC), False),   # Saturday
    (datetime.datetime(2026, 7, 6, 6, 45, tzinfo=UTC), True),      # summer time: 08:45 in Brussels
])
def test_opening_hours_in_brussels_time(moment, is_open):
    assert OpeningHours.parse("mon-fri 08:30-17:00").is_open(moment) is is_open


@pytest.mark.parametrize("spec", ["weekdays 9-5", "mon-fri 17:00-08:30", "xyz 08:00-09:00"])
def test_bad_opening_hours_are_refused(spec):
    with pytest.raises(ValueError):
        OpeningHours.parse(spec)


def test_last_message_id(session_factory):
    with session_factory.begin() as s:
        assert handoff.last_message_id(s, "conv-00000009") == 0
        record = handoff.conversation(s, "conv-00000009")
        first = handoff.add_message(s, record, "person", "a")
        second = handoff.add_message(s, record, "assistant", "b")
        assert handoff.last_message_id(s, "conv-00000009") == second.id > first.id


def test_take_question_and_add_answers_keep_the_transcript_rules(session_factory):
    jan, marie = demo_data.PERSONS["jan"].national_number, demo_data.PERSONS["marie"].national_number
    with session_factory.begin() as s:
        assert handoff.take_question(s, "conv-take-1", "hallo", language="nl") == "assistant"
        handoff.add_answers(s, "conv-take-1", [("Dag!", {"kind": "faq", "id": "7"}), ("Nog iets?", None)])
        # Logging in makes an anonymous conversation the person's; the language follows the latest message.
        assert handoff.take_question(s, "conv-take-1", f"mijn nummer {identifiers.format(jan)}", person_number=jan,
                                     language="fr") == "assistant"
    with session_factory.begin() as s:
        # Someone else (or nobody) cannot continue it, and nothing of theirs is stored.
        assert handoff.take_question(s, "conv-take-1", "ik ook", person_number=marie) is None
        assert handoff.take_question(s, "conv-take-1", "anoniem") is None
    with session_factory() as s:
        record = s.get(handoff.Conversation, "conv-take-1")
        assert (record.person_number, record.role, record.language) == (jan, "employee", "fr")
        lines = [(m.author, m.text, m.source_kind) for m in handoff.messages_after(s, "conv-take-1")]
        assert lines == [("person", "hallo", None), ("assistant", "Dag!", "faq"), ("assistant", "Nog iets?", None),
                         ("person", f"mijn nummer {identifiers.mask(jan)}", None)]
