"""Turn a knowledge entry into what the person reads: the text, the dated legal notes, the source.

Pure functions over a KnowledgeBase, so the Rasa actions and the web app show the same answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple, Union

from babel.dates import format_date

from groupinsurance.language import BABEL_LOCALES
from knowledge.model import Article, Definition, Faq, KnowledgeBase, LegalNote, Topic

Entry = Union[Faq, Topic, Definition, Article]



@dataclass(frozen=True)
class Answer:
    text: str
    source: Dict[str, str]  # {"kind": "faq"|"article"|"definition", "id": ...}
    notes: Tuple[LegalNote, ...] = ()


def format_long_date(value, lang: str) -> str:
    return format_date(value, format="long", locale=BABEL_LOCALES.get(lang, "nl_BE"))


def render_note(kb: KnowledgeBase, note: LegalNote, lang: str) -> str:
    text = note.text.get(lang)
    if note.effective:
        return kb.label("note_since", lang).format(date=format_long_date(note.effective, lang), text=text)
    return kb.label("note_current", lang).format(checked=format_long_date(note.checked, lang), text=text)


def source_of(entry: Entry) -> Dict[str, str]:
    if isinstance(entry, Faq):
        return {"kind": "faq", "id": entry.id}
    if isinstance(entry, Topic):
        return {"kind": "article", "id": entry.article}
    if isinstance(entry, Definition):
        return {"kind": "definition", "id": entry.id}
    return {"kind": "article", "id": entry.id}


def article_full_text(kb: KnowledgeBase, article_id: str, lang: str) -> str:
    """The article and all its sub-articles in source order, each under its number and title."""
    parts = []
    prefix = article_id + "."
    for article in kb.articles.values():
        if article.id != article_id and not article.id.startswith(prefix):
            continue
        heading = article.id
        if article.title:
            heading = f"{article.id} {article.title.get(lang)}"
        parts.append(heading)
        if article.text.get(lang):
            parts.append(article.text.get(lang))
    return "\n\n".join(parts)


def _article_ids_with_ancestors(article_ids) -> Tuple[str, ...]:
    """Notes attached to '15' concern '15.1.2' as well."""
    ids = []
    for aid in article_ids:
        pieces = aid.split(".")
        ids.extend(".".join(pieces[:n]) for n in range(1, len(pieces) + 1))
    return tuple(dict.fromkeys(ids))


def render(kb: KnowledgeBase, entry: Entry, lang: str) -> Answer:
    if isinstance(entry, Faq):
        body, cited = entry.answer.get(lang), ()
    elif isinstance(entry, Topic):
        body, cited = entry.answer.get(lang), entry.article_ids
    elif isinstance(entry, Definition):
        definition = entry.text.get(lang)
        # A definition that is a list reads better with the list under the term.
        body = entry.term.get(lang) + (":\n" if definition.startswith("- ") else ": ") + definition
        cited = (entry.article,) if entry.article else ()
        if entry.article:
            body += "\n\n" + kb.label("definition_defined_in_article", lang).format(article=entry.article)
    else:
        body = article_full_text(kb, entry.id, lang)
        cited = (entry.id,) + tuple(a for a in kb.articles if a.startswith(entry.id + "."))
    notes = kb.notes_for(_article_ids_with_ancestors(cited)) if cited else ()
    text = "\n\n".join([body, *(render_note(kb, n, lang) for n in notes)])
    return Answer(text=text, source=source_of(entry), notes=notes)


def title_of(kb: KnowledgeBase, entry: Entry, lang: str) -> str:
    """A short label for a button that leads to this entry."""
    if isinstance(entry, Faq):
        return entry.question.get(lang)
    if isinstance(entry, Topic):
        return entry.title.get(lang)
    if isinstance(entry, Definition):
        return kb.label("definition_button", lang).format(term=entry.term.get(lang))
    return kb.label("article_heading", lang).format(article=entry.id)


# Button payloads name an entry as "<kind>:<id>", kind one of faq, topic, definition, article.
def topic_ref(entry: Entry) -> str:
    kind = {Faq: "faq", Topic: "topic", Definition: "definition", Article: "article"}[type(entry)]
    return f"{kind}:{entry.id}"


def resolve_topic_ref(kb: KnowledgeBase, ref: str) -> Optional[Entry]:
    kind, _, entry_id = (ref or "").partition(":")
    table = {"faq": kb.faqs, "topic": kb.topics, "definition": kb.definitions, "article": kb.articles}
    return table.get(kind, {}).get(entry_id.strip())
