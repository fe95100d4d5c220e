"""The authorization matrix (issue 7): for every principal and every web route or custom action that
touches personal data, what that principal gets. Each cell is a test of its own.

Principals: anonymous, the eight demo employees (logged in through the test identity provider), a
staff user (console login) and a staff user whose account was deactivated after they logged in.

Web resources: every route in the app's url_map. Each is classified below as an employee's personal
data, the staff console, public, or part of a login; test_every_route_is_classified fails on a route
the tables do not know, so no route can be added without deciding who may use it.

Actions: every action the action server registers from actions/, classified the same way
(test_every_registered_action_is_classified). The personal ones run through rasa-sdk's executor, as
the action server runs them, with the identity token missing, forged, expired, meant for the web
session, valid for person A in B's conversation, valid for A with B's claim or contract in the message,
and valid for A's own.

A refusal counts only if nothing leaks: every response body and every dispatched message is searched
for the other persons' data: name, national number (any format, masked too), e-mail addresses, IBAN
(masked too), amounts, contract numbers, claim and exit-choice references, and their transcript.
"""
import asyncio
import datetime
import io
import json
import re
import shutil
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
import yaml
from rasa_sdk.executor import ActionExecutor
from sqlalchemy import select, update
from stdnum import iban as iban_format

from db_support import migrated_template  # noqa: F401
from fake_rasa import FakeRasa
from test_claims_api import HEADERS as UPLOAD_HEADERS, PDF
from test_console import staff_login, token_from
from actions import common
from groupinsurance import claim_text, claims, db, demo_data, exit_options, exit_text, handoff, identifiers, \
    identity_token, status
from groupinsurance.claims import ClaimRefused
from groupinsurance.models import Claim, ClaimDocument, Contract, Conversation, ExitChoice, OutboxMessage, Person, \
    StaffUser
from web import create_app
from web.auth import WEB_SESSION
from web.staff import create as create_staff

ROOT = Path(__file__).resolve().parent.parent
SECRET = "the authorization matrix's identity secret, long enough"
PASSWORD = "the matrix staff password"
STAFF_EMAIL = "matrix.staff@insurer.example"
FORMER_EMAIL = "matrix.former@insurer.example"

EMPLOYEES = list(demo_data.PERSONS)
PRINCIPALS = ["anonymous", *EMPLOYEES, "staff", "deactivated_staff"]
# Whose data each principal tries to reach: the next employee in the list, so that every employee is
# both an intruder and a victim once.
VICTIM = {key: EMPLOYEES[(i + 1) % len(EMPLOYEES)] for i, key in enumerate(EMPLOYEES)}
VICTIM.update(anonymous="jan", staff="jan", deactivated_staff="jan")
ANONYMOUS_CONVERSATION = "conversation-anonymous"


# --- the world: the demo data, and for every employee a conversation, claims and an exit choice ---------

@dataclass
class Dossier:
    key: str
    number: str
    language: str
    conversation: str
    draft: str  # a retirement claim, still a draft
    submitted: str  # a death claim (they reported one), submitted
    iban: str
    contracts: List[str]  # every contract of theirs, hidden ones too
    visible: List[str]  # what the portal shows them
    claimable: List[str]
    exit_contract: str  # the contract to choose an exit option for: one with options when they have one
    exit_option: str
    has_exit_options: bool
    exit_choice: Optional[str]
    # (what, pattern) for everything that is this person's: see personal_patterns.
    patterns: List[Tuple[str, "re.Pattern"]] = field(default_factory=list)


@dataclass
class World:
    template: Path
    dossiers: Dict[str, Dossier]


def belgian_iban(serial: int) -> str:
    """A valid Belgian IBAN at bank 001, different for each serial."""
    account = f"001{serial:07d}"
    bban = account + f"{int(account) % 97 or 97:02d}"
    return "BE" + iban_format.calc_check_digits("BE00" + bban) + bban


def transcript_marker(key: str) -> str:
    return f"transcript-of-{key}-x7"


def note_marker(key: str) -> str:
    return f"staff-note-on-{key}-x7"


def amount_pattern(value: Decimal) -> "re.Pattern":
    """18542.37 as written anywhere: '18542.37', '18.542,37', '18 542,37', '18,542.37'; never as part of a
    larger number ('1.200,00' is not in '11.200,00')."""
    units, cents = f"{value:.2f}".split(".")
    digits = [units[max(0, i - 3):i] for i in range(len(units), 0, -3)][::-1]
    body = r"[.,\s\u202f\xa0]?".join(digits) + r"[.,]" + cents
    return re.compile(r"(?<![\d.,\u202f])" + body + r"(?!\d)")


def personal_patterns(person: Person, dossier: Dossier, contracts: List[Contract]) -> List[Tuple[str, "re.Pattern"]]:
    number = person.national_number
    patterns = [
        ("name", re.compile(re.escape(f"{person.first_name} {person.last_name}"))),
        ("last name", re.compile(rf"\b{re.escape(person.last_name)}\b")),
        # with or without separators, grouped any way: 84051211761, 84.05.12-117.61, 840 512 117 61
        ("national number", re.compile(r"[\s./-]?".join(number))),
        ("masked national number", re.compile(re.escape(identifiers.mask(number)))),
        ("iban", re.compile(r"\s?".join(dossier.iban))),
        ("masked iban", re.compile(re.escape(claims.mask_iban(dossier.iban)))),
        ("draft claim", re.compile(re.escape(dossier.draft))),
        ("submitted claim", re.compile(re.escape(dossier.submitted))),
        ("transcript", re.compile(re.escape(transcript_marker(dossier.key)))),
        ("staff note", re.compile(re.escape(note_marker(dossier.key)))),
    ]
    for email in filter(None, (person.private_email, person.business_email)):
        patterns.append(("e-mail address", re.compile(re.escape(email.split("@")[0] + "@"))))
    if dossier.exit_choice:
        patterns.append(("exit choice", re.compile(re.escape(dossier.exit_choice))))
    for contract in contracts:
        patterns.append((f"contract {contract.contract_number}",
                         re.compile(re.escape(contract.contract_number) + r"(?!\d)")))
        for value in (contract.annual_premium, contract.reserves):
            if value:
                patterns.append((f"amount {value}", amount_pattern(Decimal(value))))
    return patterns


