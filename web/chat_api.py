"""The widget's HTTP API under /api: chat, health, the widget's UI strings, knowledge as JSON, OpenAPI.

The browser calls only this; the chat call forwards each message server-side to Rasa's REST channel
with the conversation id and the language, and turns Rasa's reply into the widget's messages.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from flask import Blueprint, current_app, jsonify, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from groupinsurance import db, handoff, identifiers, references, sensitive
from groupinsurance.models import utcnow
from groupinsurance.language import BABEL_LOCALES, normalize
from web import knowledge_views
from web.auth import identity_token_for_rasa, logged_in_number, person_record, return_path
from web.cors import allow_listed_origins
from web.claims_api import document_kind, document_label
from web.errors import api_error
from web.extensions import database, limiter, rasa
from web.i18n import request_language, use_language, widget_strings
from web.openapi import openapi_document
from web.rasa import RasaTimeout, RasaUnavailable, RasaError

bp = Blueprint("chat_api", __name__, url_prefix="/api")

CONVERSATION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
SOURCE_KINDS = ("faq", "article", "definition", "fallback", "handoff")
CLAIM_REFERENCE = re.compile(r"[A-Z0-9]{1,8}-[A-Z0-9]{1,12}")
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def knowledge_base():
    return current_app.extensions["knowledge"]


@bp.after_request
def cors(response):
    return allow_listed_origins(response)


# --- POST /api/chat -----------------------------------------------------------------------------

class _Invalid(Exception):
    def __init__(self, status: int, code: str, message: str, field: Optional[str] = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def _validated(body: Any) -> Dict[str, str]:
    if not isinstance(body, dict):
        raise _Invalid(400, "invalid_json", _("The request must be a JSON object."))
    lang = _language_asked(body)
    for name in ("conversation_id", "message", "lang"):
        if body.get(name) is None:
            raise _Invalid(400, "missing_field", _("The field ‘%(field)s’ is missing.", field=name), name)
    if not isinstance(body["lang"], str) or not lang:
        raise _Invalid(400, "invalid_field", _("The language must be ‘nl’ or ‘fr’."), "lang")
    conversation_id = body["conversation_id"]
    if not isinstance(conversation_id, str) or not CONVERSATION_ID.fullmatch(conversation_id):
        raise _Invalid(
            400, "invalid_field",
            _("The conversation id must be 8 to 64 letters, digits, ‘-’ or ‘_’."), "conversation_id",
        )
    message = body["message"]
    if not isinstance(message, str) or not message.strip():
        raise _Invalid(400, "invalid_field", _("The message must be a text that is not empty."), "message")
    limit = current_app.config["MAX_MESSAGE_LENGTH"]
    if len(message) > limit:
        raise _Invalid(
            413, "message_too_long",
            _("Your question is too long: at most %(max)d characters.", max=limit), "message",
        )
    # JSON may carry half an emoji ("\ud83d", e.g. cut off by a length limit) that no database stores.
    message = LONE_SURROGATE.sub("\ufffd", message.strip())
    return {"conversation_id": conversation_id, "message": message, "lang": lang}


def _source(raw: Any) -> Optional[Dict[str, Any]]:
    """The answer's source, with the link to its knowledge page when the entry exists."""
    if not isinstance(raw, dict) or raw.get("kind") not in SOURCE_KINDS:
        return None
    kind = raw["kind"]
    if kind in ("fallback", "handoff"):
        return {"kind": kind}
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not entry_id:
        return None
    source: Dict[str, Any] = {"kind": kind, "id": entry_id}
    kb = knowledge_base()
    if knowledge_views.exists(kb, kind, entry_id):
        source["url"] = url_for(f"pages.knowledge_{kind}", entry_id=entry_id)
        if kind == "definition":
            term = kb.definitions[entry_id].term
            source["term"] = {"nl": term.nl, "fr": term.fr}
    return source


def _buttons(raw: Any) -> List[Dict[str, str]]:
    if not isinstance(raw, list):
        return []
    return [
        {"title": b["title"], "payload": b["payload"]}
        for b in raw
        if isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str)
        and b["title"].strip() and b["payload"].strip()
    ]


