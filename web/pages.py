"""Pages for people: the demo employee portal and the knowledge pages the answers' sources link to."""
from __future__ import annotations

import datetime

from flask import Blueprint, abort, current_app, g, render_template, request, url_for
from flask_babel import format_currency, format_date, gettext as _

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

    return {
        "lang": lang,
        "other_languages": [code for code in current_app.config["LANGUAGES"] if code != lang],
        "languages": current_app.config["LANGUAGES"],
        "language_name": language_name,
        "switch_url": switch_url,
    }


def _kb():
    return current_app.extensions["knowledge"]


# --- the demo portal ----------------------------------------------------------------------------

# Made-up figures for the demo: nobody's real contract.
DEMO_CONTRACT = {
    "employer": "Voorbeeld nv",
    "number": "GV-000123-DEMO",
    "reserves": 18452.37,
    "reserves_date": datetime.date(2026, 1, 1),
    "pension_benefit": 96310.00,
    "death_cover": 75000.00,
    "next_statement": datetime.date(2026, 6, 30),
}


@bp.get("/")
def portal():
    contract = DEMO_CONTRACT
    figures = {
        "reserves": format_currency(contract["reserves"], "EUR"),
        "reserves_date": format_date(contract["reserves_date"], "long"),
        "pension_benefit": format_currency(contract["pension_benefit"], "EUR"),
        "death_cover": format_currency(contract["death_cover"], "EUR"),
        "next_statement": format_date(contract["next_statement"], "long"),
    }
    return render_template("portal.html", active="contracts", contract=contract, figures=figures)


@bp.get("/favicon.ico")
def favicon():
    return current_app.send_static_file("favicon.svg")


@bp.get("/profile")
def profile():
    return render_template("profile.html", active="profile")


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
