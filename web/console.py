"""The support console (/console): staff log in, work the queue of escalated conversations, answer,
and hand conversations back to the assistant or close them.

Staff sessions are separate from the employees' login (session keys `staff_id`, `staff_seen`): a
console login never makes anyone an employee, and the other way round. Every page and call needs a
staff login (HTML: redirect to the console login; JSON: 401), every form and state-changing call a
CSRF token (Flask-WTF), and a staff session ends after STAFF_SESSION_MINUTES without activity.
National numbers and IBANs reach the console masked (groupinsurance.handoff stores them so).
"""
from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import force_locale, gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import EmailField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length

from groupinsurance import claims as claim_domain
from groupinsurance import dashboard, handoff, identifiers, logins
from groupinsurance.handoff import HandoffRefused
from groupinsurance.language import BABEL_LOCALES
from groupinsurance.models import Claim, Contract, Conversation, ExitChoice, Person, StaffUser
from web import knowledge_views
from web.errors import api_error
from web.extensions import database, limiter, rasa
from web.rasa import RasaError
from web.staff import authenticate

bp = Blueprint("console", __name__, url_prefix="/console")
CANNED_REPLIES = Path(__file__).resolve().parent / "canned_replies.yml"


class LoginForm(FlaskForm):
    email = EmailField(validators=[DataRequired(), Length(max=254)])
    password = PasswordField(validators=[DataRequired(), Length(max=200)])


class MessageForm(FlaskForm):
    text = TextAreaField(validators=[DataRequired(), Length(max=2000)])


class ActionForm(FlaskForm):
    """No fields: the CSRF token is the point."""


@functools.lru_cache(maxsize=1)
def canned_replies() -> List[Dict[str, Any]]:
    return yaml.safe_load(CANNED_REPLIES.read_text(encoding="utf-8"))["replies"]


# --- who is logged in ----------------------------------------------------------------------------

def current_staff() -> Optional[StaffUser]:
    staff_id, seen = session.get("staff_id"), session.get("staff_seen", 0)
    if not staff_id:
        return None
    if time.time() - seen > 60 * current_app.config["STAFF_SESSION_MINUTES"]:
        session.pop("staff_id", None)
        return None
    with database.session() as s:
        user = s.get(StaffUser, staff_id)
        ended = logins.is_ended(s, session.get("staff_login_id"))
    if user is None or not user.active or ended:
        session.pop("staff_id", None)
        return None
    session["staff_seen"] = time.time()
    return user


def staff_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        g.staff = current_staff()
        if g.staff is None:
            if request.path.startswith("/console/api/"):
                return api_error(401, "staff_login_required", _("Log in to the console first."))
            return redirect(url_for("console.login", next=request.path))
        return view(*args, **kwargs)
    return wrapped


@bp.after_request
def no_caching(response):
    # Transcripts are personal: no copy in the browser's or a proxy's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


# --- login ---------------------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        with database.session() as s:
            user = authenticate(s, form.email.data, form.password.data)
        if user is not None:
            session.clear()
            session.permanent = True
            session["staff_id"], session["staff_seen"] = user.id, time.time()
            session["staff_login_id"] = logins.new_login_id()  # what the logout ends on the server
            current_app.logger.info("staff %s logged in", user.id)
            target = request.args.get("next") or ""
            return redirect(target if target.startswith("/console/") else url_for("console.queue_page"))
        flash(_("The e-mail address or the password is not right."), "error")
        return render_template("console/login.html", form=form), 401
    return render_template("console/login.html", form=form)


@bp.post("/logout")
@staff_required
def logout():
    if not ActionForm().validate_on_submit():
        abort(400)
    with database.begin() as s:
        logins.end(s, session.get("staff_login_id"))
    session.pop("staff_id", None)
    session.pop("staff_login_id", None)
    return redirect(url_for("console.login"))


# --- the queue -----------------------------------------------------------------------------------

def _queue_rows() -> List[Dict[str, Any]]:
    with database.session() as s:
        entries = handoff.queue(s)
        names = dict(s.execute(select(StaffUser.id, StaffUser.name)).all())
    return [{
        "id": e.conversation_id, "language": e.language, "role": e.role, "reason": e.reason,
        "waiting_minutes": e.waiting_seconds // 60, "state": e.state,
        "assignee": names.get(e.assigned_to), "mine": e.assigned_to == g.staff.id,
    } for e in entries]


@bp.get("/")
@staff_required
def queue_page():
    return render_template("console/queue.html", rows=_queue_rows(), form=ActionForm())


