"""Small helpers every action module uses: reply language, entities, sources, identity, database."""
import functools
import logging
from typing import Any, Dict, Optional, Tuple

from rasa_sdk import Tracker
from sqlalchemy.orm import sessionmaker

from groupinsurance import db, handoff, identity_token, settings
from groupinsurance.language import DEFAULT_LANGUAGE, normalize

log = logging.getLogger(__name__)

# Where the web app puts the identity token in each message's metadata (web/chat_api.py).
IDENTITY_METADATA_KEY = "identity"


def reply_language(tracker: Tracker) -> str:
    return normalize(tracker.get_slot("language")) or DEFAULT_LANGUAGE


def latest_entity(tracker: Tracker, entity: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(entity), None)


def source_payload(source: dict) -> dict:
    """The machine-readable source that follows every answer in Rasa's REST reply."""
    return {"source": source}


@functools.lru_cache(maxsize=1)
def identity_key():
    return identity_token.derive_key(settings.secret("IDENTITY_TOKEN_SECRET"))


def logged_in_identity(tracker: Tracker) -> Tuple[Optional[str], Dict[str, Any]]:
    """The national number of the person who sent the latest message and the private values sealed with
    it (e.g. {"ibans": [...]}), from the identity token the web app put in its metadata; (None, {}) when
    the token is missing, forged, expired or not for us.

    Only the latest message counts: a token is never taken from earlier turns or from slots, so what
    the person types cannot change whose data is shown. A conversation someone else logged in to is
    theirs (groupinsurance.handoff.may_use): a valid token for another person there counts as none.
    """
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    token = metadata.get(IDENTITY_METADATA_KEY) if isinstance(metadata, dict) else None
    try:
        number, private = identity_token.verify_with_private(token, identity_key())
    except identity_token.InvalidToken as reason:
        if token:  # a missing token is normal (not logged in); anything else is worth a line
            log.warning("identity token refused: %s", reason)
        return None, {}
    # The web app already refuses this (web/chat_api.py); checked again here so that nothing reaching
    # Rasa some other way can put one person's data in another person's conversation.
    with sessions()() as session:
        if not handoff.may_use(session, tracker.sender_id, number):
            log.warning("identity token refused: the conversation belongs to someone else")
            return None, {}
    return number, private


def logged_in_number(tracker: Tracker) -> Optional[str]:
    """The logged-in person's national number (see logged_in_identity), or None."""
    return logged_in_identity(tracker)[0]


def number_or_login_request(dispatcher, tracker: Tracker) -> Optional[str]:
    """The logged-in person's number; without one, the assistant asks to log in and None is returned."""
    number = logged_in_number(tracker)
    if number is None:
        dispatcher.utter_message(response="utter_login_needed")
    return number


@functools.lru_cache(maxsize=1)
def sessions() -> sessionmaker:
    """Sessions on DATABASE_URL (the same database the web app and the importer use)."""
    return db.make_session_factory()
