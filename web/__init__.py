"""The web app: the chat widget's API, the demo portal and the knowledge pages.

    from web import create_app
    app = create_app()                              # settings from the environment (web/config.py)
    app = create_app({"RASA_URL": "http://..."})    # the tests override settings like this

Blueprints, one per audience: `chat_api` (the widget's JSON API under /api) and `pages` (the portal and
the knowledge pages). Later issues add `auth` and `console` beside them in the same way.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from flask import Flask

from web.config import from_environment


def create_app(config: Optional[Mapping[str, Any]] = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(from_environment())
    if config:
        app.config.from_mapping(config)
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    from web import errors
    from web.extensions import babel, rasa
    from web.i18n import compile_catalogs, select_locale
    from web.text import linkify

    # .mo files are build outputs: compiled from web/translations at start-up when stale.
    build_dir = compile_catalogs(app.config["TRANSLATIONS_BUILD_DIR"])
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(build_dir)
    babel.init_app(app, locale_selector=select_locale)
    rasa.init_app(app)

    if "knowledge" not in app.extensions:
        from knowledge import default_knowledge

        app.extensions["knowledge"] = app.config.get("KNOWLEDGE") or default_knowledge()

    app.jinja_env.filters["linkify"] = linkify
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from web import chat_api, pages

    app.register_blueprint(chat_api.bp)
    app.register_blueprint(pages.bp)
    errors.register(app)
    return app
