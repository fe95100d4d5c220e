"""Load and validate the knowledge content.

All problems are collected and reported together, each naming the file and the entry, so that a
content reviewer fixes a whole batch in one go instead of one error per start-up.
"""
from __future__ import annotations

import datetime
import functools
import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml

from knowledge.model import (
    LANGUAGES,
    Article,
    Definition,
    Faq,
    KnowledgeBase,
    LegalNote,
    Localized,
    Reference,
    Section,
    Topic,
)

CONTENT_DIR = Path(__file__).resolve().parent / "content"
REFERENCE_KINDS = ("faq", "article", "definition", "topic")
_ARTICLE_ID = re.compile(r"^[1-9][0-9]?(\.[1-9][0-9]?){0,2}$")
_SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER = re.compile(r"\bTODO\b")


class KnowledgeError(ValueError):
    """The content is invalid; the message lists every problem found."""

    def __init__(self, problems: List[str]):
        self.problems = problems
        super().__init__(
            f"{len(problems)} problem(s) in the knowledge content:\n- " + "\n- ".join(problems)
        )


class _Problems:
    def __init__(self) -> None:
        self.items: List[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def _read(path: Path, top_key: str, problems: _Problems) -> List[Dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.add(path.name, "file is missing")
        return []
    except yaml.YAMLError as exc:
        problems.add(path.name, f"is not valid YAML ({exc})")
        return []
    if not isinstance(data, dict) or not isinstance(data.get(top_key), list):
        problems.add(path.name, f"needs a top-level list '{top_key}'")
        return []
    return data[top_key]


def _localized(
    raw: Any, where: str, field_name: str, problems: _Problems, allow_empty: bool = False
) -> Localized:
    if not isinstance(raw, dict):
        problems.add(where, f"'{field_name}' must map each language ({', '.join(LANGUAGES)}) to a text")
        return Localized("", "")
    values = {}
    for lang in LANGUAGES:
        value = raw.get(lang)
        if value is None or not isinstance(value, str):
            problems.add(where, f"'{field_name}' has no '{lang}' text")
            value = ""
        value = value.strip()
        if not value and not allow_empty:
            problems.add(where, f"'{field_name}' in '{lang}' is empty")
        if _PLACEHOLDER.search(value):
            problems.add(where, f"'{field_name}' in '{lang}' still holds a TODO placeholder")
        values[lang] = value
    if allow_empty and bool(values["nl"]) != bool(values["fr"]):
        problems.add(where, f"'{field_name}' is empty in one language only")
    return Localized(**values)


def _references(raw: Any, where: str, problems: _Problems) -> Tuple[Reference, ...]:
    refs = []
    for item in raw or []:
        if not isinstance(item, dict) or item.get("kind") not in REFERENCE_KINDS or not item.get("id"):
            problems.add(where, f"reference {item!r} needs a kind ({', '.join(REFERENCE_KINDS)}) and an id")
            continue
        refs.append(Reference(kind=str(item["kind"]), id=str(item["id"])))
    return tuple(refs)


def _unique(entries: Dict[str, Any], entry_id: str, where: str, problems: _Problems) -> bool:
    if entry_id in entries:
        problems.add(where, "duplicate id")
        return False
    return True


def _date(raw: Any, where: str, field_name: str, problems: _Problems) -> Optional[datetime.date]:
    if isinstance(raw, datetime.date):
        return raw
    try:
        return datetime.date.fromisoformat(str(raw))
    except ValueError:
        problems.add(where, f"'{field_name}' must be an ISO date, not {raw!r}")
        return None


def _load_sections_and_faqs(content: Path, problems: _Problems):
    path = content / "faqs.yml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        problems.add(path.name, f"cannot be read ({exc})")
        return {}, {}
    sections: Dict[str, Section] = {}
    for item in raw.get("sections") or []:
        where = f"faqs.yml: section {item.get('id')!r}"
        sid = str(item.get("id") or "")
        if not _KEY.match(sid):
            problems.add(where, "id must be a lowercase English slug")
            continue
        if _unique(sections, sid, where, problems):
            sections[sid] = Section(sid, _localized(item.get("title"), where, "title", problems))
    faqs: Dict[str, Faq] = {}
    for item in raw.get("faqs") or []:
        fid = str(item.get("id") or "")
        where = f"faqs.yml: faq {fid!r}"
        if not fid.isdigit():
            problems.add(where, "id must be the FAQ's number in the source")
            continue
        key = str(item.get("key") or "")
        if not _KEY.match(key):
            problems.add(where, f"key {key!r} must be a lowercase English slug")
        if item.get("section") not in sections:
            problems.add(where, f"section {item.get('section')!r} is not defined under 'sections'")
        if _unique(faqs, fid, where, problems):
            faqs[fid] = Faq(
                id=fid,
                key=key,
                section=str(item.get("section")),
                question=_localized(item.get("question"), where, "question", problems),
                answer=_localized(item.get("answer"), where, "answer", problems),
                references=_references(item.get("references"), where, problems),
            )
    return sections, faqs


def _load_articles(content: Path, problems: _Problems) -> Dict[str, Article]:
    articles: Dict[str, Article] = {}
    files = sorted((content / "articles").glob("*.yml"))
    if not files:
        problems.add("articles/", "no article files")
    for path in files:
        for item in _read(path, "articles", problems):
            aid = str(item.get("id") or "")
            where = f"articles/{path.name}: article {aid!r}"
            if not _ARTICLE_ID.match(aid):
                problems.add(where, "id must be an article number such as '15' or '15.1.2'")
                continue
            title = item.get("title")
            if _unique(articles, aid, where, problems):
                articles[aid] = Article(
                    id=aid,
                    title=_localized(title, where, "title", problems) if title is not None else None,
                    # A heading-only (sub-)article has its text in its children.
                    text=_localized(item.get("text"), where, "text", problems, allow_empty=True),
                    references=_references(item.get("references"), where, problems),
                )
    for article in articles.values():
        where = f"article {article.id!r}"
        if article.parent_id and article.parent_id not in articles:
            problems.add(where, f"its parent article {article.parent_id!r} is missing")
        has_children = any(a.parent_id == article.id for a in articles.values())
        if not article.text.nl and not has_children:
            problems.add(where, "has no text and no sub-articles")
        if article.parent_id is None and article.title is None:
            problems.add(where, "an article needs a title")
    return articles


def _load_definitions(content: Path, problems: _Problems) -> Dict[str, Definition]:
    definitions: Dict[str, Definition] = {}
    for item in _read(content / "definitions.yml", "definitions", problems):
        did = str(item.get("id") or "")
        where = f"definitions.yml: definition {did!r}"
        if not _SLUG.match(did):
            problems.add(where, "id must be a lowercase English slug with hyphens")
            continue
        if _unique(definitions, did, where, problems):
            definitions[did] = Definition(
                id=did,
                term=_localized(item.get("term"), where, "term", problems),
                text=_localized(item.get("text"), where, "text", problems),
                article=str(item["article"]) if item.get("article") is not None else None,
            )
    return definitions


def _load_topics(content: Path, problems: _Problems) -> Dict[str, Topic]:
    topics: Dict[str, Topic] = {}
    for item in _read(content / "topics.yml", "topics", problems):
        tid = str(item.get("id") or "")
        where = f"topics.yml: topic {tid!r}"
        if not _KEY.match(tid):
            problems.add(where, "id must be a lowercase English slug")
            continue
        if _unique(topics, tid, where, problems):
            topics[tid] = Topic(
                id=tid,
                article=str(item.get("article") or ""),
                related=tuple(str(a) for a in item.get("related") or ()),
                title=_localized(item.get("title"), where, "title", problems),
                answer=_localized(item.get("answer"), where, "answer", problems),
            )
    return topics


def _load_notes(content: Path, problems: _Problems) -> Dict[str, LegalNote]:
    notes: Dict[str, LegalNote] = {}
    for item in _read(content / "legal_notes.yml", "notes", problems):
        nid = str(item.get("id") or "")
        where = f"legal_notes.yml: note {nid!r}"
        if not _SLUG.match(nid):
            problems.add(where, "id must be a lowercase English slug with hyphens")
            continue
        if not item.get("articles"):
            problems.add(where, "names no article it applies to")
        effective = item.get("effective")
        if _unique(notes, nid, where, problems):
            notes[nid] = LegalNote(
                id=nid,
                checked=_date(item.get("checked"), where, "checked", problems),
                effective=_date(effective, where, "effective", problems) if effective else None,
                articles=tuple(str(a) for a in item.get("articles") or ()),
                text=_localized(item.get("text"), where, "text", problems),
            )
    return notes


def _load_labels(content: Path, problems: _Problems) -> Dict[str, Localized]:
    path = content / "labels.yml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        problems.add(path.name, f"cannot be read ({exc})")
        return {}
    return {
        str(name): _localized(value, f"labels.yml: {name}", "label", problems)
        for name, value in (raw.get("labels") or {}).items()
    }


def _check_references(kb_parts: Dict[str, Dict[str, Any]], problems: _Problems) -> None:
    """No reference, topic article or note article may point at nothing."""
    known = {
        "faq": kb_parts["faqs"],
        "article": kb_parts["articles"],
        "definition": kb_parts["definitions"],
        "topic": kb_parts["topics"],
    }
    owners: Iterable[Tuple[str, Any]] = [
        *((f"faq {f.id!r}", f) for f in kb_parts["faqs"].values()),
        *((f"article {a.id!r}", a) for a in kb_parts["articles"].values()),
    ]
    for where, entry in owners:
        for ref in entry.references:
            if ref.id not in known[ref.kind]:
                problems.add(where, f"refers to {ref.kind} {ref.id!r}, which does not exist")
    for topic in kb_parts["topics"].values():
        for aid in topic.article_ids:
            if aid not in kb_parts["articles"]:
                problems.add(f"topic {topic.id!r}", f"cites article {aid!r}, which does not exist")
    for note in kb_parts["notes"].values():
        for aid in note.articles:
            if aid not in kb_parts["articles"]:
                problems.add(f"note {note.id!r}", f"applies to article {aid!r}, which does not exist")
    for definition in kb_parts["definitions"].values():
        if definition.article and definition.article not in kb_parts["articles"]:
            problems.add(
                f"definition {definition.id!r}",
                f"is defined in article {definition.article!r}, which does not exist",
            )
    keys: Dict[str, str] = {}
    for kind in ("faqs", "topics", "definitions"):
        for entry in kb_parts[kind].values():
            other = keys.setdefault(entry.intent_response_key, f"{kind[:-1]} {entry.id!r}")
            if other != f"{kind[:-1]} {entry.id!r}":
                problems.add(f"{kind[:-1]} {entry.id!r}", f"has the same intent as {other}")


REQUIRED_LABELS = (
    "note_since",
    "note_current",
    "definition_defined_in_article",
    "definition_button",
    "article_heading",
)


def load_knowledge(content_dir: Optional[Path] = None) -> KnowledgeBase:
    """Read every content file and return the validated knowledge base.

    Raises KnowledgeError listing every problem, each naming its file and entry.
    """
    content = Path(content_dir) if content_dir else CONTENT_DIR
    problems = _Problems()
    sections, faqs = _load_sections_and_faqs(content, problems)
    parts = {
        "faqs": faqs,
        "articles": _load_articles(content, problems),
        "definitions": _load_definitions(content, problems),
        "topics": _load_topics(content, problems),
        "notes": _load_notes(content, problems),
    }
    labels = _load_labels(content, problems)
    for name in REQUIRED_LABELS:
        if name not in labels:
            problems.add("labels.yml", f"label {name!r} is missing")
    _check_references(parts, problems)
    if problems.items:
        raise KnowledgeError(problems.items)
    return KnowledgeBase(sections=sections, labels=labels, **parts)


@functools.lru_cache(maxsize=1)
def default_knowledge() -> KnowledgeBase:
    """The shipped content, loaded once per process."""
    return load_knowledge()
