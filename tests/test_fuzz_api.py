"""The widget API fuzzed from its own OpenAPI document, in-process against the WSGI app.

Two kinds of fuzzing, both driven by /api/openapi.json, both sending every request twice (from an
anonymous visitor and from a logged-in employee) against a fake Rasa and a database of the test's own:

- generated: schemathesis draws requests that follow the document and requests that break it (wrong
  types, missing fields, odd strings, wrong headers). Part of them are steered at data that exists (a
  draft claim, conversations in each state, a real PDF), so the paths that write are fuzzed too.
  Hypothesis is derandomized: every run sends the same requests.
- a dictionary: every parameter and body field the document names gets each of a list of known
  troublemakers (half an emoji, '²', numbers past 64 bits, NUL, deep nesting, ...) in an otherwise
  valid request, and the JSON bodies get broken JSON and other content types.

For every response: no 5xx; JSON, never an HTML page; no stack trace or exception name; every error in
the app's shape ({"error": {code, message, field?, retryable}}); status, content type and body as the
document describes them (for a request that still reaches the operation). After every request: nothing
half-written (tests/consistency.py); after a refused request and after any GET: nothing written at all.
"""
from __future__ import annotations

import builtins
import copy
import datetime
import io
import json
import re
import traceback
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings, strategies as st
from hypothesis.internal.conjecture import providers as hypothesis_providers
from schemathesis import DataGenerationMethod
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.negative import mutations as negative_mutations
from schemathesis.utils import NOT_SET
from sortedcontainers import SortedSet
from werkzeug.exceptions import HTTPException
from werkzeug.test import EnvironBuilder

from consistency import WriteWatch, inconsistencies, stored_files
from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from fake_rasa import FakeRasa
from groupinsurance import claims, demo_data
from groupinsurance.models import Conversation, ConversationMessage
from web import create_app

PIERRE = demo_data.PERSONS["pierre"].national_number
JAN = demo_data.PERSONS["jan"].national_number
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 32
UPLOAD_MAX_BYTES = 4096
# Generated requests per operation and kind of input, each sent by both clients: bounded for time.
EXAMPLES = 12
METHODS = (DataGenerationMethod.positive, DataGenerationMethod.negative)
OPERATIONS = {
    "POST /api/chat", "GET /api/chat/{conversation_id}/messages", "POST /api/chat/{conversation_id}/rating",
    "GET /api/claims/{reference}", "POST /api/claims/{reference}/documents", "GET /api/session",
    "GET /api/health", "GET /api/i18n/{lang}", "GET /api/knowledge/{kind}/{id}", "GET /api/openapi.json",
}
# Conversations that exist before the fuzzing starts: (id, state, owner).
CONVERSATIONS = [
    ("closedAnon0001", "closed", None),
    ("closedPierre01", "closed", PIERRE),
    ("waitingAnon001", "waiting", None),
    ("assignedJan001", "assigned", JAN),
    ("assistantAnon1", "assistant", None),
]
PICKS = 8  # how a generated request is steered (see steer)

# The dictionary: values that have broken web apps before, for any parameter or field.
TROUBLEMAKERS: List[Any] = [
    "", " ", "\x00", "\ud83d", "a\udfffb", "²", "١٢", "9" * 30, str(2 ** 63), "-1", "1e3", "null",
    "../../etc/passwd", "<script>alert(1)</script>", "' OR '1'='1", "\u202egnp.exe", "İ", "x" * 5000, "nl-BE",
    None, True, 2 ** 64, 1.5, ["nl", "fr"], {"$gt": ""},
]
# For the `file` field: what arrives instead of a PDF, JPEG or PNG.
TROUBLESOME_FILES = [
    b"", b"%PDF", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    b"<html><script>alert(1)</script></html>", b"GIF89a\x01\x00\x01\x00\x00\x00\x00", b"PK\x03\x04" + b"\x00" * 40,
    b"\x7fELF" + b"\x00" * 60, PDF + b"0" * UPLOAD_MAX_BYTES,
]
BROKEN_JSON = [b"", b"null", b"[]", b"{", b'{"a": ', b"[" * 5000, b'{"a":' * 3000, b"\xff\xfe\xfd", b"\xef\xbb\xbf{}",
               b"NaN", b"1e999999", b'"\\ud800"', b'{"score": 1e999, "message": 1e999}']
