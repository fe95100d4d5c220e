"""Security headers, cookie flags and rate limits of the web app."""
import pytest

from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from fake_rasa import FakeRasa, echo_or_hand_off
from groupinsurance import demo_data
from web import create_app


@pytest.fixture
def rasa():
    with FakeRasa() as fake:
        fake.reply = echo_or_hand_off
        yield fake


def make(rasa, database_url, tmp_path, **config):
    settings = {"TESTING": True, "RASA_URL": rasa.url, "DATABASE_URL": database_url,
                "TRANSLATIONS_BUILD_DIR": str(tmp_path / "t")}
    settings.update(config)
    return create_app(settings)


@pytest.mark.parametrize("path", ["/", "/api/health", "/console/login", "/knowledge/faq/7", "/static/widget.js"])
def test_security_headers_on_pages_api_and_static(rasa, database_url, tmp_path, path):
    response = make(rasa, database_url, tmp_path).test_client().get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy and "frame-ancestors 'self'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(rasa, database_url, tmp_path):
    client = make(rasa, database_url, tmp_path).test_client()
    for path in ("/", "/profile", "/console/login", "/auth/test-login", "/knowledge/faq/"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and " onclick=" not in page and "javascript:" not in page, path


def test_the_chat_is_rate_limited_per_client_with_a_json_429(rasa, database_url, tmp_path):
    client = make(rasa, database_url, tmp_path, CHAT_RATE_LIMIT="3/minute").test_client()
    body = {"conversation_id": "c0ffee00c0ffee00", "message": "hallo", "lang": "nl"}
    statuses = [client.post("/api/chat", json=body).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    error = client.post("/api/chat", json=body).get_json()["error"]
    assert error["code"] == "too_many_requests" and error["retryable"] is True
    assert len(rasa.requests) == 3  # refused requests never reach the model


def test_logins_are_rate_limited(rasa, database_url, session_factory, tmp_path):
    demo_data.load_if_empty(session_factory)
    client = make(rasa, database_url, tmp_path, LOGIN_RATE_LIMIT="2/minute").test_client()
    number = demo_data.PERSONS["jan"].national_number
    statuses = [client.post("/auth/test-login", data={"national_number": number}).status_code for _ in range(3)]
    assert statuses[:2] == [303, 303] and statuses[2] == 429
    assert client.get("/auth/test-login").status_code == 200  # only the attempts count


def test_session_cookie_flags(rasa, database_url, session_factory, tmp_path):
    demo_data.load_if_empty(session_factory)
    client = make(rasa, database_url, tmp_path).test_client()
    client.post("/auth/test-login", data={"national_number": demo_data.PERSONS["jan"].national_number})
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"