def _upload(raw: Any) -> Optional[Dict[str, Any]]:
    """`custom.upload` ({"claim": reference, "kinds": [...]}) as the widget's upload form: where to post
    the file, and the documents to choose from with their names in the request's language."""
    if not isinstance(raw, dict) or not isinstance(raw.get("claim"), str) or not raw["claim"].strip():
        return None
    kinds = []
    for value in raw.get("kinds") if isinstance(raw.get("kinds"), list) else []:
        kind = document_kind(value)
        if kind is not None and kind.value not in [k["kind"] for k in kinds]:
            kinds.append({"kind": kind.value, "label": document_label(kind)})
    if not kinds:
        return None
    reference = references.normalize(raw["claim"])
    if not CLAIM_REFERENCE.fullmatch(reference):
        return None
    return {"url": url_for("claims_api.documents", reference=reference), "reference": reference, "kinds": kinds}


def widget_messages(rasa_messages: List[Any]) -> List[Dict[str, Any]]:
    """Rasa's messages as the widget's.

    Rasa's REST channel cuts every text at its blank lines and sends each paragraph as a message of its
    own; consecutive plain paragraphs are put back together into one message. A `custom.source`
    message is merged into the text before it, and closes it: what follows is another message. So is a
    `custom.upload` message: the message before it gets an `upload` form.
    """
    messages: List[Dict[str, Any]] = []
    open_text = False  # the last message is plain text that the next paragraph continues
    for item in rasa_messages:
        if not isinstance(item, dict):
            continue
        custom = item.get("custom")
        if isinstance(custom, dict) and custom.get("login_required") is True:
            # The assistant needs a login for this: the message before it gets a login link that
            # brings the person back to the page they are on.
            if messages:
                messages[-1]["login_url"] = url_for("auth.login", next=return_path())
            open_text = False
            continue
        if isinstance(custom, dict) and "upload" in custom:
            upload = _upload(custom["upload"])
            if upload and messages:
                messages[-1]["upload"] = upload
            open_text = False
            continue
        if isinstance(custom, dict) and "source" in custom:
            source = _source(custom["source"])
            if source and messages:
                messages[-1]["source"] = source
                reason = custom["source"].get("reason")
                if source["kind"] == "handoff" and isinstance(reason, str):
                    messages[-1]["handoff_reason"] = reason[:40]  # for the queue; chat() takes it out
            open_text = False
            continue
        text = item.get("text") if isinstance(item.get("text"), str) else ""
        buttons = _buttons(item.get("buttons"))
        if not text.strip() and not buttons:
            continue  # images, attachments and other payloads the widget does not show
        if open_text and not buttons:
            messages[-1]["text"] += "\n\n" + text
            continue
        message: Dict[str, Any] = {"text": text}
        if buttons:
            message["buttons"] = buttons
        messages.append(message)
        open_text = not buttons
    return messages




def _json_body() -> Any:
    """The request's JSON, or None when it is not JSON; nesting deep enough to exhaust Python's
    recursion limit is not JSON either (the parser raises RecursionError, not a ValueError)."""
    if not request.is_json:
        return None
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def _language_asked(body: Any) -> Optional[str]:
    lang = body.get("lang") if isinstance(body, dict) else None
    return normalize(lang) if isinstance(lang, str) else None


def _chat_limit() -> str:
    return current_app.config["CHAT_RATE_LIMIT"]


