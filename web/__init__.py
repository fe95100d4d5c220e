"""The web app: the chat widget's API, the demo portal and the knowledge pages.

    from web import create_app
    app = create_app()                              # settings from the environment (web/config.py)
    app = create_app({"RASA_URL": "http://..."})    # the tests override settings like this

Blueprints, one per audience: `chat_api` (the widget's JSON API under /api), `claims_api` (a claim's
documents, /api/claims), `auth` (logging in and out, /auth) and `pages` (the portal and the knowledge
pages).
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from flask import Flask

from web.config import from_environment


def create_app(config: Optional[Mapping[str, Any]] = None) -> Flask:
    from groupinsurance import log_masking

    log_masking.install()  # national numbers never reach a log in clear, whoever logs them
    app = Flask(__name__)
    app.config.from_mapping(from_environment())
    if config:
        app.config.from_mapping(config)
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    from web import auth, errors
    from web.config import check
    from web.extensions import babel, csrf, database, limiter, rasa
    from web.i18n import compile_catalogs, select_locale
    from web.text import linkify

    # .mo files are build outputs: compiled from web/translations at start-up when stale.
    build_dir = compile_catalogs(app.config["TRANSLATIONS_BUILD_DIR"])
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(build_dir)
    check(app.config)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    database.init_app(app)
    auth.init_app(app)
    rasa.init_app(app)

    if "knowledge" not in app.extensions:
        from knowledge import default_knowledge

        app.extensions["knowledge"] = app.config.get("KNOWLEDGE") or default_knowledge()

    app.jinja_env.filters["linkify"] = linkify
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from web import chat_api, claims_api, console, pages

    # The chat API takes JSON only (415 otherwise), which a form on another site cannot send, and the
    # session cookie is SameSite=Lax: that is its protection against cross-site requests, not a token.
    csrf.exempt(chat_api.bp)
    app.register_blueprint(chat_api.bp)
    # Uploads are multipart forms, so they cannot rely on the JSON-only rule: every POST there must carry
    # the header X-Requested-With, which a cross-site form cannot send and which forces a CORS preflight.
    csrf.exempt(claims_api.bp)
    app.register_blueprint(claims_api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(pages.bp)
    errors.register(app)
    app.after_request(security_headers)
    return app


# Only this app's own scripts, styles and images; no framing by other sites; no inline script at all
# (the widget and the console use none). Embedding sites load widget.js and widget.css from here.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response
