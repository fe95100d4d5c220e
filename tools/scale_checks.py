"""What the scale test checks in each conversation's tracker and transcript (pure functions, unit-tested).

>>> events = [{"event": "action", "name": "action_listen", "timestamp": 1},
...           {"event": "user", "text": "hallo", "timestamp": 2}, {"event": "bot", "text": "Dag!", "timestamp": 3}]
>>> tracker_problems(events, ["hallo"])
[]
>>> tracker_problems(events, ["hallo", "nog iets"])
['2 messages sent, 1 in the tracker', "message 2 ('nog iets') is missing"]
"""
from __future__ import annotations

from typing import Dict, List, Sequence, Tuple


def _sequence_problems(received: Sequence[str], sent: Sequence[str], where: str) -> List[str]:
    problems = []
    sent = [text.strip() for text in sent]
    if len(received) != len(sent):
        problems.append(f"{len(sent)} messages sent, {len(received)} in the {where}")
    for position, text in enumerate(sent):
        if position >= len(received):
            problems.append(f"message {position + 1} ({text[:30]!r}) is missing")
            break
        if received[position] != text:
            problems.append(f"message {position + 1} is {received[position][:30]!r}, expected {text[:30]!r} (out of order?)")
            break
    return problems


def tracker_problems(events: Sequence[Dict], sent: Sequence[str]) -> List[str]:
    """Rasa's tracker holds the messages sent, in order, each answered before the next came in.

    >>> tracker_problems([{"event": "user", "text": "a", "timestamp": 1}, {"event": "user", "text": "b", "timestamp": 2},
    ...                   {"event": "bot", "text": "B", "timestamp": 3}], ["a", "b"])
    ['message 1 has no answer before the next message']
    >>> tracker_problems([{"event": "user", "text": "a", "timestamp": 5}, {"event": "bot", "text": "A", "timestamp": 4}], ["a"])
    ['the events are not in time order']
    """
    user_texts = [e.get("text") or "" for e in events if e.get("event") == "user"]
    problems = _sequence_problems(user_texts, sent, "tracker")
    answered, turn = True, 0
    for event in events:
        if event.get("event") == "user":
            if not answered:
                problems.append(f"message {turn} has no answer before the next message")
            answered, turn = False, turn + 1
        elif event.get("event") == "bot":
            answered = True
    if not answered:
        problems.append(f"message {turn} has no answer")
    stamps = [e.get("timestamp") for e in events if isinstance(e.get("timestamp"), (int, float))]
    if any(later < earlier for earlier, later in zip(stamps, stamps[1:])):
        problems.append("the events are not in time order")
    return problems


def transcript_problems(lines: Sequence[Tuple[str, str]], sent: Sequence[str]) -> List[str]:
    """The web app's transcript (author, text) in storage order: the person's messages as sent, in order,
    each followed by the assistant's answer.

    >>> transcript_problems([("person", "a"), ("assistant", "A"), ("person", "b"), ("assistant", "B")], ["a", "b"])
    []
    >>> transcript_problems([("person", "b"), ("assistant", "B"), ("person", "a"), ("assistant", "A")], ["a", "b"])
    ["message 1 is 'b', expected 'a' (out of order?)"]
    >>> transcript_problems([("person", "a"), ("person", "b"), ("assistant", "B")], ["a", "b"])
    ['message 1 has no answer in the transcript']
    """
    problems = _sequence_problems([text for author, text in lines if author == "person"], sent, "transcript")
    for position, (author, _text) in enumerate(lines):
        if author == "person" and (position + 1 >= len(lines) or lines[position + 1][0] != "assistant"):
            turn = sum(1 for a, _ in lines[: position + 1] if a == "person")
            problems.append(f"message {turn} has no answer in the transcript")
    return problems