@bp.post("/chat")
@limiter.limit(_chat_limit)
def chat():
    body = _json_body()
    # Errors are worded in the language asked for when it is valid, else the browser's.
    use_language(_language_asked(body) or request_language())
    if not request.is_json:
        return api_error(415, "unsupported_media_type", _("Send the request as JSON (Content-Type: application/json)."))
    if body is None:
        return api_error(400, "invalid_json", _("The request is not valid JSON."))
    try:
        fields = _validated(body)
    except _Invalid as invalid:
        return api_error(invalid.status, invalid.code, invalid.message, invalid.field)
    # National numbers typed in the chat are masked before Rasa or the transcript store the text: the
    # assistant never needs them (identity comes from the login), and transcripts must not show them.
    # IBANs likewise; the typed value travels sealed in the identity token (groupinsurance.sensitive).
    text, ibans = sensitive.extract_ibans(identifiers.mask_in_text(fields["message"]))
    person_number = logged_in_number()
    with database.begin() as session:
        state = handoff.take_question(session, fields["conversation_id"], text, person_number=person_number,
                                      language=fields["lang"])
        if state is None:
            return api_error(403, "not_your_conversation",
                             _("This conversation belongs to someone else. Start a new conversation."))
        if state in handoff.HANDED_OFF:
            # A colleague answers now: the message waits for them, not for the model.
            record = session.get(handoff.Conversation, fields["conversation_id"])
            return jsonify(messages=[], handoff=handoff_state(session, record))
    try:
        reply = rasa.send(
            fields["conversation_id"], text, fields["lang"],
            identity=identity_token_for_rasa({"ibans": ibans} if ibans else None),
        )
    except RasaTimeout:
        current_app.logger.warning("Rasa did not answer within %s s", current_app.config["RASA_TIMEOUT"])
        return api_error(504, "assistant_timeout", _("The assistant is taking too long to answer. Please try again."), retryable=True)
    except RasaUnavailable as exc:
        current_app.logger.error("Rasa cannot be reached: %s", exc)
        return api_error(503, "assistant_unavailable", _("The assistant is not available right now. Please try again in a moment."), retryable=True)
    except RasaError as exc:
        current_app.logger.error("Rasa failed: %s", exc)
        return api_error(502, "assistant_error", _("The assistant could not answer. Please try again."), retryable=True)
    messages = widget_messages(reply)
    if not messages:
        if rasa.is_paused(fields["conversation_id"]):
            # Rasa handed this conversation off, but the escalation was not stored (the database or this
            # app failed after Rasa's answer): store it now, once, so a colleague gets it.
            return _escalated(fields, person_number, [], "request_human")
        # Rasa answers nothing when an action failed (the action server is down or crashed): the
        # person is told so and can send the message again, rather than waiting for an answer.
        current_app.logger.error("Rasa gave no answer to show (is the action server up?)")
        return api_error(502, "assistant_error", _("The assistant could not answer. Please try again."), retryable=True)
    escalation = next((m for m in messages if (m.get("source") or {}).get("kind") == "handoff"), None)
    if escalation is not None:
        return _escalated(fields, person_number, messages, escalation.pop("handoff_reason", None) or "request_human")
    with database.begin() as session:
        handoff.add_answers(session, fields["conversation_id"], [(m["text"], m.get("source")) for m in messages])
    return jsonify(messages=messages)


def _escalated(fields: Dict[str, str], person_number: Optional[str], messages: List[Dict[str, Any]], reason: str):
    """Stores the assistant's messages and the escalation in one transaction: all of it or nothing.

    A second call for a conversation already in the queue changes nothing (it is queued once).
    """
    with database.begin() as session:
        record = handoff.conversation(session, fields["conversation_id"], person_number=person_number,
                                      language=fields["lang"])
        for message in messages:
            handoff.add_message(session, record, "assistant", message["text"], source=message.get("source"))
        if not handoff.escalate(session, record, reason):
            return jsonify(messages=messages, handoff=handoff_state(session, record))
        if reason == "employer_question" and record.role == "anonymous":
            record.role = "employer"  # FAQ 27: an employer's question for their account manager
        state = handoff_state(session, record)
        notice = {"text": handoff_notice(state)}
        state["after"] = handoff.add_message(session, record, "system", notice["text"]).id
        return jsonify(messages=messages + [notice], handoff=state)


def handoff_state(session, record) -> Dict[str, Any]:
    """What the widget shows while a colleague has the conversation."""
    hours = handoff.OpeningHours.parse(current_app.config["OPENING_HOURS"])
    ahead = handoff.waiting_ahead(session, record) if record.state == "waiting" else 0
    return {"state": record.state, "open": hours.is_open(utcnow()),
            "wait_minutes": handoff.estimated_wait_minutes(ahead) if record.state == "waiting" else 0,
            # The widget asks for colleagues' replies after this message (GET .../messages?after=).
            "after": handoff.last_message_id(session, record.id)}


def handoff_notice(state: Dict[str, Any]) -> str:
    if not state["open"]:
        return _("We are closed right now (%(hours)s). Your question stays in the queue and a colleague "
                 "answers as soon as we open; you can close this window, nothing you wrote is lost.",
                 hours=current_app.config["OPENING_HOURS_TEXT"])
    return _("A colleague will take over this conversation. Current waiting time: about %(minutes)d minutes. "
             "Everything you type now goes to them.", minutes=state["wait_minutes"])


