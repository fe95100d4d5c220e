"""What the knowledge pages (and their JSON variant) show for one FAQ, article or definition.

The texts come from knowledge/ through the same functions the assistant's answers use, so a page shows
exactly what the answer's source line points to, with the dated legal notes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

from flask import url_for
from flask_babel import gettext as _

from knowledge import answers
from knowledge.model import KnowledgeBase, Reference

KINDS = ("faq", "article", "definition")


@dataclass
class Block:
    """A piece of a text: a heading (level 2 or 3), a paragraph (lines) or a list (items)."""

    type: str
    lines: Tuple[str, ...]
    level: int = 2


@dataclass
class Link:
    label: str
    url: str


@dataclass
class KnowledgeView:
    kind: str
    id: str
    lang: str
    title: str
    eyebrow: str  # what the page is: "Veelgestelde vragen · ..." / "Algemene schikkingen"
    blocks: List[Block]
    notes: List[str]
    see_also: List[Link] = field(default_factory=list)
    up: Optional[Link] = None

    @property
    def text(self) -> str:
        """The body as plain text (the JSON variant)."""
        parts = []
        for block in self.blocks:
            if block.type == "list":
                parts.append("\n".join(f"- {item}" for item in block.lines))
            else:
                parts.append("\n".join(block.lines))
        return "\n\n".join(parts)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def text_blocks(text: str, headings: Iterable[str] = ()) -> List[Block]:
    """Split content text (paragraphs separated by a blank line, list items starting with "- ")."""
    heading_levels = {h: 2 for h in headings}
    blocks: List[Block] = []
    for paragraph in _PARAGRAPH_BREAK.split((text or "").strip()):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if paragraph in heading_levels:
            blocks.append(Block("heading", (paragraph,), heading_levels[paragraph]))
            continue
        lines: List[str] = []
        items: List[str] = []
        for line in paragraph.splitlines():
            line = line.rstrip()
            if line.lstrip().startswith("- "):
                if lines:
                    blocks.append(Block("paragraph", tuple(lines)))
                    lines = []
                items.append(line.lstrip()[2:].strip())
            elif items and line.startswith((" ", "\t")):
                items[-1] += " " + line.strip()  # a list item continued on the next line
            else:
                if items:
                    blocks.append(Block("list", tuple(items)))
                    items = []
                lines.append(line)
        if lines:
            blocks.append(Block("paragraph", tuple(lines)))
        if items:
            blocks.append(Block("list", tuple(items)))
    return blocks


def page_url(kind: str, entry_id: str, lang: str) -> str:
    return url_for(f"pages.knowledge_{kind}", entry_id=entry_id, lang=lang)


def exists(kb: KnowledgeBase, kind: str, entry_id: str) -> bool:
    table = {"faq": kb.faqs, "article": kb.articles, "definition": kb.definitions}.get(kind, {})
    return entry_id in table


def article_title(kb: KnowledgeBase, article_id: str, lang: str) -> str:
    article = kb.articles[article_id]
    heading = kb.label("article_heading", lang).format(article=article_id)
    return f"{heading} – {article.title.get(lang)}" if article.title else heading


def _reference_link(kb: KnowledgeBase, ref: Reference, lang: str) -> Optional[Link]:
    if ref.kind == "faq" and ref.id in kb.faqs:
        return Link(f"FAQ {ref.id}: {kb.faqs[ref.id].question.get(lang).strip()}", page_url("faq", ref.id, lang))
    if ref.kind == "article" and ref.id in kb.articles:
        return Link(article_title(kb, ref.id, lang), page_url("article", ref.id, lang))
    if ref.kind == "definition" and ref.id in kb.definitions:
        return Link(answers.title_of(kb, kb.definitions[ref.id], lang), page_url("definition", ref.id, lang))
    if ref.kind == "topic" and ref.id in kb.topics:
        topic = kb.topics[ref.id]
        return Link(topic.title.get(lang).strip(), page_url("article", topic.article, lang))
    return None


def _notes(kb: KnowledgeBase, entry, lang: str) -> List[str]:
    return [answers.render_note(kb, note, lang) for note in answers.render(kb, entry, lang).notes]


def page_labels() -> Dict[str, str]:
    """UI words of the knowledge pages, in the current request's language."""
    return {
        "faq": _("Frequently asked questions"),
        "all_faqs": _("All frequently asked questions"),
        "conditions": _("General conditions of the group insurance"),
        "all_articles": _("All articles of the general conditions"),
        "definition": _("Definitions"),
        "all_definitions": _("All definitions"),
    }


def build(kb: KnowledgeBase, kind: str, entry_id: str, lang: str) -> Optional[KnowledgeView]:
    """The view of one entry in `lang`, or None when there is no such entry."""
    labels = page_labels()
    if kind == "faq" and entry_id in kb.faqs:
        faq = kb.faqs[entry_id]
        section = kb.sections.get(faq.section)
        eyebrow = labels["faq"] + (f" · {section.title.get(lang).strip()}" if section else "")
        see_also = [link for link in (_reference_link(kb, r, lang) for r in faq.references) if link]
        return KnowledgeView(
            kind, entry_id, lang, f"{faq.question.get(lang).strip()}", eyebrow,
            text_blocks(faq.answer.get(lang)), _notes(kb, faq, lang), see_also,
            up=Link(labels["all_faqs"], url_for("pages.faq_index", lang=lang)),
        )
    if kind == "article" and entry_id in kb.articles:
        article = kb.articles[entry_id]
        subtree = [a for a in kb.articles.values() if a.id == entry_id or a.id.startswith(entry_id + ".")]
        headings = {f"{a.id} {a.title.get(lang)}" if a.title else a.id: a.id for a in subtree}
        blocks = text_blocks(answers.article_full_text(kb, entry_id, lang), headings)
        for block in blocks:
            if block.type == "heading":
                block.level = 2 if headings[block.lines[0]].count(".") <= entry_id.count(".") + 1 else 3
        if blocks and blocks[0].type == "heading" and headings.get(blocks[0].lines[0]) == entry_id:
            blocks = blocks[1:]  # the page title already says it
        see_also = []
        for a in subtree:
            see_also.extend(link for link in (_reference_link(kb, r, lang) for r in a.references) if link)
        up = None
        if article.parent_id and article.parent_id in kb.articles:
            up = Link(article_title(kb, article.parent_id, lang), page_url("article", article.parent_id, lang))
        else:
            up = Link(labels["all_articles"], url_for("pages.article_index", lang=lang))
        unique = list({link.url: link for link in see_also}.values())
        return KnowledgeView(
            kind, entry_id, lang, article_title(kb, entry_id, lang), labels["conditions"],
            blocks, _notes(kb, article, lang), unique, up,
        )
    if kind == "definition" and entry_id in kb.definitions:
        definition = kb.definitions[entry_id]
        see_also = []
        if definition.article and definition.article in kb.articles:
            see_also.append(Link(article_title(kb, definition.article, lang), page_url("article", definition.article, lang)))
        term = definition.term.get(lang)
        return KnowledgeView(
            kind, entry_id, lang, term[:1].upper() + term[1:], labels["definition"],
            text_blocks(definition.text.get(lang)), _notes(kb, definition, lang), see_also,
            up=Link(labels["all_definitions"], url_for("pages.definition_index", lang=lang)),
        )
    return None
