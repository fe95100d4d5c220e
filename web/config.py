"""Configuration of the web app, read from environment variables with safe defaults.

Every setting has a default that works on a developer's machine: the app listens on 127.0.0.1 only
and talks to the Rasa started by `make run` on the same machine. `create_app(config)` applies a
mapping on top (the tests use that); nothing else reads the environment.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

from groupinsurance.language import BABEL_LOCALES

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES: Tuple[str, ...] = ("nl", "fr")
# The Babel locale used for dates and amounts in each language (the same as in the answers).
LOCALES = BABEL_LOCALES


class ConfigError(ValueError):
    """An environment variable has a value the app cannot use; the message names it."""


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be more than 0 seconds, not {value}")
    return value


def _list(environ: Mapping[str, str], name: str) -> Tuple[str, ...]:
    return tuple(item.strip().rstrip("/") for item in environ.get(name, "").split(",") if item.strip())


def from_environment(environ: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    """The app's settings from `environ` (default: os.environ)."""
    env = os.environ if environ is None else environ
    rasa_port = _int(env, "RASA_PORT", 5005)
    return {
        # Where the web app listens (`python -m web`, the Procfile's `web` line).
        "WEB_HOST": env.get("WEB_HOST", "127.0.0.1"),
        "WEB_PORT": _int(env, "WEB_PORT", 5000),
        # Rasa's REST channel, called server-side only: the browser never talks to Rasa.
        "RASA_URL": env.get("RASA_URL", f"http://127.0.0.1:{rasa_port}").rstrip("/"),
        # Seconds to wait for Rasa's answer before telling the person to retry (HTTP 504).
        "RASA_TIMEOUT": _float(env, "RASA_TIMEOUT", 15.0),
        "RASA_CONNECT_TIMEOUT": _float(env, "RASA_CONNECT_TIMEOUT", 3.0),
        # /api/health asks Rasa with this (short) timeout.
        "RASA_HEALTH_TIMEOUT": _float(env, "RASA_HEALTH_TIMEOUT", 2.0),
        # Longest question accepted, in characters (longer: HTTP 413 with a clear message).
        "MAX_MESSAGE_LENGTH": _int(env, "MAX_MESSAGE_LENGTH", 1000),
        # Largest request body Flask reads at all, in bytes.
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 16 * 1024),
        # Other sites allowed to call /api/* from a browser (CORS), comma-separated origins such as
        # "https://www.example.be". Empty: only pages served by this app embed the widget.
        "WIDGET_ALLOWED_ORIGINS": _list(env, "WIDGET_ALLOWED_ORIGINS"),
        # Compiled catalogs (.mo) are build outputs, written here at start-up from web/translations.
        "TRANSLATIONS_BUILD_DIR": env.get("WEB_TRANSLATIONS_BUILD_DIR", str(ROOT / "var" / "translations")),
        "BABEL_DEFAULT_LOCALE": "nl",
        "LANGUAGES": LANGUAGES,
        "JSON_SORT_KEYS": False,
    }