OTHER_CONTENT_TYPES = ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-16",
                       "application/merge-patch+json", "multipart/form-data; boundary=x"]

# What a body must never show: a stack trace, a framework's error page, an exception's name.
INTERNALS = ["Traceback", 'File "', "Internal Server Error", "sqlalchemy", "werkzeug", "jinja2", "<html", "<!doctype",
             "IntegrityError", "OperationalError", "StatementError", "HTTPException", "BadRequestKeyError"] + sorted(
    name for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException) and name.endswith(("Error", "Exception"))
    and name != "Exception"  # a French word: an article may well say 'Exception faite de ...'
)
ERROR_CODE = re.compile(r"[a-z][a-z_]*")
CONFORMANCE = (status_code_conformance, content_type_conformance, response_schema_conformance)


@pytest.fixture
def rasa():
    with FakeRasa() as fake:
        # A fixed answer with a source: the fuzzed message is never echoed back, so a body can show
        # an exception's name only if the app put it there.
        fake.reply = lambda payload: [{"text": "Dat staat in de FAQ."}, {"custom": {"source": {"kind": "faq", "id": "7"}}}]
        yield fake


@pytest.fixture
def world(rasa, database_url, engine, session_factory, tmp_path):
    """The app, a draft claim of Pierre's, the conversations above and the two clients."""
    demo_data.load_if_empty(session_factory)
    upload_dir = tmp_path / "uploads"
    app = create_app({
        "TESTING": True, "RASA_URL": rasa.url, "RASA_TIMEOUT": 5.0, "DATABASE_URL": database_url,
        "IDENTITY_TOKEN_SECRET": "the fuzz tests' identity secret, long enough",
        "TRANSLATIONS_BUILD_DIR": str(tmp_path / "translations"), "UPLOAD_DIR": str(upload_dir),
        "UPLOAD_MAX_BYTES": UPLOAD_MAX_BYTES,
        # The fuzzer sends more than a person would; the limit itself is tested in test_security.py.
        "CHAT_RATE_LIMIT": "100000/minute",
    })
    now = datetime.datetime.now(datetime.timezone.utc)
    with session_factory.begin() as s:
        claim, _ = claims.start_or_resume(s, PIERRE, "retirement", "closedPierre01")
        claims.set_contracts(s, claim, ["530/200103"], datetime.date.today())
        reference = claim.reference
        for conversation_id, state, owner in CONVERSATIONS:
            handed_off = state != "assistant"
            s.add(Conversation(id=conversation_id, state=state, person_number=owner,
                               role="employee" if owner else "anonymous", language="nl",
                               escalated_at=now if handed_off else None, closed_at=now if state == "closed" else None))
            s.add(ConversationMessage(conversation_id=conversation_id, author="person", text="hallo"))
            if handed_off:
                s.add(ConversationMessage(conversation_id=conversation_id, author="system", text="Een collega neemt over."))
    anonymous, logged_in = app.test_client(), app.test_client()
    response = logged_in.post("/auth/test-login", data={"national_number": PIERRE}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    watch = WriteWatch(engine, upload_dir)
    yield {"app": app, "reference": reference, "upload_dir": upload_dir, "session_factory": session_factory,
           "clients": {"anonymous": anonymous, "logged_in": logged_in}, "watch": watch}
    watch.close()


@pytest.fixture
def same_requests_every_run(monkeypatch):
    """derandomize alone does not give the same requests on every run, for two reasons in the pinned
    versions' internals (if these move, this fails loudly):
    - Hypothesis mixes in literals from whichever project modules are imported, which differ between
      running this file and the whole suite;
    - schemathesis draws the types a negative case may change to in the iteration order of a set of
      strings, which changes with every process (PYTHONHASHSEED): a SortedSet iterates in one order."""
    assert callable(hypothesis_providers._get_local_constants)
    monkeypatch.setattr(hypothesis_providers, "_get_local_constants", hypothesis_providers.Constants)
    type_candidates = negative_mutations._get_type_candidates
    monkeypatch.setattr(negative_mutations, "_get_type_candidates",
                        lambda context, schema: SortedSet(type_candidates(context, schema)))
    hypothesis_providers.CONSTANTS_CACHE.cache.clear()
    yield
    hypothesis_providers.CONSTANTS_CACHE.cache.clear()


def operations(world) -> List[Any]:
    """The operations of the served document. schemathesis checks the document against the OpenAPI 3.0
    meta-schema while loading it, and result.ok() fails on an operation it cannot use."""
    schema = schemathesis.from_wsgi("/api/openapi.json", world["app"], validate_schema=True,
                                    data_generation_methods=list(METHODS))
    return [result.ok() for result in schema.get_all_operations()]


# --- sending a case and checking the answer --------------------------------------------------------

# Names an uploaded file may come with: the name is only a label, whatever it says.
FILE_NAMES = ["scan.pdf", "../../etc/passwd", "", "identiteitskaart é ü.PNG", "a" * 300 + ".pdf", "x.pdf\x00.exe"]


def _form_value(value: Any, name_pick: int) -> Any:
    """schemathesis gives werkzeug bytes, which werkzeug sends as a text field: bytes go as a file here."""
    if isinstance(value, bytes):
        return io.BytesIO(value), FILE_NAMES[name_pick % len(FILE_NAMES)]
    if isinstance(value, list):
        return [_form_value(item, name_pick) for item in value]
    return value if isinstance(value, str) else json.dumps(value)


def _query_value(value: Any) -> Any:
    # Half an emoji cannot be a str in a URL: it goes as the bytes a careless client would send.
    if isinstance(value, list):
        return [_query_value(item) for item in value]
    return str(value).encode("utf-8", "surrogatepass")


def request_kwargs(case, pick: int = 0, raw: Optional[bytes] = None, content_type: Optional[str] = None) -> Dict[str, Any]:
    """werkzeug's arguments for a case; `raw` replaces the body as is."""
    if raw is None and case.media_type == "multipart/form-data" and not isinstance(case.body, dict):
        # A negative case's "form" may be a number or a list: it goes out as a broken multipart body.
        raw, content_type = json.dumps(case.body, default=repr).encode("utf-8"), "multipart/form-data; boundary=fuzz"
    bare = case
    if raw is not None:
        bare = copy.copy(case)
        bare.body = NOT_SET
    kwargs = bare.as_werkzeug_kwargs()
    kwargs["query_string"] = {name: _query_value(value) for name, value in (case.query or {}).items()}
    if "json" in kwargs:  # as ASCII, "\ud83d" escaped, as browsers send it (werkzeug would write UTF-8)
        kwargs["data"] = json.dumps(kwargs.pop("json")).encode("ascii")
    if raw is not None:
        kwargs["data"] = raw
        kwargs["headers"]["Content-Type"] = content_type or case.media_type
    elif case.media_type == "multipart/form-data":
        # werkzeug writes the Content-Type with its boundary itself
        kwargs["headers"] = {k: v for k, v in kwargs["headers"].items() if k.lower() != "content-type"}
        kwargs["data"] = {name: _form_value(value, pick) for name, value in case.body.items()}
        kwargs["content_type"] = "multipart/form-data"
    return kwargs


def reaches(app, kwargs: Dict[str, Any], operation) -> bool:
    """Whether the request still addresses the operation: a path parameter '../x' or '' leads elsewhere,
    where the operation's documented answers do not apply (the other checks still do)."""
    def endpoint(path: str) -> Optional[str]:
        environ = EnvironBuilder(path=path, method=operation.method.upper()).get_environ()
        try:
            return app.url_map.bind_to_environ(environ).match()[0]
        except HTTPException:
            return None

    placeholders = {parameter.name: "abcdefgh" for parameter in operation.path_parameters}
    return endpoint(kwargs["path"]) == endpoint(operation.path.format(**placeholders))


def check_response(case, response, before, after, conform: bool) -> None:
    text = response.get_data(as_text=True)
    assert response.status_code < 500, f"{response.status_code}: {text[:300]}"
    if conform:
        case.validate_response(response, checks=CONFORMANCE)  # status, content type and body as documented
    assert response.is_json, f"not JSON: {response.content_type} {text[:200]}"
    if case.path != "/api/openapi.json":  # the document itself names 'Error' and describes failures
        shown = [word for word in INTERNALS if word.lower() in text.lower()]
        assert shown == [], f"the body shows internals {shown}: {text[:300]}"
    body = response.get_json()
    if response.status_code >= 400:
        assert set(body) <= {"error", "login_url"}, body
        error = body["error"]
        assert set(error) <= {"code", "message", "field", "retryable"}, error
        assert ERROR_CODE.fullmatch(error["code"]), error
        assert isinstance(error["message"], str) and error["message"].strip(), error
        assert isinstance(error["retryable"], bool), error
        assert isinstance(error.get("field", ""), str), error
    if response.status_code >= 400 or case.method == "GET":
        assert after == before, f"{case.method} answered {response.status_code} and wrote to the database or the uploads"


def exchange(world, who: str, case, before, **kwargs):
    """Sends the case from one client, checks the answer and the data; returns the data's new state."""
    session_factory, upload_dir, app = world["session_factory"], world["upload_dir"], world["app"]
    arguments = request_kwargs(case, **kwargs)
    response = world["clients"][who].open(**arguments)
    response.get_data()  # buffered: schemathesis' checks copy the response, which must not use up its stream
    # schemathesis' failure report shows the request as a curl command: it needs a prepared request
    # (only the method and the path: the message below says what else was sent).
    response.request = requests.Request(case.method, "http://localhost" + quote(arguments["path"], safe="/%")).prepare()
    after = world["watch"].state()
    problems = []
    if after != before:  # data that did not change cannot have become inconsistent
        with session_factory() as s:
            problems = inconsistencies(s, upload_dir)
    try:
        check_response(case, response, before, after, conform=reaches(app, arguments, case.operation))
        assert problems == [], f"half-written: {problems}"
    except AssertionError as failure:
        raise AssertionError(f"{who}: {case.method} {arguments['path']} {kwargs or ''}\n{failure}") from None
    return after


def current(world):
    return world["watch"].state()


# --- generated requests --------------------------------------------------------------------------

def methods_for(operation) -> List[DataGenerationMethod]:
    """Both kinds of input, except for an operation that takes none (no parameter, no body): nothing in
    its request can break the document, so schemathesis has no negative case for it."""
    takes_input = any(len(group) for group in (operation.path_parameters, operation.query, operation.headers,
                                                operation.cookies, operation.body))
    return list(METHODS) if takes_input else [DataGenerationMethod.positive]


def steer(case, pick: int, world) -> None:
    """Aims part of the generated requests at data that exists; the rest stays as generated."""
    path = case.path_parameters if isinstance(case.path_parameters, dict) else None
    if path is not None and "conversation_id" in path and pick < len(CONVERSATIONS):
        path["conversation_id"] = CONVERSATIONS[pick][0]
    if path is not None and "reference" in path and pick % 4 != 3:
        # The stored form, and the loose forms a person may type (lower case, O for 0).
        reference = world["reference"]
        path["reference"] = [reference, reference.lower(), reference.replace("0", "O")][pick % 3]
    if isinstance(case.body, dict) and "file" in case.body:
        if pick in (0, 1):
            case.body["file"] = PDF if pick == 0 else PNG
        elif pick == 2:
            case.body["file"] = PDF + b"0" * UPLOAD_MAX_BYTES  # just over the limit


def fuzz(world, operation, method: DataGenerationMethod, counts: Dict[str, int]) -> None:
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=(Phase.explicit, Phase.generate, Phase.shrink), verbosity=Verbosity.quiet,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(data_generation_method=method), pick=st.integers(0, PICKS - 1))
    def run(case, pick):
        steer(case, pick, world)
        state = current(world)
        for who in world["clients"]:
            state = exchange(world, who, case, state, pick=pick)
            key = f"{operation.verbose_name} {method.name} {who}"
            counts[key] = counts.get(key, 0) + 1

    run()


