"""Small helpers every action module uses."""
from typing import Optional

from rasa_sdk import Tracker

from groupinsurance.language import DEFAULT_LANGUAGE, normalize


def reply_language(tracker: Tracker) -> str:
    return normalize(tracker.get_slot("language")) or DEFAULT_LANGUAGE


def latest_entity(tracker: Tracker, entity: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(entity), None)


def source_payload(source: dict) -> dict:
    """The machine-readable source that follows every answer in Rasa's REST reply."""
    return {"source": source}