def build_world(path: Path) -> World:
    url = f"sqlite:///{path}"
    engine = db.make_engine(url)
    sessions = db.make_session_factory(engine)
    today = datetime.date.today()
    demo_data.load_if_empty(sessions, today)
    dossiers = {}
    with sessions.begin() as s:
        staff = create_staff(s, STAFF_EMAIL, "Matrix Staff", PASSWORD)
        create_staff(s, FORMER_EMAIL, "Matrix Former", PASSWORD)
        for serial, key in enumerate(EMPLOYEES, start=1):
            number = demo_data.PERSONS[key].national_number
            person = s.execute(select(Person).where(Person.national_number == number)).scalar_one()
            iban = belgian_iban(serial)
            reported, _ = claims.start_or_resume(s, number, "death", f"conversation-{key}")
            claims.set_death(reported, datetime.date(2025, 1, 10), today)
            claims.set_iban(reported, iban)
            claims.submit(s, number, reported.reference)
            draft, _ = claims.start_or_resume(s, number, "retirement", f"conversation-{key}")
            claims.set_iban(draft, iban)
            contracts = s.execute(select(Contract).where(Contract.person_id == person.id)
                                  .order_by(Contract.contract_number)).scalars().all()
            with_options = [c for g in exit_options.person_exits(s, number, today) for c in g.contracts if c.options]
            choice = None
            if with_options:
                # Someone who left already registered a choice: its reference is theirs too.
                choice = exit_options.register_choice(s, number, with_options[0].contract_number,
                                                      with_options[0].options[-1].value, today, f"conversation-{key}")
            visible = [c.contract_number for g in status.visible_contracts(number, today, session=s)
                       for c in g.contracts]
            dossier = Dossier(
                key=key, number=number, language=person.language, conversation=f"conversation-{key}",
                draft=draft.reference, submitted=reported.reference, iban=iban,
                contracts=[c.contract_number for c in contracts], visible=visible,
                claimable=[c.contract_number for c in claims.claimable_contracts(s, number, today)
                           if c.open_claim is None],
                exit_contract=with_options[0].contract_number if with_options else contracts[0].contract_number,
                exit_option=with_options[0].options[0].value if with_options else "keep_unchanged",
                has_exit_options=bool(with_options), exit_choice=choice.reference if choice else None,
            )
            dossier.patterns = personal_patterns(person, dossier, contracts)
            dossiers[key] = dossier
            # Their conversation: escalated, answered by a colleague with their own details, and closed.
            record = handoff.conversation(s, dossier.conversation, person_number=number, language=person.language)
            handoff.add_message(s, record, "person", f"Een vraag over {dossier.contracts[0]}")
            handoff.escalate(s, record, "request_human")
            record.state, record.assigned_to = "assigned", staff.id
            reserves = next((c.reserves for c in contracts if c.reserves), None)
            handoff.staff_reply(s, record.id, staff.id, f"{transcript_marker(key)}: {dossier.contracts[0]}"
                                f"{f', reserves {reserves}' if reserves else ''}, aanvraag {dossier.submitted}, "
                                f"rekening {iban}.")
            handoff.staff_reply(s, record.id, staff.id, note_marker(key), internal=True)
            handoff.close(s, record.id, staff.id)
        anonymous = handoff.conversation(s, ANONYMOUS_CONVERSATION)
        handoff.add_message(s, anonymous, "person", "hallo")
        handoff.escalate(s, anonymous, "request_human")
        anonymous.state, anonymous.assigned_to = "assigned", staff.id
        handoff.staff_reply(s, anonymous.id, staff.id, "Goeiedag, anonymous-reply-x7")
        handoff.close(s, anonymous.id, staff.id)
    engine.dispose()
    return World(path, dossiers)


