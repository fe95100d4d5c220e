"""The chat widget in headless Chromium (Debian's `chromium`, driven by Playwright).

Tests marked e2e run against the real assistant (the `assistant` fixture: Rasa and the action server with
the trained model) behind the web app on a free loopback port. The others use the fake Rasa
(tests/fake_rasa.py) for what the real one cannot be made to do on demand: fail, be slow, answer HTML.

`make browser-deps` installs chromium when /usr/bin/chromium is missing; axe-core comes with the
`axe-playwright-python` test dependency (its bundled axe.min.js).
"""
import contextlib
import json
import re
from pathlib import Path
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
import functools
import threading

import pytest

from db_support import database_url, engine, migrated_template, session_factory  # noqa: F401
from fake_rasa import FakeRasa
from live_server import serving

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LAUNCHER = {"nl": "Vraag het onze assistent", "fr": "Demandez à notre assistant"}
INPUT_LABEL = {"nl": "Uw vraag", "fr": "Votre question"}
ANSWERS = ".gic-msg--bot:not(.gic-msg--welcome):not(.gic-typing)"

DUTCH_QUESTION = "kan mijn werknemer weigeren die website te gebruiken?"
FRENCH_QUESTION = "puis-je obtenir une avance sur mon assurance de groupe ?"
OUT_OF_SCOPE = "wie wint de tour de france dit jaar?"
XSS = "<img src=x onerror=alert(1)>"


# --- browser and servers ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `make browser-deps` (apt-get install chromium).")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("translations")


@pytest.fixture(scope="module")
def live(assistant, build_dir):
    """The web app in front of the real assistant."""
    from web import create_app

    app = create_app({"RASA_URL": assistant.rasa_url, "TRANSLATIONS_BUILD_DIR": str(build_dir),
                      "DATABASE_URL": assistant.env["DATABASE_URL"],
                      "IDENTITY_TOKEN_SECRET": assistant.env["IDENTITY_TOKEN_SECRET"]})
    with serving(app) as url:
        yield url


@pytest.fixture
def fake():
    with FakeRasa() as rasa:
        yield rasa


@pytest.fixture
def pierre_claim(session_factory):
    """A database of the test's own with the demo data, and a retirement claim draft for Pierre: its reference."""
    import datetime

    from groupinsurance import claims, demo_data

    demo_data.load_if_empty(session_factory)
    with session_factory.begin() as s:
        claim, _ = claims.start_or_resume(s, demo_data.PERSONS["pierre"].national_number, "retirement")
        claims.set_contracts(s, claim, ["530/200103"], datetime.date.today())
        return claim.reference


@pytest.fixture
def upload_dir(tmp_path):
    return tmp_path / "uploads"


@pytest.fixture
def fake_live(fake, build_dir, database_url, pierre_claim, upload_dir):
    """The web app in front of the fake Rasa, giving up on it after 1 s, on the test's own database."""
    from web import create_app

    app = create_app({"RASA_URL": fake.url, "RASA_TIMEOUT": 1.0, "TRANSLATIONS_BUILD_DIR": str(build_dir),
                      "DATABASE_URL": database_url, "UPLOAD_DIR": str(upload_dir)})
    with serving(app) as url:
        yield url


