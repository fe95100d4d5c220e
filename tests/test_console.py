"""The support console with the Flask test client and a fake Rasa: staff login, access control on
every URL, CSRF, the queue, one assignee, replies the person receives, notes they never see, return to
the assistant (Rasa's resume), close and rating."""
import re

import pytest

from db_support import database_url, engine, migrated_template, session, session_factory  # noqa: F401
from fake_rasa import FakeRasa, echo_or_hand_off
from groupinsurance import demo_data, identifiers
from groupinsurance.models import Conversation
from web import create_app
from web.staff import StaffError, authenticate, create

CONVERSATION = "c0ffee00c0ffee00c0ffee00c0ffee00"
PASSWORD = "correct horse battery"
JAN = demo_data.PERSONS["jan"].national_number


@pytest.fixture
def rasa():
    with FakeRasa() as fake:
        fake.reply = echo_or_hand_off
        yield fake


@pytest.fixture
def app(rasa, database_url, session_factory, tmp_path):
    demo_data.load_if_empty(session_factory)
    with session_factory.begin() as s:
        create(s, "an@insurer.example", "An", PASSWORD)
        create(s, "bert@insurer.example", "Bert", PASSWORD)
    return create_app({"TESTING": True, "RASA_URL": rasa.url, "DATABASE_URL": database_url,
                       "RASA_TOKEN": "t" * 40, "IDENTITY_TOKEN_SECRET": "console tests' secret, long enough....",
                       "TRANSLATIONS_BUILD_DIR": str(tmp_path / "t"), "OPENING_HOURS": "mon-sun 00:00-23:59"})


def token_from(html):
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    return match.group(1)


def staff_login(client, email="an@insurer.example", password=PASSWORD):
    token = token_from(client.get("/console/login").get_data(as_text=True))
    return client.post("/console/login", data={"email": email, "password": password, "csrf_token": token})


def escalated(app, person=None):
    person_client = app.test_client()
    if person:
        person_client.post("/auth/test-login", data={"national_number": person})
    for text in ("hallo", f"mijn nummer is {identifiers.format(JAN)}", "/request_human"):
        person_client.post("/api/chat", json={"conversation_id": CONVERSATION, "message": text, "lang": "nl"})
    return person_client


CONSOLE_URLS = [
    ("get", "/console/"), ("get", "/console/api/queue"), ("get", f"/console/conversations/{CONVERSATION}"),
    ("get", f"/console/api/conversations/{CONVERSATION}/messages"),
    ("post", f"/console/conversations/{CONVERSATION}/claim"), ("post", f"/console/conversations/{CONVERSATION}/reply"),
    ("post", f"/console/conversations/{CONVERSATION}/note"), ("post", f"/console/conversations/{CONVERSATION}/release"),
    ("post", f"/console/conversations/{CONVERSATION}/return"), ("post", f"/console/conversations/{CONVERSATION}/close"),
    ("post", "/console/logout"),
]


@pytest.mark.parametrize("method, url", CONSOLE_URLS)
def test_nothing_in_the_console_without_a_staff_login(app, method, url):
    client = app.test_client()
    escalated(app)
    if method == "post":
        # Without a CSRF token the request is refused before anything else; with one (any visitor can
        # get one from the login page) the missing staff login refuses it.
        assert client.post(url).status_code == 400
        response = client.post(url, data={"csrf_token": token_from(client.get("/console/login").get_data(as_text=True))})
    else:
        response = client.get(url)
    if "/console/api/" in url:
        assert response.status_code == 401 and response.get_json()["error"]["code"] == "staff_login_required"
    else:
        assert response.status_code == 302 and "/console/login" in response.headers["Location"]


@pytest.mark.parametrize("method, url", CONSOLE_URLS)
def test_an_employee_login_is_not_a_staff_login(app, method, url):
    client = app.test_client()
    client.post("/auth/test-login", data={"national_number": JAN})
    data = {"csrf_token": token_from(client.get("/console/login").get_data(as_text=True))} if method == "post" else None
    response = getattr(client, method)(url, data=data)
    assert response.status_code in (302, 401)
    assert response.status_code == 401 or "/console/login" in response.headers["Location"]


def test_wrong_password_or_unknown_account_is_refused_the_same_way(app):
    for email, password in (("an@insurer.example", "wrong password!!"), ("nobody@insurer.example", PASSWORD)):
        response = staff_login(app.test_client(), email, password)
        assert response.status_code == 401 and "niet juist" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(app):
    response = app.test_client().post("/console/login", data={"email": "an@insurer.example", "password": PASSWORD})
    assert response.status_code == 400


