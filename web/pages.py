"""Pages for people: the demo employee portal and the knowledge pages the answers' sources link to."""
from __future__ import annotations

import datetime

from flask import Blueprint, abort, current_app, g, render_template, request, url_for
from flask_babel import format_currency, format_date, gettext as _, lazy_gettext as _l
from flask_login import current_user

from groupinsurance import identifiers, status
from groupinsurance.status import Status
from web.auth import person_record
from web.extensions import database

from web import knowledge_views
from web.i18n import language_name, request_language, use_language

bp = Blueprint("pages", __name__)


@bp.before_app_request
def choose_language():
    """Pages follow ?lang=nl|fr, else the browser's preference; every internal link keeps ?lang."""
    use_language(request_language())


@bp.app_context_processor
def page_context():
    lang = g.get("lang") or "nl"

    def switch_url(target: str) -> str:
        if request.endpoint and request.url_rule is not None and request.method == "GET":
            args = dict(request.view_args or {})
            args.update({k: v for k, v in request.args.items() if k != "lang"})
            return url_for(request.endpoint, **args, lang=target)
        return url_for("pages.portal", lang=target)

    person = person_record() if current_user.is_authenticated else None
    return {
        "account_name": f"{person.first_name} {person.last_name}" if person else None,
        "lang": lang,
        "other_languages": [code for code in current_app.config["LANGUAGES"] if code != lang],
        "languages": current_app.config["LANGUAGES"],
        "language_name": language_name,
        "switch_url": switch_url,
    }


def _kb():
    return current_app.extensions["knowledge"]


# --- the portal: the logged-in person's contracts and profile ------------------------------------

STATUS_LABELS = {
    Status.ACTIVE: _l("Active"),
    Status.ACTIVE_SUSPENDED: _l("Active without premium"),
    Status.PASSIVE: _l("Passive"),
    Status.TERMINATED: _l("Terminated"),
}
KIND_LABELS = {
    "A": _l("Employer contributions"),
    "C": _l("Personal contributions"),
    "P": _l("Personal contract"),
}


@bp.get("/")
def portal():
    groups = []
    if current_user.is_authenticated:
        with database.session() as session:
            groups = status.visible_contracts(current_user.national_number, datetime.date.today(), session=session)
    return render_template(
        "portal.html", active="contracts", groups=groups, status_labels=STATUS_LABELS, kind_labels=KIND_LABELS,
        format_currency=format_currency, format_date=format_date, Status=Status,
    )


@bp.get("/favicon.ico")
def favicon():
    return current_app.send_static_file("favicon.svg")


@bp.get("/profile")
def profile():
    person = person_record()
    masked = identifiers.mask(current_user.national_number) if current_user.is_authenticated else None
    return render_template("profile.html", active="profile", person=person, masked_number=masked)


# --- knowledge pages ----------------------------------------------------------------------------

def _entry_page(kind: str, entry_id: str):
    view = knowledge_views.build(_kb(), kind, entry_id, g.lang)
    if view is None:
        abort(404)
    return render_template("knowledge/entry.html", view=view, active="faq" if kind == "faq" else "knowledge")


@bp.get("/knowledge/")
def knowledge_index():
    return render_template("knowledge/index.html", active="knowledge")


@bp.get("/knowledge/faq/")
def faq_index():
    kb = _kb()
    sections = [
        (section, [faq for faq in kb.faqs.values() if faq.section == section.id])
        for section in kb.sections.values()
    ]
    return render_template("knowledge/faq_index.html", sections=sections, active="faq")


@bp.get("/knowledge/article/")
def article_index():
    kb = _kb()
    articles = [
        (article.id, knowledge_views.article_title(kb, article.id, g.lang))
        for article in kb.articles.values() if article.parent_id is None
    ]
    return render_template("knowledge/article_index.html", articles=articles, active="knowledge")


@bp.get("/knowledge/definition/")
def definition_index():
    kb = _kb()
    terms = sorted(
        ((d.id, d.term.get(g.lang)) for d in kb.definitions.values()), key=lambda item: item[1].casefold()
    )
    return render_template("knowledge/definition_index.html", terms=terms, active="knowledge")


@bp.get("/knowledge/faq/<entry_id>")
def knowledge_faq(entry_id: str):
    return _entry_page("faq", entry_id)


@bp.get("/knowledge/article/<entry_id>")
def knowledge_article(entry_id: str):
    return _entry_page("article", entry_id)


@bp.get("/knowledge/definition/<entry_id>")
def knowledge_definition(entry_id: str):
    return _entry_page("definition", entry_id)