class Problems:
    """JavaScript errors and dialogs (alert!) seen on a page: a test fails on any."""

    def __init__(self, page):
        self.errors, self.dialogs = [], []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-BE", timezone_id="Europe/Brussels")
    context.set_default_timeout(15000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.problems = Problems(page)
    yield page
    assert page.problems.errors == [], page.problems.errors
    assert page.problems.dialogs == [], page.problems.dialogs


# --- helpers ------------------------------------------------------------------------------------

def load(page, url):
    page.goto(url)
    page.wait_for_function("() => { const h = document.getElementById('group-insurance-chat');"
                           " return h && h.shadowRoot && !h.shadowRoot.querySelector('.gic').hidden; }")


def open_widget(page, lang="nl"):
    page.get_by_role("button", name=LAUNCHER[lang]).click()
    expect(page.get_by_role("dialog")).to_be_visible()


def reopened(page):
    """After a reload the widget reopens by itself when it was open (sessionStorage)."""
    expect(page.get_by_role("dialog")).to_be_visible()


def answers(page):
    return page.locator(ANSWERS)


def wait_for_reply(page, answers_before, timeout=30000):
    page.wait_for_function(
        """(before) => { const r = document.getElementById('group-insurance-chat').shadowRoot;
             if (r.querySelector('.gic-typing')) return false;
             return r.querySelectorAll('%s').length > before || !!r.querySelector('.gic-msg--error'); }""" % ANSWERS,
        arg=answers_before, timeout=timeout,
    )


def ask(page, text, lang="nl"):
    before = answers(page).count()
    box = page.get_by_label(INPUT_LABEL[lang])
    box.fill(text)
    box.press("Enter")
    wait_for_reply(page, before)
    return answers(page).last


def focused(page):
    """Class names of the focused element, looking into the widget's shadow root."""
    return page.evaluate("""() => { let e = document.activeElement;
        while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
        return e ? (e.id || '') + ' ' + (e.className || '') + ' ' + e.tagName : ''; }""")


def shadow_count(page, selector):
    return page.evaluate(
        "(s) => document.getElementById('group-insurance-chat').shadowRoot.querySelectorAll(s).length", selector)


def run_axe(page):
    import axe_playwright_python

    # Evaluated, not added as an inline <script>: the app's Content-Security-Policy forbids those.
    page.evaluate((Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS)
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def first_line(text, length=60):
    return " ".join(text.strip().splitlines()[0].split())[:length]


# --- against the real assistant -----------------------------------------------------------------

@pytest.mark.e2e
def test_dutch_question_gets_the_faq_answer_and_its_source(page, live, kb):
    load(page, live + "/")
    open_widget(page)
    answer = ask(page, DUTCH_QUESTION)
    expect(answer).to_contain_text(first_line(kb.faqs["7"].answer.nl))
    source = answer.get_by_role("link", name=re.compile("^Bron: FAQ 7"))
    expect(source).to_be_visible()
    assert source.get_attribute("href") == live + "/knowledge/faq/7?lang=nl"
    # the answer is announced to screen readers
    expect(page.locator(".gic [aria-live=polite]")).to_contain_text(first_line(kb.faqs["7"].answer.nl, 40))
    # the user's question is shown too, with a time
    expect(page.locator(".gic-msg--user").last).to_contain_text(DUTCH_QUESTION)
    assert re.fullmatch(r"\d{2}:\d{2}", page.locator(".gic-msg--user .gic-time").last.inner_text())
    # the source leads to the full FAQ
    with page.context.expect_page() as new_tab:
        source.click()
    faq_page = new_tab.value
    faq_page.wait_for_load_state()
    expect(faq_page.get_by_role("heading", level=1)).to_have_text(kb.faqs["7"].question.nl.strip())


@pytest.mark.e2e
def test_french_question_gets_the_article_answer_and_its_source(page, live, kb):
    load(page, live + "/?lang=fr")
    open_widget(page, "fr")
    answer = ask(page, FRENCH_QUESTION, "fr")
    expect(answer).to_contain_text(first_line(kb.topics["advance"].answer.fr))
    source = answer.get_by_role("link", name=re.compile("^Source : article 13.3 des conditions générales"))
    expect(source).to_be_visible()
    assert source.get_attribute("href") == live + "/knowledge/article/13.3?lang=fr"


@pytest.mark.e2e
def test_switching_language_mid_conversation(page, live, kb):
    load(page, live + "/")
    open_widget(page)
    ask(page, DUTCH_QUESTION)
    expect(page.get_by_role("link", name=re.compile("^Bron: FAQ 7"))).to_be_visible()

    page.get_by_role("button", name="Français").click()
    # every UI string is French now, the earlier answer's source line too, without a page reload
    expect(page.get_by_role("button", name="Français")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", name="Assistant assurance de groupe")).to_be_visible()
    expect(page.get_by_label("Votre question")).to_have_attribute("placeholder", "Tapez votre question…")
    expect(page.get_by_role("button", name="Nouvelle conversation")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Source : FAQ 7"))).to_be_visible()
    expect(page.locator(".gic [aria-live=polite]")).to_have_text("Le chat est maintenant en français.")
    assert page.evaluate("() => document.documentElement.lang") == "nl"  # the page itself did not change

    answer = ask(page, FRENCH_QUESTION, "fr")
    expect(answer).to_contain_text(first_line(kb.topics["advance"].answer.fr))
    expect(answer.get_by_role("link", name=re.compile("^Source : article 13.3"))).to_be_visible()

    # the choice is kept: after a reload the widget is still in French, with the whole conversation
    page.reload()
    load(page, page.url)
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_role("heading", name="Assistant assurance de groupe")).to_be_visible()
    expect(answers(page)).to_have_count(2)


@pytest.mark.e2e
def test_history_survives_reload_and_a_new_tab_until_a_new_conversation(page, live, kb):
    load(page, live + "/")
    open_widget(page)
    ask(page, DUTCH_QUESTION)
    ask(page, "wat is een verworven reserve?")
    texts = page.locator(".gic-msg").all_inner_texts()
    assert len(texts) >= 4

    page.reload()
    load(page, live + "/")
    expect(page.get_by_role("dialog")).to_be_visible()  # it was open: it stays open
    assert page.locator(".gic-msg").all_inner_texts() == texts

    other_tab = page.context.new_page()
    Problems(other_tab)
    load(other_tab, live + "/profile")
    open_widget(other_tab)
    assert other_tab.locator(".gic-msg").all_inner_texts() == texts

    other_tab.get_by_role("button", name="Nieuw gesprek").click()
    expect(other_tab.locator(".gic-msg--user")).to_have_count(0)
    expect(other_tab.locator(".gic-msg--welcome")).to_be_visible()
    assert "gic-input" in focused(other_tab)
    # the first tab follows, and a reload shows the new (empty) conversation
    expect(page.locator(".gic-msg--user")).to_have_count(0)
    page.reload()
    load(page, live + "/")
    expect(page.locator(".gic-msg--user")).to_have_count(0)


@pytest.mark.e2e
def test_keyboard_only_conversation(page, live):
    load(page, live + "/")
    for _ in range(40):  # Tab through the page to the launcher
        page.keyboard.press("Tab")
        if "gic-launcher" in focused(page):
            break
    assert "gic-launcher" in focused(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    assert "gic-input" in focused(page), "opening moves the focus to the question box"

    page.keyboard.type(OUT_OF_SCOPE)
    before = answers(page).count()
    page.keyboard.press("Enter")
    wait_for_reply(page, before)
    assert "gic-input" in focused(page), "the focus stays in the question box after sending"
    suggestions = page.locator(".gic-msg--bot").last.locator(".gic-quick-reply")
    expect(suggestions).to_have_count(3)

    page.keyboard.press("Shift+Tab")  # from the question box back to the last suggestion
    assert "gic-quick-reply" in focused(page)
    picked = page.evaluate("""() => { let e = document.activeElement.shadowRoot.activeElement; return e.textContent; }""")
    before = answers(page).count()
    page.keyboard.press("Enter")
    wait_for_reply(page, before)
    expect(page.locator(".gic-msg--user").last).to_contain_text(picked)
    expect(answers(page).last.locator(".gic-source a")).to_be_visible()  # a real answer, with its source
    assert "gic-input" in focused(page)

    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert "gic-launcher" in focused(page), "closing gives the focus back to the launcher"


@pytest.mark.e2e
def test_message_with_html_is_shown_as_text(page, live):
    load(page, live + "/")
    open_widget(page)
    ask(page, XSS)
    expect(page.locator(".gic-msg--user").last).to_contain_text(XSS)
    assert shadow_count(page, ".gic-messages img") == 0
    page.wait_for_timeout(300)  # an onerror handler would have fired by now (the page fixture checks for alerts)


@pytest.mark.e2e
def test_axe_finds_no_wcag_violation_with_the_widget_open(page, live):
    load(page, live + "/")
    assert run_axe(page) == []
    open_widget(page)
    ask(page, DUTCH_QUESTION)
    ask(page, OUT_OF_SCOPE)  # quick-reply buttons on screen too
    assert run_axe(page) == []
    page.goto(live + "/knowledge/article/15?lang=fr")
    assert run_axe(page) == []


@pytest.mark.e2e
def test_usable_on_a_360_px_phone(browser, live, kb):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    problems = Problems(page)
    try:
        load(page, live + "/")
        launcher = page.get_by_role("button", name=LAUNCHER["nl"])
        box = launcher.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        open_widget(page)
        panel = page.get_by_role("dialog").bounding_box()
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 360 and panel["height"] <= 740
        answer = ask(page, DUTCH_QUESTION)
        expect(answer).to_contain_text(first_line(kb.faqs["7"].answer.nl))
        for name in ("Versturen", "Chat sluiten", "Nieuw gesprek"):
            control = page.get_by_role("button", name=name).bounding_box()
            assert control["x"] >= 0 and control["x"] + control["width"] <= 360, name
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360, "no sideways scrolling"
        # the panel covers the page, so Tab stays inside it: from the send button back to the top
        expect(page.get_by_role("dialog")).to_have_attribute("aria-modal", "true")
        page.get_by_role("button", name="Versturen").focus()
        page.keyboard.press("Tab")
        assert "gic-close" in focused(page)
        assert run_axe(page) == []
        assert problems.errors == [] and problems.dialogs == []
    finally:
        context.close()


@pytest.mark.e2e
def test_log_in_from_the_chat_see_own_contracts_then_log_out(page, live):
    from groupinsurance import demo_data, identifiers

    jan = demo_data.PERSONS["jan"]
    load(page, live + "/")
    open_widget(page)
    # Not logged in: the assistant asks to log in, with a link that comes back here.
    answer = ask(page, "wat is de status van mijn groepsverzekering?")
    expect(answer).to_contain_text("eerst inloggen")
    expect(answer).not_to_contain_text("530/")
    answer.get_by_role("link", name="Inloggen").click()
    # The test identity provider, clearly marked as such.
    expect(page.get_by_role("note")).to_contain_text("Test-identiteitsprovider")
    assert run_axe(page) == []
    page.get_by_role("button", name=f"Inloggen als {jan.first_name} {jan.last_name}").click()
    page.wait_for_url(live + "/")
    expect(page.locator(".account-name")).to_have_text("Jan Peeters")
    expect(page.locator('[data-contract="530/100001"]')).to_be_visible()
    assert run_axe(page) == []
    # A new login starts a new conversation: nothing from before the login is kept.
    reopened(page)
    assert shadow_count(page, ".gic-msg--user") == 0
    answer = ask(page, "wat is de status van mijn groepsverzekering?")
    expect(answer).to_contain_text("Brouwerij De Klok NV (huidige werkgever)")
    expect(answer).to_contain_text("530/100001 (werkgeversbijdragen): actief")
    expect(answer).to_contain_text("Logistiek Schelde BV (vorige werkgever)")
    expect(answer).not_to_contain_text("530/200102")
    # Typing someone else's number shows nothing of theirs.
    marie = demo_data.PERSONS["marie"]
    answer = ask(page, f"en die van {identifiers.format(marie.national_number)}?")
    expect(answer).not_to_contain_text("Boulangerie Lemaire")
    # Logging out forgets the conversation with the contracts in it.
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(re.compile(re.escape(live) + r"/(\?lang=nl)?$"))
    load(page, live + "/")
    reopened(page)
    assert shadow_count(page, ".gic-msg--user") == 0
    stored = page.evaluate("() => JSON.stringify(Object.assign({}, window.localStorage))")
    assert "530/100001" not in stored


@pytest.mark.e2e
def test_a_retirement_claim_in_french_with_an_upload_then_its_status_in_dutch(page, live):
    """Issue 5: a person starts the payout in French, uploads a document, asks in Dutch where it stands."""
    page.goto(live + "/auth/test-login?lang=fr")
    page.get_by_role("button", name="Se connecter comme Luc Martin").click()
    page.wait_for_url(re.compile(re.escape(live) + "/"))
    load(page, live + "/?lang=fr")
    page.evaluate("() => GroupInsuranceChat.setLanguage('fr')")
    reopened_or_open(page, "fr")

    def click(name):
        before = answers(page).count()
        page.get_by_role("button", name=name).last.click()
        wait_for_reply(page, before)
        return answers(page).last

    expect(ask(page, "je pars à la retraite et je veux demander le paiement de ma pension complémentaire", "fr")) \
        .to_contain_text("Quels contrats voulez-vous faire payer ?")
    expect(click("530/100202 (Boulangerie Lemaire SA)")).to_contain_text("À quelle date")
    expect(ask(page, "le 1er décembre 2044", "fr")).to_contain_text("capital")
    expect(click("Capital")).to_contain_text("IBAN")
    summary = ask(page, "BE21 0012 3456 7803", "fr")
    expect(summary).to_contain_text("BE21 **** **** 7803")
    done = click("Oui, introduire")
    expect(done).to_contain_text("est introduite")
    reference = re.search(r"PC-[0-9A-Z]{6}", done.inner_text()).group(0)

    form = page.get_by_role("form", name=re.compile(reference))
    form.get_by_label(re.compile("document", re.I)).select_option("identity_card")
    form.get_by_label("Fichier").set_input_files(
        {"name": "carte-identite.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"})
    form.get_by_role("button", name="Joindre").click()
    expect(answers(page).last).to_contain_text("reçu")

    page.get_by_role("button", name="Nederlands").click()
    status = ask(page, "waar staat mijn uitkering?")
    expect(status).to_contain_text(f"{reference} (pensionering): ingediend, wacht op behandeling.")
    expect(status).to_contain_text("bewijs van leven")
    expect(status).not_to_contain_text("identiteitskaart")


def reopened_or_open(page, lang):
    if not page.get_by_role("dialog").is_visible():
        open_widget(page, lang)
    expect(page.get_by_role("dialog")).to_be_visible()


@pytest.mark.e2e
def test_handoff_to_a_colleague_live_in_two_browsers(browser, live, assistant):
    """Issue 6: the person escalates, a colleague takes it in the console and answers, the person sees it
    live and answers back, the colleague returns it to the assistant, which answers the next question;
    later the colleague closes it and the person rates it. axe-core on the console pages."""
    from groupinsurance import db
    from web.staff import create

    engine = db.make_engine(assistant.env["DATABASE_URL"])
    try:
        with db.make_session_factory(engine).begin() as session:
            create(session, "live@insurer.example", "Lieve", "a long enough password")
    finally:
        engine.dispose()
    person_context = browser.new_context(locale="nl-BE", timezone_id="Europe/Brussels")
    staff_context = browser.new_context(locale="nl-BE", timezone_id="Europe/Brussels")
    person_context.set_default_timeout(20000)
    staff_context.set_default_timeout(20000)
    try:
        person, staff = person_context.new_page(), staff_context.new_page()
        load(person, live + "/")
        open_widget(person)
        answer = ask(person, "ik wil een medewerker spreken")
        expect(answer).to_contain_text("collega")
        # Open or closed (the live app's hours), the person is told what happens next.
        expect(answers(person).last).to_contain_text(re.compile("wachttijd|gesloten"))

        staff.goto(live + "/console/login")
        assert run_axe(staff) == []
        staff.get_by_label("E-mailadres").fill("live@insurer.example")
        staff.get_by_label("Wachtwoord").fill("a long enough password")
        staff.get_by_role("button", name="Inloggen").click()
        expect(staff.get_by_role("heading", level=1)).to_have_text("Gesprekken die op een collega wachten")
        assert run_axe(staff) == []
        staff.get_by_role("button", name="Nemen").first.click()
        expect(staff.locator(".transcript")).to_contain_text("ik wil een medewerker spreken")
        assert run_axe(staff) == []
        staff.get_by_label("Uw antwoord aan de persoon").fill("Goeiedag, ik help u graag verder.")
        staff.get_by_role("button", name="Versturen").click()

        # The person sees the reply without reloading, and answers: it reaches the console live.
        expect(answers(person).last).to_contain_text("Goeiedag, ik help u graag verder.", timeout=15000)
        box = person.get_by_label(INPUT_LABEL["nl"])
        box.fill("Ik heb een vraag over mijn pensioenfiche.")
        box.press("Enter")
        expect(staff.locator(".transcript")).to_contain_text("Ik heb een vraag over mijn pensioenfiche.", timeout=15000)

        staff.get_by_role("button", name="Teruggeven aan de assistent").click()
        expect(answers(person).last).to_contain_text("teruggegeven aan de digitale assistent", timeout=15000)
        answer = ask(person, DUTCH_QUESTION)
        expect(answer).to_contain_text("Bron: FAQ 7")

        # Escalated again, then closed: the person rates it.
        ask(person, "ik wil een medewerker spreken")
        staff.goto(live + "/console/")
        staff.get_by_role("button", name="Nemen").first.click()
        staff.get_by_role("button", name="Afsluiten").click()
        expect(answers(person).last).to_contain_text("Hoe tevreden bent u", timeout=15000)
        person.locator(".gic-quick-reply", has_text="5").last.click()
        expect(answers(person).last).to_contain_text("Bedankt voor uw score.")
        staff.goto(live + "/console/dashboard")
        expect(staff.locator('[data-figure="satisfaction"]')).not_to_have_text("—")
        assert run_axe(staff) == []
    finally:
        person_context.close()
        staff_context.close()


# --- against the fake Rasa: failures, HTML from the assistant, formats, embedding ----------------

def test_assistant_failure_shows_a_translated_message_and_retry_works(page, fake_live, fake):
    fake.status = 500
    load(page, fake_live + "/?lang=fr")
    open_widget(page, "fr")
    ask(page, "bonjour", "fr")
    error = page.locator(".gic-msg--error")
    expect(error).to_contain_text("L'assistant n'a pas pu répondre. Veuillez réessayer.")
    expect(page.locator(".gic [aria-live=polite]")).to_contain_text("L'assistant n'a pas pu répondre")

    fake.status = 200
    before = answers(page).count()
    page.get_by_role("button", name="Réessayer").click()
    wait_for_reply(page, before)
    expect(error).to_have_count(0)
    expect(answers(page).last).to_contain_text("echo: bonjour")
    expect(page.locator(".gic-msg--user")).to_have_count(1)  # the question is not repeated
    assert [r["message"] for r in fake.requests] == ["bonjour", "bonjour"]


def test_slow_assistant_shows_typing_then_a_timeout_message_with_retry(page, fake_live, fake):
    fake.delay = 3.0
    load(page, fake_live + "/")
    open_widget(page)
    box = page.get_by_label("Uw vraag")
    box.fill("hallo")
    box.press("Enter")
    expect(page.locator(".gic-typing")).to_be_visible()
    expect(page.locator(".gic-typing")).to_contain_text("De assistent is aan het typen")
    expect(page.locator(".gic-msg--error")).to_contain_text("De assistent doet er te lang over", timeout=10000)
    expect(page.locator(".gic-typing")).to_have_count(0)
    expect(page.get_by_role("button", name="Opnieuw proberen")).to_be_visible()


def test_web_app_unreachable_shows_a_message_not_a_spinner(page, fake_live):
    load(page, fake_live + "/")
    open_widget(page)
    page.route("**/api/chat", lambda route: route.abort())
    ask(page, "hallo")
    expect(page.locator(".gic-msg--error")).to_contain_text("De assistent is niet bereikbaar")
    expect(page.get_by_role("button", name="Opnieuw proberen")).to_be_visible()


def test_html_in_an_answer_is_text_and_only_real_addresses_are_links(page, fake_live, fake):
    fake.reply = lambda payload: [
        {"text": XSS + " <b>vet</b> <script>window.hacked=1</script>\n\n"
                 "- zie https://www.mypension.be.\n- javascript:alert(2)"},
        {"custom": {"source": {"kind": "fallback"}}},
    ]
    load(page, fake_live + "/")
    open_widget(page)
    answer = ask(page, "test")
    expect(answer).to_contain_text(XSS + " <b>vet</b> <script>window.hacked=1</script>")
    assert shadow_count(page, ".gic-messages img, .gic-messages b, .gic-messages script") == 0
    links = answer.locator(".gic-bubble a")
    expect(links).to_have_count(1)
    assert links.get_attribute("href") == "https://www.mypension.be"
    assert "noopener" in links.get_attribute("rel")
    expect(answer.locator(".gic-source")).to_have_count(0)  # no source line for a fallback
    expect(answer.locator("li")).to_have_count(2)
    assert page.evaluate("() => window.hacked") is None


def test_message_times_use_belgian_formats(page, fake_live):
    conversation = {"id": "stored0000000001", "messages": [
        {"role": "user", "text": "vraag", "time": "2025-03-05T13:05:00Z"},
        {"role": "bot", "text": "antwoord", "time": "2025-03-05T13:05:02Z",
         "source": {"kind": "definition", "id": "acquired-reserve", "url": "/knowledge/definition/acquired-reserve",
                    "term": {"nl": "verworven reserve", "fr": "réserve acquise"}}},
    ]}
    page.add_init_script(
        "localStorage.setItem('gi-chat:current', JSON.stringify('stored0000000001'));"
        "localStorage.setItem('gi-chat:conversation:stored0000000001', %s);" % json.dumps(json.dumps(conversation)))
    load(page, fake_live + "/")
    open_widget(page)
    time_nl = page.locator(".gic-time").first.inner_text()
    assert "mrt" in time_nl and "2025" in time_nl and "14:05" in time_nl
    expect(page.get_by_role("link", name=re.compile("^Bron: begrip ‘verworven reserve’"))).to_be_visible()
    page.get_by_role("button", name="Français").click()
    expect(page.locator(".gic-time").first).to_contain_text("mars")
    expect(page.get_by_role("link", name=re.compile("^Source : définition « réserve acquise »"))).to_be_visible()


@contextlib.contextmanager
def static_site(directory):
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(directory))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_widget_embeds_on_another_site_with_one_script_tag(browser, fake, build_dir, tmp_path, database_url):
    from web import create_app

    with static_site(tmp_path) as site:
        app = create_app({"RASA_URL": fake.url, "TRANSLATIONS_BUILD_DIR": str(build_dir),
                          "WIDGET_ALLOWED_ORIGINS": (site,), "DATABASE_URL": database_url})
        with serving(app) as assistant_url:
            (tmp_path / "index.html").write_text(
                '<!doctype html><html lang="en"><head><title>Another site</title>'
                '<style>button { background: red !important; font-size: 40px; }</style></head>'
                '<body><main><h1>Some employer intranet</h1></main>'
                f'<script src="{assistant_url}/static/widget.js" data-init data-lang="fr" '
                'data-title="Vos questions pension" data-start-open="true"></script></body></html>',
                encoding="utf-8")
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            problems = Problems(page)
            try:
                load(page, site + "/index.html")
                expect(page.get_by_role("dialog")).to_be_visible()  # startOpen
                expect(page.get_by_role("heading", name="Vos questions pension")).to_be_visible()
                answer = ask(page, "bonjour", "fr")
                expect(answer).to_contain_text("echo: bonjour")
                assert fake.requests[-1]["metadata"] == {"lang": "fr"}
                # the host page's styles do not reach the widget
                send_bg = page.locator(".gic-send").evaluate("e => getComputedStyle(e).backgroundColor")
                assert send_bg != "rgb(255, 0, 0)"
                assert problems.errors == []
            finally:
                context.close()


# --- a claim's documents: the upload form under the assistant's message ------------------------------

def shadow_options(page):
    return page.evaluate("""() => Array.from(document.getElementById('group-insurance-chat').shadowRoot
        .querySelectorAll('.gic-upload select option')).map(o => o.value)""")


def test_upload_a_claim_document_from_the_chat(page, fake_live, fake, pierre_claim, upload_dir):
    fake.reply = lambda payload: [
        {"text": "Stuur ons uw documenten voor aanvraag " + pierre_claim + "."},
        {"custom": {"upload": {"claim": pierre_claim, "kinds": ["identity_card", "proof_of_life"]}}},
    ]
    page.goto(fake_live + "/auth/test-login")
    page.get_by_role("button", name="Inloggen als Pierre Lambert").click()
    page.wait_for_url(fake_live + "/")
    load(page, fake_live + "/")
    open_widget(page)
    answer = ask(page, "ik wil mijn documenten sturen")
    expect(answer).to_contain_text("Stuur ons uw documenten")

    form = answer.get_by_role("form", name=f"Een document toevoegen aan aanvraag {pierre_claim}")
    expect(form).to_be_visible()
    assert shadow_options(page) == ["identity_card", "proof_of_life"]
    expect(form.get_by_label("Soort document").locator("option").first).to_have_text("Identiteitskaart (recto-verso)")
    assert form.get_by_label("Bestand").get_attribute("accept") == \
        ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
    assert run_axe(page) == []

    form.get_by_label("Soort document").select_option("identity_card")
    form.get_by_label("Bestand").set_input_files(
        {"name": "identiteitskaart.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"})
    form.get_by_role("button", name="Opladen").click()
    expect(answers(page).last).to_contain_text("Identiteitskaart (recto-verso) ontvangen.")
    expect(page.locator(".gic [aria-live=polite]")).to_contain_text("ontvangen")
    # only what is still missing is offered now
    expect(page.locator(".gic-upload select option")).to_have_count(1)
    assert shadow_options(page) == ["proof_of_life"]
    [stored] = list(upload_dir.iterdir())
    assert stored.read_bytes() == b"%PDF-1.4\n%%EOF\n"

    # a script named like a picture and a PDF: refused with the API's message, and the form stays
    form = page.get_by_role("form", name=re.compile("^Een document toevoegen"))
    form.get_by_label("Bestand").set_input_files(
        {"name": "foto.png.pdf", "mimeType": "application/pdf", "buffer": b"<script>alert(1)</script>\n"})
    form.get_by_role("button", name="Opladen").click()
    alert = form.get_by_role("alert")
    expect(alert).to_have_text("Enkel PDF-, JPEG- of PNG-bestanden worden aanvaard.")
    expect(form).to_be_visible()
    assert shadow_options(page) == ["proof_of_life"]
    assert len(list(upload_dir.iterdir())) == 1
    assert run_axe(page) == []

    # after a reload the form is still there (with what is missing), the confirmation too, and
    # it is on the latest message that asked for documents only
    page.reload()
    load(page, fake_live + "/")
    reopened(page)
    expect(page.locator(".gic-msg--bot").last).to_contain_text("Identiteitskaart (recto-verso) ontvangen.")
    expect(page.locator(".gic-upload")).to_have_count(1)
    assert shadow_options(page) == ["proof_of_life"]
    ask(page, "en nog eens")
    expect(page.locator(".gic-upload")).to_have_count(1)
    expect(answers(page).last.locator(".gic-upload")).to_have_count(1)
    assert shadow_options(page) == ["identity_card", "proof_of_life"]
