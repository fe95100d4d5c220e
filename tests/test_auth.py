"""Logging in and out, and what a login changes: the identity token sent to Rasa, the portal, masking.

The test identity provider stands in for OpenID Connect here; the OIDC client is Authlib's, checked
for its configuration and for the claim it reads.
"""
import base64
import datetime
import json
import logging
import zlib

import pytest
from itsdangerous import URLSafeTimedSerializer

from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from fake_rasa import FakeRasa
from groupinsurance import demo_data, identifiers, identity_token
from web import create_app
from web.auth import national_number_from_claims
from web.config import ConfigError, from_environment

SECRET = "the web tests' identity secret, long enough"
JAN = demo_data.PERSONS["jan"].national_number
MARIE = demo_data.PERSONS["marie"].national_number
CONVERSATION = "c0ffee00c0ffee00c0ffee00c0ffee00"


@pytest.fixture
def rasa():
    with FakeRasa() as fake:
        yield fake


@pytest.fixture
def app(rasa, database_url, session_factory, tmp_path):
    demo_data.load_if_empty(session_factory)
    return create_app({
        "TESTING": True, "RASA_URL": rasa.url, "RASA_TIMEOUT": 2.0, "DATABASE_URL": database_url,
        "IDENTITY_TOKEN_SECRET": SECRET, "TRANSLATIONS_BUILD_DIR": str(tmp_path / "translations"),
    })


@pytest.fixture
def client(app):
    return app.test_client()


def log_in(client, number=JAN, **kwargs):
    return client.post("/auth/test-login", data={"national_number": number, **kwargs},
                       headers={"Accept": "application/json"})


def chat(client, message="wat is de status van mijn groepsverzekering?"):
    return client.post("/api/chat", json={"conversation_id": CONVERSATION, "message": message, "lang": "nl"})


def sent_identity(rasa):
    token = rasa.requests[-1]["metadata"].get("identity")
    if token is None:
        return None
    return identity_token.verify(token, identity_token.derive_key(SECRET))


# --- the test identity provider -----------------------------------------------------------------

def test_the_test_login_page_lists_the_demo_persons_and_says_it_is_test_only(client):
    page = client.get("/auth/test-login").get_data(as_text=True)
    assert "Test-identiteitsprovider: enkel voor ontwikkeling en tests." in page
    for person in demo_data.DEMO_PERSONS:
        assert f"Inloggen als {person.first_name} {person.last_name}" in page
        assert identifiers.mask(person.national_number) in page


def test_login_then_logout(client):
    assert client.get("/api/session").get_json()["logged_in"] is False
    response = log_in(client)
    assert response.status_code == 200 and response.get_json()["logged_in"] is True
    state = client.get("/api/session").get_json()
    assert state["logged_in"] is True and state["first_name"] == "Jan" and state["login_id"]
    assert "national_number" not in json.dumps(state) and JAN not in json.dumps(state)
    assert client.post("/auth/logout", headers={"Accept": "application/json"}).get_json() == {"logged_in": False}
    assert client.get("/api/session").get_json()["logged_in"] is False


def test_each_login_has_its_own_login_id(client):
    first = log_in(client).get_json()["login_id"]
    second = log_in(client, MARIE).get_json()["login_id"]
    assert first != second