def test_the_openapi_document_is_valid_and_describes_every_operation(world):
    assert {operation.verbose_name for operation in operations(world)} == OPERATIONS


# schemathesis' strategies embed the document: Hypothesis warns that their repr is long, and that is all.
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_generated_requests_from_the_openapi_document(world, same_requests_every_run):
    counts: Dict[str, int] = {}
    failures: List[str] = []
    expected = set()
    for operation in operations(world):
        for method in methods_for(operation):
            expected |= {f"{operation.verbose_name} {method.name} {who}" for who in world["clients"]}
            try:
                fuzz(world, operation, method, counts)
            except Exception:  # one report for every operation that fails, not only the first
                failures.append(f"{operation.verbose_name} ({method.name}):\n{traceback.format_exc(limit=0)}")
    assert failures == [], "\n\n".join(failures)
    # Every operation was really exercised, by both clients, with each kind of input it can get (an
    # operation without input has no more than PICKS different requests).
    assert set(counts) == expected and len(expected) == 2 * (len(OPERATIONS) + 7), sorted(expected)
    assert min(counts.values()) >= PICKS and sum(counts.values()) >= 2 * 13 * EXAMPLES, counts
    # The steered uploads got through: the paths that write were fuzzed, not only the refusals.
    assert stored_files(world["upload_dir"]), "no upload was accepted"