def test_accounts_have_hashed_passwords_and_rules(session_factory, app):
    with session_factory() as s:
        user = authenticate(s, "AN@insurer.example", PASSWORD)
        assert user is not None and PASSWORD not in user.password_hash and user.password_hash.startswith("scrypt:")
    with pytest.raises(StaffError, match="12"):
        with session_factory.begin() as s:
            create(s, "c@insurer.example", "C", "short")
    with pytest.raises(StaffError, match="already"):
        with session_factory.begin() as s:
            create(s, "an@insurer.example", "An again", PASSWORD)


def test_the_whole_handoff_from_the_console(app, rasa, session_factory):
    person = escalated(app, person=JAN)
    an, bert = app.test_client(), app.test_client()
    staff_login(an)
    staff_login(bert, "bert@insurer.example")
    queue = an.get("/console/api/queue").get_json()["queue"]
    assert [(r["id"], r["state"], r["language"], r["role"], r["reason"]) for r in queue] == \
        [(CONVERSATION, "waiting", "nl", "employee", "request_human")]
    page = an.get(f"/console/conversations/{CONVERSATION}").get_data(as_text=True)
    assert "Ik geef u door aan een collega." in page and identifiers.mask(JAN) in page  # the bot part, masked
    assert JAN not in page and identifiers.format(JAN) not in page
    assert "Jan Peeters" in page  # the person beside the transcript
    # CSRF missing on a state-changing call: refused.
    assert an.post(f"/console/conversations/{CONVERSATION}/claim").status_code == 400
    an.post(f"/console/conversations/{CONVERSATION}/claim", data={"csrf_token": token_from(page)})
    # Bert is too late.
    bert_page = bert.get(f"/console/conversations/{CONVERSATION}").get_data(as_text=True)
    assert "Take this conversation" not in bert_page and "Your reply to the person" not in bert_page
    page = an.get(f"/console/conversations/{CONVERSATION}").get_data(as_text=True)
    token = token_from(page)
    an.post(f"/console/conversations/{CONVERSATION}/reply", data={"reply-text": "Goeiedag, ik help u verder.", "reply-csrf_token": token})
    an.post(f"/console/conversations/{CONVERSATION}/note", data={"note-text": "klant belde al gisteren", "note-csrf_token": token})
    # The person receives the reply (polling), never the note, and writes back: to the colleague, not the model.
    seen = person.get(f"/api/chat/{CONVERSATION}/messages?after=0").get_json()
    assert [m["text"] for m in seen["messages"] if m["author"] == "staff"] == ["Goeiedag, ik help u verder."]
    assert all("gisteren" not in m["text"] for m in seen["messages"]) and seen["state"] == "assigned"
    forwarded = len(rasa.requests)
    person.post("/api/chat", json={"conversation_id": CONVERSATION, "message": "dank u, mijn vraag is...", "lang": "nl"})
    assert len(rasa.requests) == forwarded
    new = an.get(f"/console/api/conversations/{CONVERSATION}/messages?after=0").get_json()["messages"]
    assert new[-1]["text"] == "dank u, mijn vraag is..." and any(m["internal"] for m in new)
    # Return to the assistant: Rasa resumes, then the model answers again.
    an.post(f"/console/conversations/{CONVERSATION}/return", data={"csrf_token": token})
    assert rasa.events == [(CONVERSATION, "t" * 40, [{"event": "resume"}, {"event": "action", "name": "action_listen"}])]
    reply = person.post("/api/chat", json={"conversation_id": CONVERSATION, "message": "nog een vraag", "lang": "nl"})
    assert reply.get_json()["messages"][0]["text"] == "echo: nog een vraag"
    # Escalated again, then closed and rated.
    person.post("/api/chat", json={"conversation_id": CONVERSATION, "message": "/request_human", "lang": "nl"})
    page = an.get(f"/console/conversations/{CONVERSATION}").get_data(as_text=True)
    an.post(f"/console/conversations/{CONVERSATION}/claim", data={"csrf_token": token_from(page)})
    an.post(f"/console/conversations/{CONVERSATION}/close", data={"csrf_token": token_from(page)})
    closing = person.get(f"/api/chat/{CONVERSATION}/messages?after=0").get_json()
    assert closing["state"] == "closed" and "van 1" in closing["messages"][-1]["text"]
    assert person.post(f"/api/chat/{CONVERSATION}/rating", json={"score": 9}).status_code == 400
    assert person.post(f"/api/chat/{CONVERSATION}/rating", json={"score": 4}).get_json() == {"rating": 4}
    with session_factory() as s:
        assert s.get(Conversation, CONVERSATION).rating == 4