@bp.get("/chat/<conversation_id>/messages")
def staff_messages(conversation_id: str):
    """What colleagues (and the system) wrote since message `after`: the widget polls this while a
    colleague has the conversation, so their replies appear without a reload."""
    use_language(request_language())
    after = handoff.message_number(request.args.get("after", "0"))
    if not CONVERSATION_ID.fullmatch(conversation_id):
        return api_error(400, "invalid_field", _("The conversation id must be 8 to 64 letters, digits, ‘-’ or ‘_’."),
                         "conversation_id")
    if after is None:
        return api_error(400, "invalid_field", _("‘after’ must be a message number."), "after")
    person_number = logged_in_number()
    with database.session() as session:
        if not handoff.may_use(session, conversation_id, person_number):
            return api_error(403, "not_your_conversation",
                             _("This conversation belongs to someone else. Start a new conversation."))
        record = session.get(handoff.Conversation, conversation_id)
        if record is None:
            return jsonify(state="assistant", messages=[], last_id=0)
        lines = handoff.messages_after(session, conversation_id, after)
        last_id = lines[-1].id if lines else after
        return jsonify(
            state=record.state, last_id=last_id, rating=record.rating,
            messages=[{"id": m.id, "author": m.author, "text": m.text} for m in lines if m.author in ("staff", "system")],
        )


@bp.post("/chat/<conversation_id>/rating")
def rating(conversation_id: str):
    """The person's 1-5 satisfaction score after a colleague closed the conversation."""
    body = _json_body()
    use_language(_language_asked(body) or request_language())
    score = body.get("score") if isinstance(body, dict) else None
    person_number = logged_in_number()
    with database.begin() as session:
        if not handoff.may_use(session, conversation_id, person_number):
            return api_error(403, "not_your_conversation",
                             _("This conversation belongs to someone else. Start a new conversation."))
        try:
            handoff.rate(session, conversation_id, score)
        except handoff.HandoffRefused as refused:
            if refused.reason == handoff.HandoffRefused.BAD_RATING:
                return api_error(400, "invalid_field", _("The score must be a whole number from 1 to 5."), "score")
            return api_error(409, "not_closed", _("This conversation cannot be rated now."))
    return jsonify(rating=score)


# --- the rest of the widget API -----------------------------------------------------------------

@bp.get("/session")
def login_state():
    """Whether someone is logged in, for the widget; never the national number."""
    if not current_user.is_authenticated:
        return jsonify(logged_in=False, login_id=None, login_url=url_for("auth.login"))
    person = person_record()
    return jsonify(
        logged_in=True,
        login_id=session.get("login_id"),
        first_name=person.first_name if person else None,
    )


@bp.get("/health")
def health():
    rasa_up = rasa.is_up()
    database_up = db.is_reachable(database.engine())
    return jsonify(status="ok" if rasa_up and database_up else "degraded", web="up",
                   rasa="up" if rasa_up else "down", database="up" if database_up else "down")


@bp.get("/i18n/<lang>")
def i18n(lang: str):
    chosen = normalize(lang)
    if chosen is None or chosen != lang.lower():
        use_language(request_language())
        return api_error(404, "unknown_language", _("The language must be ‘nl’ or ‘fr’."))
    response = jsonify(
        lang=chosen,
        locale=BABEL_LOCALES[chosen].replace("_", "-"),  # the browser's Intl wants "nl-BE"
        max_message_length=current_app.config["MAX_MESSAGE_LENGTH"],
        strings=widget_strings(chosen),
    )
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/knowledge/<kind>/<path:entry_id>")
def knowledge(kind: str, entry_id: str):
    lang = normalize(request.args.get("lang")) or request_language()
    use_language(lang)
    if "lang" in request.args and normalize(request.args["lang"]) is None:
        return api_error(400, "invalid_field", _("The language must be ‘nl’ or ‘fr’."), "lang")
    view = knowledge_views.build(knowledge_base(), kind, entry_id, lang) if kind in knowledge_views.KINDS else None
    if view is None:
        return api_error(404, "not_found", _("There is no such FAQ, article or definition."))
    return jsonify(
        kind=view.kind, id=view.id, lang=lang, title=view.title, text=view.text, notes=view.notes,
        url=url_for(f"pages.knowledge_{kind}", entry_id=entry_id, lang=lang),
    )


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(current_app.config))