# --- the dictionary ------------------------------------------------------------------------------

def valid_request(world, operation, who: str) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """A request the operation accepts: (parameters by location and name, body). Each client chats
    in a conversation of its own (a logged-in person's conversation is theirs alone)."""
    values = {
        "path": {"conversation_id": "closedAnon0001" if "rating" in operation.path else "waitingAnon001",
                 "reference": world["reference"], "lang": "fr", "kind": "faq", "id": "7"},
        "query": {"lang": "nl", "after": "0"},
        "header": {"X-Requested-With": "GroupInsuranceChat"},
    }
    parameters = {location: {p.name: values[location][p.name] for p in operation.iter_parameters()
                             if p.location == location} for location in values}
    body = {
        "POST /api/chat": {"conversation_id": f"dictionary-{who}", "message": "hallo", "lang": "nl"},
        "POST /api/chat/{conversation_id}/rating": {"score": 4, "lang": "fr"},
        "POST /api/claims/{reference}/documents": {"kind": "identity_card", "file": PDF, "lang": "nl"},
    }.get(operation.verbose_name, NOT_SET)
    return parameters, body


def make_case(operation, parameters, body):
    path = {name: quote(str(value).encode("utf-8", "surrogatepass"), safe="")
            for name, value in parameters["path"].items()}
    if body is NOT_SET:
        return operation.make_case(path_parameters=path, query=dict(parameters["query"]), headers=dict(parameters["header"]))
    return operation.make_case(path_parameters=path, query=dict(parameters["query"]), headers=dict(parameters["header"]),
                               body=copy.deepcopy(body), media_type=operation.body[0].media_type)


