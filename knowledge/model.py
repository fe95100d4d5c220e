"""The knowledge entries, as immutable values. Loading and validation live in loader.py."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

LANGUAGES = ("nl", "fr")

# Retrieval-intent prefixes of the NLU model, one per answerable kind of entry.
FAQ_INTENT = "faq"
TOPIC_INTENT = "conditions"
DEFINITION_INTENT = "definition"


@dataclass(frozen=True)
class Localized:
    nl: str
    fr: str

    def get(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.nl


@dataclass(frozen=True)
class Reference:
    kind: str  # "faq" | "article" | "definition" | "topic"
    id: str


@dataclass(frozen=True)
class Section:
    id: str
    title: Localized


@dataclass(frozen=True)
class Faq:
    id: str
    key: str
    section: str
    question: Localized
    answer: Localized
    references: Tuple[Reference, ...] = ()

    @property
    def intent_response_key(self) -> str:
        return f"{FAQ_INTENT}/{self.key}"


@dataclass(frozen=True)
class Article:
    id: str
    text: Localized
    title: Optional[Localized] = None
    references: Tuple[Reference, ...] = ()

    @property
    def parent_id(self) -> Optional[str]:
        """'15.1.2' -> '15.1', '15.1' -> '15', '15' -> None."""
        head, _, _ = self.id.rpartition(".")
        return head or None


@dataclass(frozen=True)
class Definition:
    id: str
    term: Localized
    text: Localized
    article: Optional[str] = None  # set when the term is defined in an article, not in the definitions

    @property
    def intent_response_key(self) -> str:
        return f"{DEFINITION_INTENT}/{self.id.replace('-', '_')}"


@dataclass(frozen=True)
class Topic:
    """A question people ask about the general conditions, answered in plain language."""

    id: str
    article: str
    related: Tuple[str, ...]
    title: Localized
    answer: Localized

    @property
    def intent_response_key(self) -> str:
        return f"{TOPIC_INTENT}/{self.id}"

    @property
    def article_ids(self) -> Tuple[str, ...]:
        return (self.article,) + self.related


@dataclass(frozen=True)
class LegalNote:
    id: str
    checked: datetime.date
    articles: Tuple[str, ...]
    text: Localized
    effective: Optional[datetime.date] = None


@dataclass(frozen=True)
class KnowledgeBase:
    sections: Dict[str, Section]
    faqs: Dict[str, Faq]
    articles: Dict[str, Article]
    definitions: Dict[str, Definition]
    topics: Dict[str, Topic]
    notes: Dict[str, LegalNote]
    labels: Dict[str, Localized]
    _by_intent_response_key: Dict[str, object] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        index: Dict[str, object] = {}
        for entry in (*self.faqs.values(), *self.topics.values(), *self.definitions.values()):
            index[entry.intent_response_key] = entry
        object.__setattr__(self, "_by_intent_response_key", index)

    def by_intent_response_key(self, key: str):
        """The FAQ, topic or definition a retrieval intent such as 'faq/upload_manual' answers."""
        return self._by_intent_response_key.get(key)

    @property
    def intent_response_keys(self) -> Tuple[str, ...]:
        return tuple(self._by_intent_response_key)

    def notes_for(self, article_ids) -> Tuple[LegalNote, ...]:
        wanted = set(article_ids)
        return tuple(n for n in self.notes.values() if wanted.intersection(n.articles))

    def label(self, name: str, lang: str) -> str:
        return self.labels[name].get(lang)