@bp.get("/api/queue")
@staff_required
def queue_json():
    return jsonify(queue=_queue_rows())


# --- every payout claim and exit choice -------------------------------------------------------------

@bp.get("/claims")
@staff_required
def claims_page():
    """What staff process: every submitted (or later) claim with its documents, every exit choice."""
    with database.session() as s:
        found = s.execute(
            select(Claim).where(Claim.status != "draft").order_by(Claim.submitted_at.desc(), Claim.id.desc())
            .options(selectinload(Claim.contracts), selectinload(Claim.documents))
        ).scalars().all()
        rows = [{
            "reference": c.reference, "reason": c.reason, "status": c.status, "submitted_at": c.submitted_at,
            "contracts": [k.contract_number for k in c.contracts], "claimant": identifiers.mask(c.claimant_number),
            "pension_start": c.pension_start_date, "date_of_death": c.date_of_death, "payout_form": c.payout_form,
            "reversion": c.reversion, "iban": claim_domain.mask_iban(c.iban) if c.iban else None,
            "documents": [d.kind for d in c.documents],
            "missing": [d.kind.value for d in claim_domain.missing_documents(c)],
            "conversation": c.conversation_id,
        } for c in found]
        choices = [{
            "reference": e.reference, "contract": number, "option": e.option, "status": e.status,
            "created_at": e.created_at, "conversation": e.conversation_id,
        } for e, number in s.execute(
            select(ExitChoice, Contract.contract_number).join(Contract, Contract.id == ExitChoice.contract_id)
            .order_by(ExitChoice.created_at.desc())
        ).all()]
    return render_template("console/claims.html", claims=rows, choices=choices)


# --- the dashboard ---------------------------------------------------------------------------------

@bp.get("/dashboard")
@staff_required
def dashboard_page():
    with database.session() as s:
        figures = dashboard.compute(s)
    kb = current_app.extensions["knowledge"]
    titles = {}
    for kind, entry_id, _count in figures.top_questions:
        view = knowledge_views.build(kb, kind, entry_id, g.get("lang") or "nl")
        titles[(kind, entry_id)] = view.title if view else entry_id
    return render_template(
        "console/dashboard.html", figures=figures, titles=titles,
        per_day=dashboard.bars(list(figures.conversations_per_day)),
        escalations=dashboard.bars(list(figures.escalations_per_day)),
        rating_bars=dashboard.bars([figures.ratings[score] for score in range(1, 6)], width=300),
    )


# --- one conversation ----------------------------------------------------------------------------

def _linked(s, record: Conversation) -> Dict[str, Any]:
    """The person's claims and exit choices, for the colleague beside the transcript."""
    if not record.person_number:
        return {"claims": [], "exit_choices": [], "person": None}
    person = s.execute(select(Person).where(Person.national_number == record.person_number)).scalar_one_or_none()
    found = claim_domain.claims_of(s, record.person_number)
    choices = s.execute(
        select(ExitChoice, Contract.contract_number).join(Contract, Contract.id == ExitChoice.contract_id)
        .where(ExitChoice.person_id == (person.id if person else -1)).order_by(ExitChoice.created_at.desc())
    ).all() if person else []
    return {
        "person": {"name": f"{person.first_name} {person.last_name}" if person else None,
                   "number": identifiers.mask(record.person_number)},
        "claims": [{"reference": c.reference, "reason": c.reason, "status": c.status,
                    "contracts": [k.contract_number for k in c.contracts],
                    "iban": claim_domain.mask_iban(c.iban) if c.iban else None,
                    "missing": [d.kind.value for d in claim_domain.missing_documents(c)],
                    "documents": [d.kind for d in c.documents]} for c in found],
        "exit_choices": [{"reference": e.reference, "contract": number, "option": e.option, "status": e.status}
                         for e, number in choices],
    }


def _message_json(message) -> Dict[str, Any]:
    return {"id": message.id, "author": message.author, "text": message.text, "internal": message.internal,
            "time": message.created_at.isoformat()}


@bp.get("/conversations/<conversation_id>")
@staff_required
def conversation_page(conversation_id: str):
    with database.session() as s:
        record = s.get(Conversation, conversation_id)
        if record is None:
            abort(404)
        messages = handoff.messages_after(s, conversation_id, include_internal=True)
        linked = _linked(s, record)
        view = {"id": record.id, "state": record.state, "language": record.language, "role": record.role,
                "reason": record.reason, "mine": record.assigned_to == g.staff.id, "rating": record.rating}
    return render_template("console/conversation.html", conversation=view, messages=messages, linked=linked,
                           reply_form=MessageForm(prefix="reply"), note_form=MessageForm(prefix="note"),
                           form=ActionForm(), canned=canned_replies())