def sendable_header(value: Any) -> bool:
    # HTTP cannot carry these in a header at all; no client could send them.
    return isinstance(value, str) and value.isprintable() and value == value.strip() and value.isascii()


def variants(operation, parameters, body):
    """(slot, what was sent there, parameters, body, extra request arguments) for every troublemaker in every slot."""
    for location, names in parameters.items():
        for name in names:
            for value in TROUBLEMAKERS:
                if location == "header" and value is not None and not sendable_header(value):
                    continue
                if location == "path" and value is None:
                    continue  # a path cannot leave out its parameter; '' stands for that
                changed = copy.deepcopy(parameters)
                if value is None:
                    del changed[location][name]  # absent rather than null
                else:
                    changed[location][name] = value
                yield f"{location} {name}", f"{location} {name}={value!r:.40}", changed, body, {}
    if isinstance(body, dict):
        multipart = operation.body[0].media_type == "multipart/form-data"
        for name in body:
            values = TROUBLESOME_FILES if name == "file" else TROUBLEMAKERS
            for value in values:
                if multipart and isinstance(value, str) and not value.isprintable():
                    continue  # a form field is UTF-8 text: these are sent in the JSON bodies
                changed = dict(body, **{name: value})
                yield f"body {name}", f"body {name}={value!r:.40}", parameters, changed, {}
        if not multipart:
            for raw in BROKEN_JSON:
                yield "raw body", f"raw body {raw[:20]!r}", parameters, body, {"raw": raw}
            for content_type in OTHER_CONTENT_TYPES:
                raw = json.dumps(body).encode("utf-8")
                yield "content type", f"Content-Type {content_type}", parameters, body, {"raw": raw, "content_type": content_type}


