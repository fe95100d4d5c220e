"""Configuration of the web app, read from environment variables with safe defaults.

Every setting has a default that works on a developer's machine: the app listens on 127.0.0.1 only
and talks to the Rasa started by `make run` on the same machine. `create_app(config)` applies a
mapping on top (the tests use that); nothing else reads the environment.
"""
from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

from groupinsurance import db, settings, uploads
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


def _secret(env: Mapping[str, str], name: str) -> str:
    try:
        return settings.secret(name, env)
    except settings.SettingsError as error:
        raise ConfigError(str(error)) from None


def _list(environ: Mapping[str, str], name: str) -> Tuple[str, ...]:
    return tuple(item.strip().rstrip("/") for item in environ.get(name, "").split(",") if item.strip())


LOGIN_PROVIDERS = ("test", "oidc")


def _login_provider(env: Mapping[str, str], production: bool) -> str:
    value = (env.get("LOGIN_PROVIDER") or ("oidc" if production else "test")).strip().lower()
    if value not in LOGIN_PROVIDERS:
        raise ConfigError(f"LOGIN_PROVIDER must be one of {', '.join(LOGIN_PROVIDERS)}, not {value!r}")
    return value


def check(config: Mapping[str, Any]) -> None:
    """Refuses combinations that must never run: above all, the test identity provider in production."""
    if config["APP_ENV"] == "production":
        if config["LOGIN_PROVIDER"] == "test":
            raise ConfigError("LOGIN_PROVIDER=test is impossible with APP_ENV=production: "
                              "the test identity provider lets anyone log in as anyone")
        if not config["SESSION_COOKIE_SECURE"]:
            raise ConfigError("SESSION_COOKIE_SECURE must stay on in production (HTTPS only)")
    if config["LOGIN_PROVIDER"] == "oidc":
        missing = [name for name in ("OIDC_METADATA_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET") if not config.get(name)]
        if missing:
            raise ConfigError(f"LOGIN_PROVIDER=oidc needs {', '.join(missing)}")


def from_environment(environ: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    """The app's settings from `environ` (default: os.environ)."""
    env = os.environ if environ is None else environ
    rasa_port = _int(env, "RASA_PORT", 5005)
    try:
        production = settings.is_production(env)
    except settings.SettingsError as error:
        raise ConfigError(str(error)) from None
    return {
        "APP_ENV": "production" if production else "development",
        # Signs the session cookie. In development generated once into var/secrets (groupinsurance.settings).
        "SECRET_KEY": _secret(env, "SECRET_KEY"),
        # Seals the identity token the action server verifies; the action server must have the same value.
        "IDENTITY_TOKEN_SECRET": _secret(env, "IDENTITY_TOKEN_SECRET"),
        "DATABASE_URL": env.get("DATABASE_URL") or db.DEFAULT_URL,
        # How people log in: `test` (the test identity provider, development only) or `oidc` (FAS, itsme...).
        "LOGIN_PROVIDER": _login_provider(env, production),
        # OpenID Connect: the provider's discovery document, the client registered there, the scopes,
        # and the claim that holds the national register number (`egovNRN` for the federal FAS).
        "OIDC_METADATA_URL": env.get("OIDC_METADATA_URL", ""),
        "OIDC_CLIENT_ID": env.get("OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": env.get("OIDC_CLIENT_SECRET", ""),
        "OIDC_SCOPE": env.get("OIDC_SCOPE", "openid profile egovnrn"),
        "OIDC_NATIONAL_NUMBER_CLAIM": env.get("OIDC_NATIONAL_NUMBER_CLAIM", "egovNRN"),
        # Rasa's HTTP API token (the console's 'return to assistant' resumes the paused conversation).
        "RASA_TOKEN": _secret(env, "RASA_TOKEN"),
        # A console login ends after this long without activity.
        "STAFF_SESSION_MINUTES": _int(env, "STAFF_SESSION_MINUTES", 30),
        # Rate limits per client address (Flask-Limiter syntax); the counts live in RATELIMIT_STORAGE_URI.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "CHAT_RATE_LIMIT": env.get("CHAT_RATE_LIMIT", "300/minute"),
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10/minute"),
        # When colleagues answer escalated conversations (Brussels time), and how the person is told so.
        "OPENING_HOURS": env.get("OPENING_HOURS", "mon-fri 08:30-17:00"),
        "OPENING_HOURS_TEXT": env.get("OPENING_HOURS_TEXT", "ma-vr / lu-ve 8.30-17.00"),
        # A login lasts this long without activity (every request renews it).
        "PERMANENT_SESSION_LIFETIME": datetime.timedelta(minutes=_int(env, "SESSION_LIFETIME_MINUTES", 30)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production or env.get("SESSION_COOKIE_SECURE", "").lower() in ("1", "true", "yes"),
        # Where the web app listens (`python -m web`, the Procfile's `web` line).
        "WEB_HOST": env.get("WEB_HOST", "127.0.0.1"),
        "WEB_PORT": _int(env, "WEB_PORT", 5000),
        # Rasa's REST channel, called server-side only: the browser never talks to Rasa.
        "RASA_URL": env.get("RASA_URL", f"http://127.0.0.1:{rasa_port}").rstrip("/"),
        # Several Rasa instances sharing one tracker store and a Redis lock store (README, "Scaling
        # out"), comma-separated; each conversation goes to one of them. Empty: RASA_URL alone.
        "RASA_URLS": _list(env, "RASA_URLS"),
        # Seconds to wait for Rasa's answer before telling the person to retry (HTTP 504).
        "RASA_TIMEOUT": _float(env, "RASA_TIMEOUT", 15.0),
        "RASA_CONNECT_TIMEOUT": _float(env, "RASA_CONNECT_TIMEOUT", 3.0),
        # /api/health asks Rasa with this (short) timeout.
        "RASA_HEALTH_TIMEOUT": _float(env, "RASA_HEALTH_TIMEOUT", 2.0),
        # Longest question accepted, in characters (longer: HTTP 413 with a clear message).
        "MAX_MESSAGE_LENGTH": _int(env, "MAX_MESSAGE_LENGTH", 1000),
        # Largest request body Flask reads at all, in bytes.
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 16 * 1024),
        # Documents for a payout claim: the largest file accepted (only that route reads a body this
        # large), and where the files go (outside the web root; nothing serves that folder).
        "UPLOAD_MAX_BYTES": _int(env, "UPLOAD_MAX_BYTES", uploads.MAX_BYTES),
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(ROOT / "var" / "uploads"),
        # Other sites allowed to call /api/* from a browser (CORS), comma-separated origins such as
        # "https://www.example.be". Empty: only pages served by this app embed the widget.
        "WIDGET_ALLOWED_ORIGINS": _list(env, "WIDGET_ALLOWED_ORIGINS"),
        # Compiled catalogs (.mo) are build outputs, written here at start-up from web/translations.
        "TRANSLATIONS_BUILD_DIR": env.get("WEB_TRANSLATIONS_BUILD_DIR", str(ROOT / "var" / "translations")),
        "BABEL_DEFAULT_LOCALE": "nl",
        "LANGUAGES": LANGUAGES,
        "JSON_SORT_KEYS": False,
    }