@bp.get("/api/conversations/<conversation_id>/messages")
@staff_required
def conversation_messages(conversation_id: str):
    after = handoff.message_number(request.args.get("after", "0"))
    if after is None:
        return api_error(400, "invalid_field", _("‘after’ must be a message number."), "after")
    with database.session() as s:
        record = s.get(Conversation, conversation_id)
        if record is None:
            return api_error(404, "not_found", _("There is no such conversation."))
        messages = handoff.messages_after(s, conversation_id, after, include_internal=True)
        return jsonify(state=record.state, messages=[_message_json(m) for m in messages])


def _act(conversation_id: str, action):
    """Runs a queue action for the logged-in colleague; refusals become a flash message."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with database.begin() as s:
            action(s)
    except HandoffRefused as refused:
        flash({
            HandoffRefused.NOT_WAITING: _("Someone else has taken this conversation already."),
            HandoffRefused.NOT_ASSIGNEE: _("Only the colleague who took this conversation can do that."),
        }.get(refused.reason, _("That is not possible for this conversation.")), "error")
    return redirect(url_for("console.conversation_page", conversation_id=conversation_id))


@bp.post("/conversations/<conversation_id>/claim")
@staff_required
def claim(conversation_id: str):
    return _act(conversation_id, lambda s: handoff.claim(s, conversation_id, g.staff.id))


@bp.post("/conversations/<conversation_id>/release")
@staff_required
def release(conversation_id: str):
    return _act(conversation_id, lambda s: handoff.release(s, conversation_id, g.staff.id))


@bp.post("/conversations/<conversation_id>/close")
@staff_required
def close(conversation_id: str):
    def closing(s):
        handoff.close(s, conversation_id, g.staff.id)
        record = s.get(Conversation, conversation_id)
        handoff.add_message(s, record, "system", _rating_question(record.language))
    return _act(conversation_id, closing)


@bp.post("/conversations/<conversation_id>/return")
@staff_required
def return_to_assistant(conversation_id: str):
    # The model answers again only once Rasa has resumed the conversation it paused at the handoff.
    with database.session() as s:
        record = s.get(Conversation, conversation_id)
        if record is None or record.state != "assigned" or record.assigned_to != g.staff.id:
            return _act(conversation_id, lambda s: handoff.return_to_assistant(s, conversation_id, g.staff.id))
    try:
        rasa.resume(conversation_id)
    except RasaError as error:
        current_app.logger.error("Rasa could not resume %s: %s", conversation_id, error)
        flash(_("The assistant cannot take the conversation back right now. Please try again."), "error")
        return redirect(url_for("console.conversation_page", conversation_id=conversation_id))

    def returning(s):
        handoff.return_to_assistant(s, conversation_id, g.staff.id)
        record = s.get(Conversation, conversation_id)
        handoff.add_message(s, record, "system", _returned_notice(record.language))
    return _act(conversation_id, returning)


def _post_message(conversation_id: str, prefix: str, internal: bool):
    form = MessageForm(prefix=prefix)
    if not form.validate_on_submit():
        flash(_("Type a message first (at most 2,000 characters)."), "error")
        return redirect(url_for("console.conversation_page", conversation_id=conversation_id))
    try:
        with database.begin() as s:
            handoff.staff_reply(s, conversation_id, g.staff.id, form.text.data.strip(), internal=internal)
    except HandoffRefused:
        flash(_("Only the colleague who took this conversation can do that."), "error")
    return redirect(url_for("console.conversation_page", conversation_id=conversation_id))


@bp.post("/conversations/<conversation_id>/reply")
@staff_required
def reply(conversation_id: str):
    return _post_message(conversation_id, "reply", internal=False)


@bp.post("/conversations/<conversation_id>/note")
@staff_required
def note(conversation_id: str):
    return _post_message(conversation_id, "note", internal=True)


def _rating_question(lang: str) -> str:
    with force_locale(BABEL_LOCALES.get(lang, "nl_BE")):
        return _("The conversation is closed. How satisfied are you, from 1 (not at all) to 5 (very)?")


def _returned_notice(lang: str) -> str:
    with force_locale(BABEL_LOCALES.get(lang, "nl_BE")):
        return _("Our colleague has handed the conversation back to the digital assistant. Ask your next question.")