def documented_slots(document) -> set:
    """Every parameter and request body field the document names, as 'METHOD /path location name'."""
    def resolved(node):
        while isinstance(node, dict) and "$ref" in node:
            node = document["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        return node

    slots = set()
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            for parameter in spec.get("parameters", []):
                slots.add(f"{method.upper()} {path} {parameter['in']} {parameter['name']}")
            for content in spec.get("requestBody", {}).get("content", {}).values():
                for name in resolved(content["schema"]).get("properties", {}):
                    slots.add(f"{method.upper()} {path} body {name}")
    return slots


def test_every_parameter_and_field_survives_the_dictionary(world):
    failures: List[str] = []
    covered = set()
    sent = 0
    for operation in operations(world):
        for who in world["clients"]:
            parameters, body = valid_request(world, operation, who)
            state = current(world)
            for slot, label, changed, changed_body, extra in variants(operation, parameters, body):
                covered.add(f"{operation.verbose_name} {slot}")
                case = make_case(operation, changed, changed_body)
                try:
                    state = exchange(world, who, case, state, **extra)
                except AssertionError as failure:
                    failures.append(f"{operation.verbose_name}, {label}:\n{failure}")
                    state = current(world)
                sent += 1
    assert failures == [], f"{len(failures)} of {sent} requests:\n\n" + "\n\n".join(failures[:20])
    document = world["clients"]["anonymous"].get("/api/openapi.json").get_json()
    assert documented_slots(document) <= covered, documented_slots(document) - covered


# --- the check itself ------------------------------------------------------------------------------

def test_the_consistency_check_sees_each_kind_of_half_write(world):
    """The checks above must be able to fail: each kind of damage is reported."""
    session_factory, upload_dir = world["session_factory"], world["upload_dir"]
    response = world["clients"]["logged_in"].post(
        f"/api/claims/{world['reference']}/documents", content_type="multipart/form-data",
        data={"kind": "identity_card", "file": (io.BytesIO(PDF), "id.pdf")}, headers={"X-Requested-With": "GroupInsuranceChat"})
    assert response.status_code == 201
    with session_factory() as s:
        assert inconsistencies(s, upload_dir) == []
    watched = world["watch"].state()
    assert world["clients"]["logged_in"].get(f"/api/claims/{world['reference']}").status_code == 200
    assert world["watch"].state() == watched  # a read is no write
    assert world["clients"]["anonymous"].post(
        "/api/chat", json={"conversation_id": "watchedChat01", "message": "hallo", "lang": "nl"}).status_code == 200
    assert world["watch"].state() != watched  # the transcript is
    [stored] = stored_files(upload_dir)
    stray = upload_dir / "0123456789abcdef.pdf"
    stray.write_bytes(PDF)
    stored.write_bytes(PDF + b"changed")
    with session_factory.begin() as s:
        s.add(Conversation(id="emptyConversation", state="waiting", role="anonymous", language="nl"))
    with session_factory() as s:
        problems = inconsistencies(s, upload_dir)
    assert any("emptyConversation" in p and "no message" in p for p in problems), problems
    assert any("emptyConversation" in p and "never escalated" in p for p in problems), problems
    assert any("not what the row says" in p for p in problems), problems
    assert any(stray.name in p and "no row" in p for p in problems), problems
    stored.unlink()
    with session_factory() as s:
        assert any("has no file" in p for p in inconsistencies(s, upload_dir))