@pytest.fixture(scope="module")
def world(migrated_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("matrix") / "world.db"
    shutil.copyfile(migrated_template, path)
    return build_world(path)


def leaks(text: str, world: World, keys) -> List[str]:
    """What of the persons `keys` appears in `text`, as 'key: what' lines."""
    return [f"{key}: {what}" for key in keys for what, pattern in world.dossiers[key].patterns if pattern.search(text)]


def others(key: str) -> List[str]:
    return [k for k in EMPLOYEES if k != key]


def test_the_leak_detector_finds_each_kind_of_personal_data(world):
    # Without this, a detector that finds nothing would let every refusal pass.
    jan = world.dossiers["jan"]
    for text, what in [
        ("Jan Peeters", "name"), ("mevrouw Peeters", "last name"), (jan.number, "national number"),
        (identifiers.format(jan.number), "national number"), (identifiers.mask(jan.number), "masked national number"),
        (" ".join(jan.number[i:i + 3] for i in range(0, 11, 3)), "national number"),
        (iban_format.format(jan.iban), "iban"), (claims.mask_iban(jan.iban), "masked iban"),
        ("€\xa018.542,37", "amount 18542.37"), ("18\u202f542,37\xa0€", "amount 18542.37"),
        (f"({jan.submitted})", "submitted claim"), ("530/100001", "contract 530/100001"),
        ("jan.peeters@home.example", "e-mail address"), (jan.exit_choice, "exit choice"),
    ]:
        assert f"jan: {what}" in leaks(text, world, ["jan"]), text
    # ... and no false alarm on a larger amount that contains a smaller one (Luc's 11.200,00, Jan's 1.200,00).
    assert leaks("€\xa011.200,00 11200.00 11\u202f200,00", world, ["jan"]) == []


# --- the web app -------------------------------------------------------------------------------------

@dataclass
class WebApp:
    app: object
    rasa: FakeRasa
    sessions: object
    cookies: Dict[str, str]


@pytest.fixture(scope="module")
def web(world, tmp_path_factory):
    folder = tmp_path_factory.mktemp("matrix-web")
    path = folder / "app.db"
    shutil.copyfile(world.template, path)
    engine = db.make_engine(f"sqlite:///{path}")
    with FakeRasa() as rasa:
        app = create_app({
            "TESTING": True, "RASA_URL": rasa.url, "RASA_TIMEOUT": 2.0, "DATABASE_URL": f"sqlite:///{path}",
            "IDENTITY_TOKEN_SECRET": SECRET, "RASA_TOKEN": "t" * 40, "TRANSLATIONS_BUILD_DIR": str(folder / "t"),
            "UPLOAD_DIR": str(folder / "uploads"),
            "LOGIN_RATE_LIMIT": "10000/minute", "CHAT_RATE_LIMIT": "10000/minute",
        })
        cookies = {}
        # Every principal logs in once, the way they do for real; each cell starts a browser with that cookie.
        for key in EMPLOYEES:
            client = app.test_client()
            response = client.post("/auth/test-login", data={"national_number": demo_data.PERSONS[key].national_number},
                                    headers={"Accept": "application/json"})
            assert response.status_code == 200
            cookies[key] = client.get_cookie("session").value
        for principal, email in (("staff", STAFF_EMAIL), ("deactivated_staff", FORMER_EMAIL)):
            client = app.test_client()
            assert staff_login(client, email, PASSWORD).status_code == 302
            cookies[principal] = client.get_cookie("session").value
        sessions = db.make_session_factory(engine)
        # The former colleague's account is switched off after they logged in (python -m web.staff deactivate).
        with sessions.begin() as s:
            s.execute(update(StaffUser).where(StaffUser.email == FORMER_EMAIL).values(active=False))
        yield WebApp(app, rasa, sessions, cookies)
    engine.dispose()


def browser(web: WebApp, who: str):
    client = web.app.test_client()
    if who in web.cookies:
        client.set_cookie("session", web.cookies[who])
    return client


# Every route of the app, by what it gives access to. A new route must be added here (and, if it touches
# personal data, to the matrix) before test_every_route_is_classified passes.
EMPLOYEE_ROUTES = [  # one employee's personal data: their own only
    ("GET", "/", (None,)),
    ("GET", "/profile", (None,)),
    ("GET", "/api/session", (None,)),
    ("POST", "/api/chat", ("own", "other")),
    ("GET", "/api/chat/<conversation_id>/messages", ("own", "other")),
    ("POST", "/api/chat/<conversation_id>/rating", ("own", "other")),
    ("GET", "/api/claims/<reference>", ("own", "other")),
    ("POST", "/api/claims/<reference>/documents", ("own", "other")),
]
CONVERSATION_TARGETS = ("own", "other")  # an employee's own conversation, and somebody else's
CONSOLE_ROUTES = [  # everybody's data, masked: active staff only
    ("GET", "/console/", (None,)),
    ("GET", "/console/api/queue", (None,)),
    ("GET", "/console/claims", (None,)),
    ("GET", "/console/dashboard", (None,)),
    ("GET", "/console/conversations/<conversation_id>", CONVERSATION_TARGETS),
    ("GET", "/console/api/conversations/<conversation_id>/messages", CONVERSATION_TARGETS),
    ("POST", "/console/conversations/<conversation_id>/claim", CONVERSATION_TARGETS),
    ("POST", "/console/conversations/<conversation_id>/release", CONVERSATION_TARGETS),
    ("POST", "/console/conversations/<conversation_id>/close", CONVERSATION_TARGETS),
    ("POST", "/console/conversations/<conversation_id>/return", CONVERSATION_TARGETS),
    ("POST", "/console/conversations/<conversation_id>/reply", CONVERSATION_TARGETS),
    ("POST", "/console/conversations/<conversation_id>/note", CONVERSATION_TARGETS),
    ("POST", "/console/logout", (None,)),
]
PUBLIC_ROUTES = {  # the same for everybody, nothing personal (test_public_routes_show_nothing_personal)
    ("GET", "/api/health"): "/api/health",
    ("GET", "/api/i18n/<lang>"): "/api/i18n/fr",
    ("GET", "/api/knowledge/<kind>/<path:entry_id>"): "/api/knowledge/faq/9",
    ("GET", "/api/openapi.json"): "/api/openapi.json",
    ("GET", "/favicon.ico"): "/favicon.ico",
    ("GET", "/static/<path:filename>"): "/static/widget.js",
    ("GET", "/knowledge/"): "/knowledge/",
    ("GET", "/knowledge/article/"): "/knowledge/article/",
    ("GET", "/knowledge/article/<entry_id>"): "/knowledge/article/15",
    ("GET", "/knowledge/definition/"): "/knowledge/definition/",
    ("GET", "/knowledge/definition/<entry_id>"): "/knowledge/definition/group-insurance",
    ("GET", "/knowledge/faq/"): "/knowledge/faq/",
    ("GET", "/knowledge/faq/<entry_id>"): "/knowledge/faq/9",
}
LOGIN_ROUTES = {  # logging in and out (the test identity provider answers 404 in production: test_auth.py)
    ("GET", "/auth/login"), ("GET", "/auth/callback"), ("POST", "/auth/logout"), ("GET", "/auth/test-login"),
    ("POST", "/auth/test-login"), ("GET", "/console/login"), ("POST", "/console/login"),
}


def test_every_route_is_classified(web):
    found = {(method, rule.rule) for rule in web.app.url_map.iter_rules()
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    classified = {(m, r) for m, r, _ in EMPLOYEE_ROUTES + CONSOLE_ROUTES} | set(PUBLIC_ROUTES) | LOGIN_ROUTES
    assert sorted(found - classified) == [], "routes nobody decided about: add them to the matrix"
    assert sorted(classified - found) == [], "the matrix names routes that no longer exist"


@pytest.mark.parametrize("route", sorted(PUBLIC_ROUTES), ids=" ".join)
@pytest.mark.parametrize("who", ["anonymous", "sofie", "staff"])
def test_public_routes_show_nothing_personal(web, world, who, route):
    # Public means public: the page is there for everybody and holds nobody else's data.
    response = browser(web, who).get(PUBLIC_ROUTES[route])
    assert response.status_code == 200
    assert_no_leak(body_of(response), world, others(who), f"{who}-{' '.join(route)}")


def label(method: str, rule: str, target: Optional[str]) -> str:
    if target is None:
        return f"{method} {rule}"
    if "<" not in rule:
        return f"{method} {rule} <{target}>"
    return f"{method} {re.sub(r'<[^>]+>', f'<{target}>', rule)}"


def web_cells():
    for who in PRINCIPALS:
        for method, rule, targets in EMPLOYEE_ROUTES + CONSOLE_ROUTES:
            for target in targets:
                # Only employees have claims, or conversations of their own in the console's eyes.
                if target == "own" and who not in EMPLOYEES and rule.startswith(("/api/claims", "/console")):
                    continue
                yield pytest.param(who, method, rule, target, id=f"{who}-{label(method, rule, target)}")


def conversation_for(world: World, who: str, target: str) -> str:
    if target == "other":
        return world.dossiers[VICTIM[who]].conversation
    # An anonymous visitor's own conversation is an anonymous one; staff in the widget are visitors too.
    return world.dossiers[who].conversation if who in EMPLOYEES else ANONYMOUS_CONVERSATION


def transcript(web: WebApp, conversation_id: str):
    with web.sessions() as s:
        record = s.get(Conversation, conversation_id)
        return (record.state, record.rating, record.assigned_to, len(record.messages))


def documents_of(web: WebApp, reference: str) -> int:
    with web.sessions() as s:
        return len(s.execute(select(ClaimDocument).join(Claim).where(Claim.reference == reference)).scalars().all())


def body_of(response) -> str:
    # The redirect target counts too: nothing personal may travel in a Location header either.
    return response.get_data(as_text=True) + "\n" + response.headers.get("Location", "")


def assert_no_leak(text: str, world: World, keys, cell: str):
    found = leaks(text, world, keys)
    assert not found, f"{cell} shows other people's data: {found}"


@pytest.mark.parametrize("who, method, rule, target", web_cells())
def test_web(web, world, who, method, rule, target):
    cell = f"{who}-{label(method, rule, target)}"
    employee = who in EMPLOYEES
    if rule.startswith("/console"):
        console_cell(web, world, who, method, rule, target, cell)
        return
    client = browser(web, who)
    me = world.dossiers.get(who)
    victim = world.dossiers[VICTIM[who]]
    refused_keys = EMPLOYEES  # a refusal shows nothing of anybody
    allowed_keys = others(who) if employee else EMPLOYEES

    if rule in ("/", "/profile"):
        response = client.get(f"{rule}?lang=nl")
        page = body_of(response)
        assert response.status_code == 200
        if employee:
            assert 'id="login-title"' not in page
            if rule == "/":
                # Their own contracts, every one the portal should show, or why there are none.
                assert all(f'data-contract="{n}"' in page for n in me.visible)
                assert me.visible or 'id="none-title"' in page
            else:
                person = demo_data.PERSONS[who]
                assert f"{person.first_name} {person.last_name}" in page and identifiers.mask(me.number) in page
            assert_no_leak(page, world, allowed_keys, cell)
        else:
            # A login prompt, and nothing from the portal's personal part.
            assert 'id="login-title"' in page and "data-contract=" not in page
            assert_no_leak(page, world, refused_keys, cell)
        return

    if rule == "/api/session":
        response = client.get(rule)
        state = response.get_json()
        if employee:
            assert state["logged_in"] is True and state["first_name"] == demo_data.PERSONS[who].first_name
        else:
            assert state["logged_in"] is False and state["login_url"].startswith("/auth/login")
        assert me is None or me.number not in body_of(response)  # never the number, not even one's own
        assert_no_leak(body_of(response), world, allowed_keys, cell)
        return

    if rule == "/api/chat":
        conversation = conversation_for(world, who, target)
        before, forwarded = transcript(web, conversation), len(web.rasa.requests)
        response = client.post(rule, json={"conversation_id": conversation, "message": "mijn contracten", "lang": "nl"})
        if target == "own":
            assert response.status_code == 200
            identity = web.rasa.requests[-1]["metadata"].get("identity")
            if employee:
                # The action server is told who this is: them, and only them.
                assert identity_token.verify(identity, identity_token.derive_key(SECRET)) == me.number
            else:
                assert identity is None  # staff and visitors chat anonymously, never as an employee
            assert_no_leak(body_of(response), world, allowed_keys, cell)
        else:
            assert response.status_code == 403 and response.get_json()["error"]["code"] == "not_your_conversation"
            assert len(web.rasa.requests) == forwarded and transcript(web, conversation) == before
            assert_no_leak(body_of(response), world, refused_keys, cell)
        return

    if rule == "/api/chat/<conversation_id>/messages":
        conversation = conversation_for(world, who, target)
        response = client.get(f"/api/chat/{conversation}/messages?after=0")
        if target == "own":
            assert response.status_code == 200
            shown = " ".join(m["text"] for m in response.get_json()["messages"])
            assert (transcript_marker(who) if employee else "anonymous-reply-x7") in shown
            assert "staff-note-on-" not in shown  # colleagues' internal notes never reach the person
            assert_no_leak(body_of(response), world, allowed_keys, cell)
        else:
            assert response.status_code == 403 and response.get_json()["error"]["code"] == "not_your_conversation"
            assert_no_leak(body_of(response), world, refused_keys, cell)
        return

    if rule == "/api/chat/<conversation_id>/rating":
        conversation = conversation_for(world, who, target)
        before = transcript(web, conversation)
        response = client.post(f"/api/chat/{conversation}/rating", json={"score": 4, "lang": "nl"})
        if target == "own":
            assert response.status_code == 200 and response.get_json() == {"rating": 4}
        else:
            assert response.status_code == 403 and response.get_json()["error"]["code"] == "not_your_conversation"
            assert transcript(web, conversation) == before
            assert_no_leak(body_of(response), world, refused_keys, cell)
        return

    if rule == "/api/claims/<reference>":
        reference = (me if target == "own" else victim).submitted
        response = client.get(f"/api/claims/{reference}?lang=nl")
        if target == "own":
            assert response.status_code == 200 and response.get_json()["reference"] == reference
            assert_no_leak(body_of(response), world, allowed_keys, cell)
        else:
            # Someone else's claim looks exactly like an unknown one; without a login, a login prompt.
            expected = (404, "unknown_claim") if employee else (401, "login_required")
            assert (response.status_code, response.get_json()["error"]["code"]) == expected
            assert_no_leak(body_of(response), world, refused_keys, cell)
        return

    if rule == "/api/claims/<reference>/documents":
        reference = (me if target == "own" else victim).draft
        before = documents_of(web, reference)
        response = client.post(f"/api/claims/{reference}/documents?lang=nl", headers=UPLOAD_HEADERS,
                               content_type="multipart/form-data",
                               data={"kind": "identity_card", "file": (io.BytesIO(PDF), "id.pdf")})
        if target == "own":
            assert response.status_code == 201 and documents_of(web, reference) == before + 1
            assert_no_leak(body_of(response), world, allowed_keys, cell)
        else:
            expected = (404, "unknown_claim") if employee else (401, "login_required")
            assert (response.status_code, response.get_json()["error"]["code"]) == expected
            assert documents_of(web, reference) == before
            assert_no_leak(body_of(response), world, refused_keys, cell)
        return

    raise AssertionError(f"no expectation for {cell}")  # pragma: no cover


def console_cell(web, world, who, method, rule, target, cell):
    client = browser(web, who)
    conversation = conversation_for(world, who, target) if target else None
    url = rule.replace("<conversation_id>", conversation or "")
    before = transcript(web, conversation) if conversation else None
    if method == "POST":
        # With a valid CSRF token (anyone can get one from the login page), so that only the staff login decides.
        token = token_from(client.get("/console/login").get_data(as_text=True))
        response = client.post(url, data={"csrf_token": token, "reply-csrf_token": token, "note-csrf_token": token,
                                          "reply-text": "matrix reply", "note-text": "matrix note"})
    else:
        response = client.get(url)
    text = body_of(response)
    if who == "staff":
        if method == "GET":
            assert response.status_code == 200, cell
            if rule == "/console/claims":
                assert all(world.dossiers[k].submitted in text for k in EMPLOYEES)
            if "<conversation_id>" in rule:
                assert transcript_marker(VICTIM[who]) in text and note_marker(VICTIM[who]) in text
        elif rule == "/console/logout":
            assert response.status_code == 302 and response.headers["Location"] == "/console/login"
        else:
            # The action ran for the colleague (refused or not by the queue's rules), not a login prompt.
            assert response.status_code == 302
            assert response.headers["Location"] == f"/console/conversations/{conversation}"
        # Staff see people's data, but national numbers and IBANs only masked.
        unmasked = [line for line in leaks(text, world, EMPLOYEES) if line.endswith((": national number", ": iban"))]
        assert not unmasked, f"{cell} shows unmasked data: {unmasked}"
        return
    # Everybody else: a login prompt (HTML) or a 401 (the JSON API), nothing of anybody, nothing changed.
    if rule.startswith("/console/api/"):
        assert response.status_code == 401 and response.get_json()["error"]["code"] == "staff_login_required"
    else:
        # The console's login, to come back here afterwards (a logout that worked has no `next`).
        assert response.status_code == 302 and response.headers["Location"] == f"/console/login?next={url}"
    assert_no_leak(text, world, EMPLOYEES, cell)
    if conversation:
        assert transcript(web, conversation) == before


def test_a_deactivated_account_cannot_log_in_again(web):
    response = staff_login(web.app.test_client(), FORMER_EMAIL, PASSWORD)
    assert response.status_code == 401


def test_one_browser_is_never_staff_and_employee_at_once(web, world):
    # A console login ends the employee's login in that browser, and an employee login ends the console's.
    client = web.app.test_client()
    client.post("/auth/test-login", data={"national_number": world.dossiers["jan"].number})
    assert staff_login(client, STAFF_EMAIL, PASSWORD).status_code == 302
    assert client.get("/api/session").get_json()["logged_in"] is False
    assert client.get(f"/api/claims/{world.dossiers['jan'].submitted}").status_code == 401
    client.post("/auth/test-login", data={"national_number": world.dossiers["jan"].number})
    assert client.get("/console/api/queue").status_code == 401


# --- the actions -------------------------------------------------------------------------------------

# Every action registered from actions/. The personal ones are in the matrix; the others must show
# nothing personal even with a valid token (test_actions_without_personal_data).
PERSONAL_ACTIONS = [
    "action_show_contracts", "action_check_identity", "action_save_private_email", "action_save_document_language",
    "action_choose_exit_option", "action_register_exit_choice", "action_answer_knowledge", "action_start_claim",
    "action_ask_claim_answer", "validate_claim_form", "action_claim_form_done", "action_claim_status",
    "action_withdraw_claim", "action_confirm_withdrawal",
]
OTHER_ACTIONS = [
    "action_detect_language", "action_fallback", "action_handoff", "action_cancel_profile_change",
    "action_cancel_exit_choice", "validate_email_form", "validate_language_form",
]


@pytest.fixture(scope="module")
def executor():
    executor = ActionExecutor()
    executor.register_package("actions")  # what `rasa run actions --actions actions` does
    return executor


@pytest.fixture(scope="module")
def domain():
    return yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))


