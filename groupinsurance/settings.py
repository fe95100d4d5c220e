"""Settings shared by the web app and the action server: the environment and the secrets.

APP_ENV is `development` (the default: `make run`, the tests) or `production`. In production every
secret must come from the environment. In development a missing secret is generated once into
var/secrets/<name> (mode 0600), so that the web app and the action server, started separately by
`make run`, read the same value, and a restart keeps people logged in.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Mapping, Optional

ROOT = Path(__file__).resolve().parent.parent
SECRETS_DIR = ROOT / "var" / "secrets"
ENVIRONMENTS = ("development", "production")


class SettingsError(ValueError):
    """A setting is missing or unusable; the message names the environment variable."""


def app_env(environ: Optional[Mapping[str, str]] = None) -> str:
    env = os.environ if environ is None else environ
    value = (env.get("APP_ENV") or "development").strip().lower()
    if value not in ENVIRONMENTS:
        raise SettingsError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {value!r}")
    return value


def is_production(environ: Optional[Mapping[str, str]] = None) -> bool:
    return app_env(environ) == "production"


def secret(name: str, environ: Optional[Mapping[str, str]] = None, *, min_length: int = 32,
           directory: Path = SECRETS_DIR) -> str:
    """The secret in environment variable `name`; in development, generated once if it is not set."""
    env = os.environ if environ is None else environ
    value = env.get(name, "")
    if value:
        if len(value) < min_length:
            raise SettingsError(f"{name} must be at least {min_length} characters long")
        return value
    if is_production(env):
        raise SettingsError(f"{name} must be set in production (APP_ENV=production)")
    return _development_secret(name, directory)


def _development_secret(name: str, directory: Path) -> str:
    path = directory / name
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    directory.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    # O_EXCL: when two processes start at once, one writes and the other reads the winner's value.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_when_written(path)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value


def _read_when_written(path: Path) -> str:
    import time

    for _ in range(50):
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value
        time.sleep(0.02)
    raise SettingsError(f"{path} is empty; delete it and start again")