def test_when_rasa_cannot_resume_the_conversation_stays_with_the_colleague(app, rasa, session_factory):
    escalated(app)
    an = app.test_client()
    staff_login(an)
    page = an.get(f"/console/conversations/{CONVERSATION}").get_data(as_text=True)
    an.post(f"/console/conversations/{CONVERSATION}/claim", data={"csrf_token": token_from(page)})
    rasa.status = 500
    response = an.post(f"/console/conversations/{CONVERSATION}/return", data={"csrf_token": token_from(page)},
                       follow_redirects=True)
    assert "kan het gesprek nu niet terugnemen" in response.get_data(as_text=True)
    with session_factory() as s:
        assert s.get(Conversation, CONVERSATION).state == "assigned"


def test_someone_else_cannot_read_a_logged_in_persons_staff_replies(app):
    escalated(app, person=JAN)
    other = app.test_client()
    other.post("/auth/test-login", data={"national_number": demo_data.PERSONS["marie"].national_number})
    assert other.get(f"/api/chat/{CONVERSATION}/messages").status_code == 403
    assert app.test_client().get(f"/api/chat/{CONVERSATION}/messages").status_code == 403


def test_the_dashboard_counts_from_the_transcripts(app, session_factory):
    import datetime

    from groupinsurance import dashboard, handoff

    now = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.timezone.utc)
    with session_factory.begin() as s:
        for i, (escalate, rating) in enumerate([(False, None), (False, None), (True, 5), (True, 3)]):
            record = handoff.conversation(s, f"dash-{i:08d}")
            record.created_at = now - datetime.timedelta(days=i % 2)
            handoff.add_message(s, record, "assistant", "antwoord", source={"kind": "faq", "id": "7"})
            handoff.add_message(s, record, "assistant", "sorry", source={"kind": "fallback"})
            if escalate:
                handoff.escalate(s, record, "request_human", now)
                record.state, record.rating = "closed", rating
    with session_factory() as s:
        figures = dashboard.compute(s, days=3, now=now)
    assert figures.conversations == 4 and figures.answered_without_person == 0.5
    assert figures.fallback_rate == 0.5 and figures.mean_rating == 4.0 and figures.ratings[5] == 1
    assert figures.conversations_per_day == (0, 2, 2) and figures.escalations_per_day == (0, 0, 2)
    assert figures.top_questions == (("faq", "7", 4),)
    an = app.test_client()
    staff_login(an)
    page = an.get("/console/dashboard").get_data(as_text=True)
    assert "<svg" in page and 'data-figure="without-person">' in page
    assert app.test_client().get("/console/dashboard").status_code == 302  # staff only


def test_staff_see_every_submitted_claim_and_exit_choice_with_masked_data(app, session_factory):
    import datetime

    from groupinsurance import claims as claim_domain, exit_options

    pierre = demo_data.PERSONS["pierre"].national_number
    karim = demo_data.PERSONS["karim"].national_number
    with session_factory.begin() as s:
        claim, _ = claim_domain.start_or_resume(s, pierre, "retirement", "conv-pierre-001")
        claim_domain.set_contracts(s, claim, ["530/200103"], datetime.date.today())
        claim_domain.set_pension_start(claim, datetime.date(2033, 7, 1))
        claim_domain.set_payout_form(claim, "capital")
        claim_domain.set_iban(claim, "BE21 0012 3456 7803")
        claim_domain.submit(s, pierre, claim.reference)
        reference = claim.reference
        draft, _ = claim_domain.start_or_resume(s, karim, "retirement")
        choice = exit_options.register_choice(s, karim, "530/200105", "reception_structure", datetime.date.today(), "conv-karim-001")
        choice_reference, draft_reference = choice.reference, draft.reference
    an = app.test_client()
    staff_login(an)
    page = an.get("/console/claims").get_data(as_text=True)
    assert f'data-claim="{reference}"' in page and "530/200103" in page and "BE21 **** **** 7803" in page
    assert "0012 3456" not in page and pierre not in page and identifiers.mask(pierre) in page
    assert "proof_of_life" in page  # still missing
    assert draft_reference not in page  # drafts are the person's own until submitted
    assert f'data-choice="{choice_reference}"' in page and "reception_structure" in page
    assert app.test_client().get("/console/claims").status_code == 302


def test_a_copy_of_the_staff_cookie_stops_working_at_logout(app):
    client = app.test_client()
    staff_login(client)
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/console/api/queue").status_code == 200
    token = token_from(client.get("/console/").get_data(as_text=True))
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 302
    response = copy.get("/console/api/queue")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "staff_login_required"