def test_every_registered_action_is_classified(executor, domain):
    registered = {name for name, run in executor.actions.items()
                  if type(getattr(run, "__self__", None)).__module__.startswith("actions.")}
    assert sorted(registered - set(PERSONAL_ACTIONS + OTHER_ACTIONS)) == [], "actions nobody decided about"
    assert sorted(set(PERSONAL_ACTIONS + OTHER_ACTIONS) - registered) == []
    assert set(domain["actions"]) <= registered  # what the bot may call is what the matrix covers


@pytest.fixture
def action_server(world, tmp_path, monkeypatch):
    """A private copy of the world's database, configured as the action server reads it; its sessions."""
    path = tmp_path / "actions.db"
    shutil.copyfile(world.template, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("IDENTITY_TOKEN_SECRET", SECRET)
    common.identity_key.cache_clear()
    common.sessions.cache_clear()
    engine = db.make_engine(f"sqlite:///{path}")
    yield db.make_session_factory(engine)
    if common.sessions.cache_info().currsize:
        common.sessions().kw["bind"].dispose()
    common.identity_key.cache_clear()
    common.sessions.cache_clear()
    engine.dispose()


@dataclass
class Call:
    text: str = ""
    intent: str = "nlu_fallback"
    entities: List[dict] = field(default_factory=list)
    slots: Dict[str, object] = field(default_factory=dict)
    form: Optional[Tuple[str, str, object]] = None  # (form, slot, value) a validate_* action checks
    extra: Dict[str, object] = field(default_factory=dict)


EXIT_QUESTION = {"response_selector": {"default": {"ranking": [
    {"intent_response_key": "conditions/exit_options", "confidence": 0.9}]}}}


def scenario(action: str, asker: Dossier, subject: Dossier) -> Call:
    """What `asker` sends for `action`, pointing at `subject`'s claim or contract (or, where the action takes
    none, with the subject's national number typed in the message)."""
    typed = f"over {identifiers.format(subject.number)}"
    if action == "action_save_private_email":
        return Call(f"ja {typed}", "affirm", slots={"new_private_email": f"{asker.key}.matrix@changed.example",
                                                    "profile_confirmed": True})
    if action == "action_save_document_language":
        return Call(f"ja {typed}", "affirm", slots={"document_language": "fr" if asker.language == "nl" else "nl",
                                                    "profile_confirmed": True})
    if action == "action_choose_exit_option":
        return Call("/choose_exit_option", "choose_exit_option",
                    entities=[{"entity": "contract_number", "value": subject.exit_contract}])
    if action == "action_register_exit_choice":
        return Call("ja", "affirm", slots={"exit_choice_pending": True, "exit_contract": subject.exit_contract,
                                           "exit_option": subject.exit_option})
    if action == "action_answer_knowledge":
        return Call(f"wat kan ik met mijn reserves doen {typed}", "conditions", extra=EXIT_QUESTION)
    if action == "validate_claim_form":
        # Stopping on one's own draft; someone else's contract as the answer otherwise.
        answer = "later" if asker is subject else subject.contracts[0]
        return Call(answer, form=("claim_form", "claim_answer", answer))
    if action == "action_claim_form_done":
        return Call(typed, slots={"claim_answer": "submitted"})
    if action == "action_withdraw_claim":
        return Call("/withdraw_claim", "withdraw_claim",
                    entities=[{"entity": "claim_reference", "value": subject.draft}])
    if action == "action_confirm_withdrawal":
        return Call("ja", "affirm", slots={"withdraw_pending": True, "withdraw_reference": subject.draft})
    intents = {"action_start_claim": "start_claim", "action_claim_status": "claim_status"}
    return Call(f"mijn contracten {typed}", intents.get(action, "contract_status"))


def identity(case: str, number: str) -> Optional[str]:
    key = identity_token.derive_key(SECRET)
    if case == "missing":
        return None
    if case == "forged":
        return identity_token.issue(number, identity_token.derive_key("an attacker's guess at the secret, long enough"))
    if case == "expired":
        return identity_token.issue(number, key, ttl=60, now=time.time() - 3600)
    if case == "web session":
        return identity_token.issue(number, key, audience=WEB_SESSION)
    return identity_token.issue(number, key)


def run_action(executor, domain, action: str, sender: str, call: Call, token: Optional[str], language: str):
    metadata = {"lang": language}
    if token is not None:
        metadata["identity"] = token
    latest = {"text": call.text, "intent": {"name": call.intent, "confidence": 1.0}, "entities": list(call.entities),
              "metadata": metadata, **call.extra}
    events = [{"event": "action", "name": "action_listen"},
              {"event": "user", "text": call.text, "parse_data": latest, "metadata": metadata}]
    slots = {"language": language, "logged_in": False, **call.slots}
    active_loop = {}
    if call.form:
        form, slot, value = call.form
        events.append({"event": "slot", "name": slot, "value": value})  # the candidate the form validates
        slots[slot], active_loop = value, {"name": form}
    tracker = {"sender_id": sender, "slots": slots, "latest_message": latest, "events": events, "paused": False,
               "followup_action": None, "active_loop": active_loop, "latest_action_name": "action_listen"}
    result = asyncio.run(executor.run({"next_action": action, "sender_id": sender, "tracker": tracker,
                                       "domain": domain, "version": "3.6.2"}))
    return result["responses"], result["events"]


def fingerprint(sessions) -> Dict[str, tuple]:
    """Everything an action may change, per person: their profile, claims and exit choices (a few bulk
    queries: this runs twice in every cell)."""
    keys = {p.national_number: key for key, p in demo_data.PERSONS.items()}
    with sessions() as s:
        people = s.execute(select(Person.id, Person.national_number, Person.private_email, Person.language,
                                  Person.business_email).where(Person.national_number.in_(list(keys)))).all()
        by_id = {row.id: keys[row.national_number] for row in people}
        contracts = {}
        for reference, number in s.execute(select(Claim.reference, Contract.contract_number)
                                           .join(Claim.contracts).order_by(Contract.contract_number)).all():
            contracts.setdefault(reference, []).append(number)
        own_claims = {key: [] for key in EMPLOYEES}
        for c in s.execute(select(Claim).order_by(Claim.id)).scalars():
            own_claims.setdefault(keys.get(c.claimant_number, c.claimant_number), []).append(
                (c.reference, c.status, c.iban, tuple(contracts.get(c.reference, ())), c.pension_start_date))
        choices = {key: [] for key in EMPLOYEES}
        for person_id, *choice in s.execute(select(ExitChoice.person_id, ExitChoice.reference, ExitChoice.option,
                                                   ExitChoice.status).order_by(ExitChoice.id)).all():
            choices[by_id[person_id]].append(tuple(choice))
        prints = {by_id[row.id]: (row.private_email, row.language, tuple(own_claims[by_id[row.id]]),
                                  tuple(choices[by_id[row.id]]), row.business_email) for row in people}
        prints["outbox"] = tuple(s.execute(select(OutboxMessage.recipient).order_by(OutboxMessage.id)).scalars())
    return prints


def slot_values(events) -> Dict[str, object]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(messages) -> List[str]:
    return [m["response"] for m in messages if m.get("response")]


def texts(messages) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


# What a refused call answers: the response asking to log in (None: nothing at all), and slots it sets.
REFUSED = {
    "action_show_contracts": ("utter_login_needed", {"logged_in": False}),
    "action_check_identity": (None, {"logged_in": False}),
    "action_save_private_email": ("utter_login_needed", {"logged_in": False, "new_private_email": None}),
    "action_save_document_language": ("utter_login_needed", {"logged_in": False, "document_language": None}),
    "action_choose_exit_option": ("utter_login_needed", {"logged_in": False, "exit_choice_pending": False}),
    "action_register_exit_choice": ("utter_login_needed", {"logged_in": False, "exit_choice_pending": False}),
    # The general answer to the question, then the login link: nothing of the person's own situation.
    "action_answer_knowledge": ("utter_login_for_own_situation", {"logged_in": False}),
    "action_start_claim": ("utter_login_needed", {"logged_in": False, "claim_can_start": False}),
    "action_ask_claim_answer": ("utter_login_needed", {}),
    "validate_claim_form": ("utter_login_needed", {"claim_answer": "stopped"}),
    "action_claim_form_done": (None, {"claim_answer": None}),
    "action_claim_status": ("utter_login_needed", {"logged_in": False}),
    "action_withdraw_claim": ("utter_login_needed", {"withdraw_pending": False}),
    "action_confirm_withdrawal": ("utter_login_needed", {"withdraw_pending": False}),
}
assert set(REFUSED) == set(PERSONAL_ACTIONS)
# The actions that take a claim or contract from the message or the slots: given someone else's, they
# refuse; the others only ever use the token holder's data, whatever the message says.
TAKES_AN_OBJECT = {"action_choose_exit_option", "action_register_exit_choice", "validate_claim_form",
                   "action_withdraw_claim", "action_confirm_withdrawal"}


def action_cells():
    for action in PERSONAL_ACTIONS:
        for case in ("missing", "forged", "expired", "web session"):
            # A bad token in Jan's conversation, about Jan's data: as if someone tried to pass for him.
            yield pytest.param(action, case, "jan", "jan", "jan", id=f"{action}-{case} token" if case != "missing"
                               else f"{action}-anonymous")
        for asker in EMPLOYEES:
            victim = VICTIM[asker]
            yield pytest.param(action, "valid", asker, asker, asker, id=f"{action}-{asker}-own")
            yield pytest.param(action, "valid", asker, victim, victim,
                               id=f"{action}-{asker}-in {victim}'s conversation")
            yield pytest.param(action, "valid", asker, asker, victim, id=f"{action}-{asker}-with {victim}'s data")


@pytest.mark.parametrize("action, case, asker_key, owner_key, subject_key", action_cells())
def test_action(executor, domain, world, action_server, action, case, asker_key, owner_key, subject_key):
    """`asker` sends a message with the identity token `case` in the conversation of `owner`, about
    `subject`'s claim or contract."""
    asker, owner, subject = (world.dossiers[k] for k in (asker_key, owner_key, subject_key))
    language = asker.language
    before = fingerprint(action_server)
    messages, events = run_action(executor, domain, action, owner.conversation, scenario(action, asker, subject),
                                  identity(case, asker.number), language)
    after = fingerprint(action_server)
    dispatched = json.dumps([messages, events], ensure_ascii=False)
    slots = slot_values(events)

    if case != "valid" or owner is not asker:
        # Refused: asked to log in, nothing of anybody shown, nothing changed.
        login, expected_slots = REFUSED[action]
        assert responses(messages) == ([login] if login else [])
        if action != "action_answer_knowledge":
            assert len(messages) == (1 if login else 0)
        assert {k: slots.get(k) for k in expected_slots} == expected_slots
        found = leaks(dispatched, world, EMPLOYEES)
        assert not found, f"refused, yet shown: {found}"
        assert after == before
        return

    # Valid, own conversation: never a login prompt, nothing of anybody else, nobody else's data changed.
    assert not {"utter_login_needed", "utter_login_for_own_situation"} & set(responses(messages))
    found = leaks(dispatched, world, others(asker_key))
    assert not found, f"shown to {asker_key}: {found}"
    assert {k for k in before if before[k] != after[k]} <= {asker_key, "outbox"}
    # A confirmation goes to the token holder's addresses only.
    sent = after["outbox"][len(before["outbox"]):]
    assert set(sent) <= {before[asker_key][0], after[asker_key][0], after[asker_key][4]}
    if subject is not asker and action in TAKES_AN_OBJECT:
        check_refused_object(action, messages, slots, language)
        assert after == before
    else:
        check_own(action, asker, messages, slots, before, after)


def check_refused_object(action, messages, slots, language):
    """Someone else's claim or contract: refused with the same answer an unknown one gets."""
    if action in ("action_choose_exit_option", "action_register_exit_choice"):
        assert texts(messages) == exit_text.refused_text("not_your_contract", language)
        assert not any(m.get("buttons") for m in messages) and not slots.get("exit_choice_pending")
    elif action == "validate_claim_form":
        assert texts(messages) == claim_text.refused(ClaimRefused.NOT_YOUR_CONTRACT, language)
        assert slots == {"claim_answer": None}
    else:
        assert texts(messages) == claim_text.refused(ClaimRefused.UNKNOWN_CLAIM, language)
        assert slots.get("withdraw_pending") is False


def check_own(action, me: Dossier, messages, slots, before, after):
    """The action did what it does for the token holder, with their own data."""
    text = texts(messages)
    shown = json.dumps(messages, ensure_ascii=False)
    if action == "action_show_contracts":
        assert slots["logged_in"] is True
        assert all(n in text for n in me.visible)
        assert me.visible or messages[-1]["custom"] == {"source": {"kind": "faq", "id": "9"}}
    elif action == "action_check_identity":
        assert slots == {"logged_in": True}
    elif action == "action_save_private_email":
        assert responses(messages) == ["utter_private_email_changed"]
        assert after[me.key][0] == f"{me.key}.matrix@changed.example"
    elif action == "action_save_document_language":
        assert responses(messages) == ["utter_document_language_changed"]
        assert after[me.key][1] != before[me.key][1]
    elif action == "action_choose_exit_option":
        if me.has_exit_options:
            assert me.exit_contract in shown and slots.get("exit_choice_pending") is False
            assert any(me.exit_option in b["payload"] for b in messages[0]["buttons"])
        else:  # nothing to choose for a contract without an exit
            assert text == exit_text.refused_text("not_your_contract", me.language)
    elif action == "action_register_exit_choice":
        if me.has_exit_options:
            assert "EX-" in text and after[me.key][3] != before[me.key][3]
        else:  # their own contract, without an exit: nothing to choose
            assert text == exit_text.refused_text("no_options", me.language)
    elif action == "action_answer_knowledge":
        assert slots["logged_in"] is True
        if me.has_exit_options:
            assert me.exit_contract in text
    elif action == "action_start_claim":
        assert me.draft in text and slots["claim_can_start"] is True
    elif action == "action_ask_claim_answer":
        assert text
        assert {b["payload"] for b in messages[0].get("buttons", [])} >= set(me.claimable)
    elif action == "validate_claim_form":
        assert me.draft in text and slots == {"claim_answer": "stopped"}
    elif action == "action_claim_form_done":
        assert me.submitted in text
    elif action == "action_claim_status":
        assert me.draft in text and me.submitted in text
    elif action == "action_withdraw_claim":
        assert me.draft in text and slots["withdraw_pending"] is True
    elif action == "action_confirm_withdrawal":
        assert me.draft in text
        assert dict((c[0], c[1]) for c in after[me.key][2])[me.draft] == "withdrawn"
    else:  # pragma: no cover
        raise AssertionError(f"no expectation for {action}")


@pytest.mark.parametrize("action", OTHER_ACTIONS)
def test_actions_without_personal_data(executor, domain, world, action_server, action):
    # Even with a valid token, these never show anything personal (someone's number typed in the message included).
    jan, marie = world.dossiers["jan"], world.dossiers["marie"]
    form = {"validate_email_form": ("email_form", "new_private_email", "jan@example.org"),
            "validate_language_form": ("language_form", "document_language", "frans")}.get(action)
    call = Call(f"hallo {identifiers.format(marie.number)}", "greet", form=form)
    before = fingerprint(action_server)
    messages, events = run_action(executor, domain, action, jan.conversation, call, identity("valid", jan.number), "nl")
    found = leaks(json.dumps([messages, events], ensure_ascii=False), world, EMPLOYEES)
    assert not found, found
    assert fingerprint(action_server) == before