def test_the_form_login_redirects_to_the_page_asked_for_but_never_elsewhere(client):
    response = client.post("/auth/test-login", data={"national_number": JAN, "next": "/profile?lang=fr"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/profile?lang=fr")
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        response = client.post("/auth/test-login", data={"national_number": JAN, "next": evil})
        assert response.headers["Location"] == "/", evil


@pytest.mark.parametrize("number", ["", "85073003329", "12345", "<script>"])
def test_an_invalid_number_is_a_clear_400(client, number):
    response = log_in(client, number)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "Dat is geen geldig rijksregister- of BIS-nummer."
    assert client.get("/api/session").get_json()["logged_in"] is False


def test_the_session_cookie_does_not_show_the_number(client):
    log_in(client)
    cookie = client.get_cookie("session").value
    payload = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if cookie.startswith("."):
        raw = zlib.decompress(raw)
    assert JAN.encode() not in raw and identifiers.format(JAN).encode() not in raw


def test_the_login_expires_with_the_session(app, client):
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 30 * 60
    log_in(client)
    cookie = client.get_cookie("session")
    assert cookie.expires is not None
    assert cookie.http_only and cookie.same_site == "Lax"


def test_a_tampered_session_cookie_logs_nobody_in(client, app):
    log_in(client)
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="cookie-session",
                                        signer_kwargs={"key_derivation": "hmac", "digest_method": __import__("hashlib").sha1})
    data = serializer.loads(client.get_cookie("session").value)
    # Someone with the signing key but not the sealing key cannot make a login for Marie.
    data["_user_id"] = identity_token.issue(MARIE, identity_token.derive_key("not the app's secret key, long enough"),
                                            audience="groupinsurance-web-session")
    client.set_cookie("session", serializer.dumps(data))
    assert client.get("/api/session").get_json()["logged_in"] is False


# --- what the login changes in the chat ------------------------------------------------------------

def test_a_logged_in_message_carries_a_short_lived_token_for_that_person(client, rasa):
    chat(client)
    assert "identity" not in rasa.requests[-1]["metadata"]
    log_in(client)
    chat(client)
    token = rasa.requests[-1]["metadata"]["identity"]
    key = identity_token.derive_key(SECRET)
    assert identity_token.verify(token, key) == JAN
    claims_expire_soon = identity_token.verify(token, key, now=datetime.datetime.now().timestamp() + 60)
    assert claims_expire_soon == JAN
    with pytest.raises(identity_token.InvalidToken, match="expired"):
        identity_token.verify(token, key, now=datetime.datetime.now().timestamp() + identity_token.DEFAULT_TTL + 60)


def test_a_number_typed_in_the_chat_is_masked_and_never_becomes_the_identity(client, rasa):
    log_in(client)
    chat(client, f"toon de contracten van {identifiers.format(MARIE)} en {MARIE}")
    sent = rasa.requests[-1]
    assert MARIE not in sent["message"] and identifiers.format(MARIE) not in sent["message"]
    assert identifiers.mask(MARIE) in sent["message"]
    assert sent_identity(rasa) == JAN


def copy_of_cookies(app, client):
    """A second browser holding a copy of `client`'s cookies (e.g. stolen from a shared computer)."""
    thief = app.test_client()
    for name in ("session",):
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def test_a_copy_of_the_session_cookie_stops_working_at_logout(app, client, rasa):
    log_in(client)
    thief = copy_of_cookies(app, client)
    assert thief.get("/api/session").get_json()["logged_in"] is True  # the copy works while the login lasts
    client.post("/auth/logout")
    assert thief.get("/api/session").get_json()["logged_in"] is False
    chat(thief)
    assert sent_identity(rasa) is None
    assert JAN not in thief.get("/profile").get_data(as_text=True)
    # A new login is a new login id: it works, and the ended one stays ended.
    log_in(client)
    assert client.get("/api/session").get_json()["logged_in"] is True
    assert thief.get("/api/session").get_json()["logged_in"] is False


def test_after_logout_no_token_is_sent(client, rasa):
    log_in(client)
    client.post("/auth/logout")
    chat(client)
    assert sent_identity(rasa) is None


def test_a_login_request_from_the_assistant_becomes_a_login_link(client, rasa):
    rasa.reply = lambda payload: [
        {"text": "Daarvoor moet u eerst inloggen."}, {"custom": {"login_required": True}}]
    response = client.post("/api/chat", json={"conversation_id": CONVERSATION, "message": "mijn contracten", "lang": "nl"},
                           headers={"Referer": "http://localhost/profile?lang=nl"})
    assert response.get_json() == {"messages": [
        {"text": "Daarvoor moet u eerst inloggen.", "login_url": "/auth/login?next=/profile?lang%3Dnl"}]}
    # A referrer on another site never becomes the place to return to.
    response = client.post("/api/chat", json={"conversation_id": CONVERSATION, "message": "x", "lang": "nl"},
                           headers={"Referer": "https://evil.example/page"})
    assert response.get_json()["messages"][0]["login_url"] == "/auth/login?next=/"


def test_login_follows_the_link_back(client):
    response = client.get("/auth/login?next=/profile")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/test-login?next=/profile")


# --- pages after login ------------------------------------------------------------------------------

def test_the_portal_shows_the_logged_in_persons_contracts_per_employer(client):
    log_in(client)
    page = client.get("/").get_data(as_text=True)
    assert "Welkom, Jan Peeters" in page
    assert page.index("Brouwerij De Klok NV") < page.index("Logistiek Schelde BV")
    for number in ("530/100001", "530/100002", "530/200101"):
        assert f'data-contract="{number}"' in page
    assert "530/200102" not in page and "610/555001" not in page  # terminated long ago; not group insurance
    assert "€\xa018.542,37" in page and "Passief" in page
    fr = client.get("/?lang=fr").get_data(as_text=True)
    assert "18\u202f542,37\xa0€" in fr and "Employeur actuel" in fr


def test_the_profile_page_masks_the_national_number(client):
    log_in(client)
    page = client.get("/profile").get_data(as_text=True)
    assert identifiers.mask(JAN) in page
    assert JAN not in page and identifiers.format(JAN) not in page
    assert "jan.peeters@home.example" in page


def test_somebody_with_no_contracts_sees_why(client):
    log_in(client, demo_data.PERSONS["els"].national_number)
    page = client.get("/").get_data(as_text=True)
    assert "Geen contracten om te tonen" in page and "/knowledge/faq/9" in page


def test_logs_never_show_a_national_number(client, caplog, app):
    with caplog.at_level(logging.INFO):
        log_in(client)
        app.logger.warning("a careless line with %s in it", identifiers.format(MARIE))
        logging.getLogger("anything").error("and one with %s", MARIE)
    text = caplog.text
    assert JAN not in text and MARIE not in text and identifiers.format(MARIE) not in text
    assert identifiers.mask(JAN) in text and identifiers.mask(MARIE) in text


# --- configuration: the test provider can never run in production ---------------------------------

PRODUCTION = {"APP_ENV": "production", "SECRET_KEY": "k" * 40, "IDENTITY_TOKEN_SECRET": "i" * 40,
              "RASA_TOKEN": "r" * 40}
OIDC = {"OIDC_METADATA_URL": "https://idp.example/.well-known/openid-configuration",
        "OIDC_CLIENT_ID": "groupinsurance", "OIDC_CLIENT_SECRET": "s3cret"}


def test_production_defaults_to_openid_connect_and_needs_its_settings():
    with pytest.raises(ConfigError, match="OIDC_METADATA_URL, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET"):
        create_app(from_environment(PRODUCTION))
    config = from_environment({**PRODUCTION, **OIDC})
    assert config["LOGIN_PROVIDER"] == "oidc" and config["SESSION_COOKIE_SECURE"] is True
    assert config["OIDC_NATIONAL_NUMBER_CLAIM"] == "egovNRN"


def test_the_test_provider_is_refused_in_production():
    with pytest.raises(ConfigError, match="LOGIN_PROVIDER=test is impossible with APP_ENV=production"):
        create_app(from_environment({**PRODUCTION, "LOGIN_PROVIDER": "test"}))
    # Nor can a settings mapping sneak it in.
    with pytest.raises(ConfigError, match="impossible"):
        create_app({**from_environment({**PRODUCTION, **OIDC}), "LOGIN_PROVIDER": "test"})


def test_production_needs_its_secrets():
    with pytest.raises(ConfigError, match="SECRET_KEY must be set in production"):
        from_environment({"APP_ENV": "production"})


def test_with_openid_connect_the_test_pages_do_not_exist(tmp_path):
    app = create_app({**from_environment({**PRODUCTION, **OIDC}), "TESTING": True, "DATABASE_URL": "sqlite://",
                      "TRANSLATIONS_BUILD_DIR": str(tmp_path)})
    client = app.test_client()
    assert client.get("/auth/test-login").status_code == 404
    assert client.post("/auth/test-login", data={"national_number": JAN}).status_code == 404
    assert client.get("/auth/callback").status_code != 200


def test_openid_connect_login_redirects_to_the_provider(tmp_path, monkeypatch):
    app = create_app({**from_environment({**PRODUCTION, **OIDC}), "TESTING": True, "DATABASE_URL": "sqlite://",
                      "TRANSLATIONS_BUILD_DIR": str(tmp_path)})
    from web.extensions import oauth

    metadata = {"issuer": "https://idp.example", "authorization_endpoint": "https://idp.example/authorize",
                "token_endpoint": "https://idp.example/token", "jwks_uri": "https://idp.example/jwks"}
    monkeypatch.setattr(oauth.identity_provider, "load_server_metadata", lambda: metadata)
    response = app.test_client().get("/auth/login?next=/profile")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("https://idp.example/authorize?")
    assert "client_id=groupinsurance" in location and "scope=openid+profile+egovnrn" in location
    assert "code_challenge_method=S256" in location and "state=" in location and "nonce=" in location


@pytest.mark.parametrize("claims, expected", [
    ({"egovNRN": "85073003328"}, "85073003328"),
    ({"egovNRN": "85.07.30-033.28"}, "85073003328"),
    ({"egovNRN": "85073003329"}, None),
    ({"sub": "85073003328"}, None),
    ({"egovNRN": 85073003328}, None),
    (None, None),
])
def test_the_national_number_claim(claims, expected):
    assert national_number_from_claims(claims, "egovNRN") == expected


def test_an_iban_typed_in_the_chat_is_masked_and_travels_sealed(client, rasa):
    log_in(client)
    chat(client, "mijn rekeningnummer is BE21 0012 3456 7803")
    sent = rasa.requests[-1]
    assert "0012 3456" not in sent["message"] and "BE21 **** **** 7803" in sent["message"]
    number, private = identity_token.verify_with_private(sent["metadata"]["identity"], identity_token.derive_key(SECRET))
    assert number == JAN and private == {"ibans": ["BE21001234567803"]}


def test_without_login_an_iban_is_masked_and_dropped(client, rasa):
    chat(client, "BE21 0012 3456 7803")
    assert rasa.requests[-1]["message"] == "BE21 **** **** 7803" and "identity" not in rasa.requests[-1]["metadata"]
