"""The assistant's knowledge: employer FAQs, general conditions, definitions and legal notes.

`load_knowledge()` validates the content; `answers` turns an entry into the text a person reads.
"""
from knowledge.loader import KnowledgeError, default_knowledge, load_knowledge  # noqa: F401
