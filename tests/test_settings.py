"""Secrets and the environment: generated once in development, required in production."""
import stat

import pytest

from groupinsurance import settings


def test_development_generates_a_secret_once_and_keeps_it(tmp_path):
    first = settings.secret("SOME_SECRET", {}, directory=tmp_path)
    assert len(first) >= 32
    assert settings.secret("SOME_SECRET", {}, directory=tmp_path) == first
    assert stat.S_IMODE((tmp_path / "SOME_SECRET").stat().st_mode) == 0o600


def test_the_environment_wins(tmp_path):
    value = "v" * 40
    assert settings.secret("SOME_SECRET", {"SOME_SECRET": value}, directory=tmp_path) == value
    assert not (tmp_path / "SOME_SECRET").exists()


def test_production_requires_the_secret(tmp_path):
    with pytest.raises(settings.SettingsError, match="SOME_SECRET must be set in production"):
        settings.secret("SOME_SECRET", {"APP_ENV": "production"}, directory=tmp_path)


def test_a_short_secret_is_refused(tmp_path):
    with pytest.raises(settings.SettingsError, match="at least 32"):
        settings.secret("SOME_SECRET", {"SOME_SECRET": "short"}, directory=tmp_path)


def test_unknown_environment_is_refused():
    with pytest.raises(settings.SettingsError, match="APP_ENV"):
        settings.app_env({"APP_ENV": "staging"})
    assert settings.app_env({}) == "development"
    assert settings.is_production({"APP_ENV": "Production"})
