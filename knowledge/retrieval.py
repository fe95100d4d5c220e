"""From what the NLU model predicted to the knowledge entry that answers it.

Reads Rasa's parse data (plain dicts) but imports nothing from Rasa, so it is tested on its own.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from knowledge.answers import Entry
from knowledge.model import KnowledgeBase

# Below this confidence (0.5 = the classifier's rejection margin, bot/config.yml) the assistant offers
# the closest topics instead of answering.
MIN_SELECTOR_CONFIDENCE = 0.5

_ARTICLE_NUMBER = re.compile(r"\d{1,2}(?:\.\d{1,2}){0,2}")


def selector_ranking(parse_data: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The response selector's ranking, best first: [{"intent_response_key", "confidence"}, ...]."""
    selector = (parse_data or {}).get("response_selector") or {}
    return list((selector.get("default") or {}).get("ranking") or [])


def predicted_entry(kb: KnowledgeBase, parse_data: Dict[str, Any]) -> Tuple[Optional[Entry], float]:
    """The entry the response selector chose and its confidence; (None, 0.0) when it chose none we know."""
    ranking = selector_ranking(parse_data)
    if not ranking:
        return None, 0.0
    best = ranking[0]
    return kb.by_intent_response_key(best.get("intent_response_key", "")), float(best.get("confidence") or 0.0)


def closest_entries(kb: KnowledgeBase, parse_data: Dict[str, Any], count: int = 3) -> List[Entry]:
    """The `count` known entries the model ranked highest, to offer as buttons when unsure."""
    entries: List[Entry] = []
    for item in selector_ranking(parse_data):
        entry = kb.by_intent_response_key(item.get("intent_response_key", ""))
        if entry is not None and entry not in entries:
            entries.append(entry)
        if len(entries) == count:
            break
    return entries


def article_number(value: Any) -> Optional[str]:
    """'13.3', 'art. 13.3.', ' 15 ' -> '13.3', '13.3', '15'; None when there is no article number."""
    match = _ARTICLE_NUMBER.search(str(value or ""))
    return match.group(0) if match else None
