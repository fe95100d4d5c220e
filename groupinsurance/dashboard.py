"""The figures of the console's dashboard, from the transcripts (groupinsurance.handoff).

- conversations per day (the day of their first message, Brussels time) and escalations per day;
- the share of conversations answered without a person (never escalated);
- the fallback rate: the assistant's answers that were a fallback, of all its sourced answers;
- satisfaction: the ratings after a close (count per score and mean);
- top questions: the FAQs, articles and definitions answered most often.
"""
from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from groupinsurance.handoff import BRUSSELS
from groupinsurance.models import Conversation, ConversationMessage, as_utc, utcnow

KNOWLEDGE_KINDS = ("faq", "article", "definition")


@dataclass(frozen=True)
class Dashboard:
    days: Tuple[datetime.date, ...]
    conversations_per_day: Tuple[int, ...]
    escalations_per_day: Tuple[int, ...]
    conversations: int
    answered_without_person: Optional[float]  # None when there are no conversations
    fallback_rate: Optional[float]
    ratings: Dict[int, int]
    mean_rating: Optional[float]
    top_questions: Tuple[Tuple[str, str, int], ...]  # (kind, id, count)


def _local_day(moment: datetime.datetime) -> datetime.date:
    return as_utc(moment).astimezone(BRUSSELS).date()


def compute(session: Session, days: int = 14, now: Optional[datetime.datetime] = None, top: int = 10) -> Dashboard:
    now = now or utcnow()
    last_day = _local_day(now)
    first_day = last_day - datetime.timedelta(days=days - 1)
    calendar = tuple(first_day + datetime.timedelta(days=i) for i in range(days))
    since = datetime.datetime.combine(first_day, datetime.time(), BRUSSELS).astimezone(datetime.timezone.utc)

    records = session.execute(select(Conversation).where(Conversation.created_at >= since)).scalars().all()
    started = Counter(_local_day(r.created_at) for r in records)
    escalated = Counter(_local_day(r.escalated_at) for r in records if r.escalated_at is not None)
    without_person = sum(1 for r in records if r.escalated_at is None)

    kinds = dict(session.execute(
        select(ConversationMessage.source_kind, func.count())
        .where(ConversationMessage.author == "assistant", ConversationMessage.source_kind.isnot(None),
               ConversationMessage.created_at >= since)
        .group_by(ConversationMessage.source_kind)
    ).all())
    sourced = sum(kinds.values())

    ratings = Counter(r.rating for r in records if r.rating is not None)
    rated = sum(ratings.values())

    top_rows = session.execute(
        select(ConversationMessage.source_kind, ConversationMessage.source_id, func.count().label("n"))
        .where(ConversationMessage.author == "assistant", ConversationMessage.source_kind.in_(KNOWLEDGE_KINDS),
               ConversationMessage.created_at >= since)
        .group_by(ConversationMessage.source_kind, ConversationMessage.source_id)
        .order_by(func.count().desc(), ConversationMessage.source_kind, ConversationMessage.source_id)
        .limit(top)
    ).all()

    return Dashboard(
        days=calendar,
        conversations_per_day=tuple(started.get(day, 0) for day in calendar),
        escalations_per_day=tuple(escalated.get(day, 0) for day in calendar),
        conversations=len(records),
        answered_without_person=(without_person / len(records)) if records else None,
        fallback_rate=(kinds.get("fallback", 0) / sourced) if sourced else None,
        ratings={score: ratings.get(score, 0) for score in range(1, 6)},
        mean_rating=(sum(score * n for score, n in ratings.items()) / rated) if rated else None,
        top_questions=tuple((kind, entry_id, n) for kind, entry_id, n in top_rows),
    )


def bars(values: List[int], width: int = 560, height: int = 120) -> List[Dict[str, float]]:
    """Bar geometry for an inline SVG chart (no chart library, no script)."""
    peak = max(values) if values and max(values) > 0 else 1
    step = width / max(1, len(values))
    return [{"x": i * step + 2, "width": max(1.0, step - 4), "height": (v / peak) * (height - 20),
             "y": height - (v / peak) * (height - 20), "value": v} for i, v in enumerate(values)]
