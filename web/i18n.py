"""Languages, gettext catalogs and the widget's UI strings.

The catalogs (web/translations/<lang>/LC_MESSAGES/messages.po) are the source; the .mo files Flask-Babel
reads are build outputs, compiled at start-up (or by `make catalogs`) into TRANSLATIONS_BUILD_DIR.

Updating the catalogs after changing a UI string:
    .venv/bin/pybabel extract -F web/babel.cfg -k _l -o web/translations/messages.pot --no-location --omit-header web
    .venv/bin/pybabel update -i web/translations/messages.pot -d web/translations --ignore-obsolete
then translate the new entries in both .po files (tests/test_web_api.py checks nothing is missing).
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Dict, Iterable, Optional

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, g, request
from flask_babel import force_locale, lazy_gettext as _l, refresh

from groupinsurance.claims import DocumentKind
from groupinsurance.language import normalize
from web.config import LANGUAGES, LOCALES

CATALOG_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"


def compile_catalogs(build_dir: os.PathLike, source_dir: os.PathLike = CATALOG_DIR) -> Path:
    """Compile every <lang>/LC_MESSAGES/messages.po under source_dir into build_dir, where stale.

    Each .mo is written to a temporary file and renamed, so several processes starting at once never
    read a half-written catalog.
    """
    build = Path(build_dir)
    for po_path in sorted(Path(source_dir).glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        lang = po_path.parent.parent.name
        mo_path = build / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=lang, domain=DOMAIN)
        fd, tmp_name = tempfile.mkstemp(dir=mo_path.parent, prefix=".messages-", suffix=".mo")
        try:
            with os.fdopen(fd, "wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=False)
            os.replace(tmp_name, mo_path)
        except BaseException:
            os.unlink(tmp_name)
            raise
    return build


def request_language(default: Optional[str] = None) -> str:
    """The language of the current request: ?lang=, then the browser's preference, then Dutch."""
    chosen = normalize(request.args.get("lang"))
    if chosen:
        return chosen
    best = request.accept_languages.best_match(LANGUAGES)
    return best or default or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_locale() -> str:
    """Flask-Babel's locale selector: nl_BE or fr_BE, so that dates and amounts are Belgian."""
    return LOCALES[g.get("lang") or request_language()]


def use_language(lang: str) -> None:
    """Make the rest of this request use `lang` (the chat API takes it from the JSON body)."""
    g.lang = lang
    refresh()


# The documents a payout claim can need (groupinsurance.claims.DocumentKind), as the person sees them.
DOCUMENT_LABELS = {
    DocumentKind.IDENTITY_CARD: _l("Identity card (both sides)"),
    DocumentKind.PROOF_OF_LIFE: _l("Proof of life"),
    DocumentKind.PENSION_START_PROOF: _l("Decision setting the start date of your legal pension"),
    DocumentKind.BIRTH_CERTIFICATE: _l("Extract of the birth certificate"),
    DocumentKind.REVERSION_BIRTH_CERTIFICATE: _l("Extract of the birth certificate of the reversion beneficiary"),
    DocumentKind.DEATH_CERTIFICATE: _l("Extract of the death certificate"),
    DocumentKind.MEDICAL_CERTIFICATE: _l("Medical certificate stating the cause of death"),
    DocumentKind.CERTIFICATE_OF_INHERITANCE: _l("Certificate of inheritance"),
}

# Every string the widget shows, by key. The widget substitutes {placeholders} itself.
WIDGET_STRINGS = {
    "launcher": _l("Ask our assistant"),
    "title": _l("Group insurance assistant"),
    "subtitle": _l("Digital assistant: answers from the FAQ and the general conditions"),
    "close": _l("Close the chat"),
    "new_conversation": _l("New conversation"),
    "new_conversation_started": _l("A new conversation has started."),
    "language": _l("Language"),
    "language_changed": _l("The chat is now in English."),
    "conversation": _l("Conversation"),
    "input_label": _l("Your question"),
    "input_placeholder": _l("Type your question…"),
    "send": _l("Send"),
    "you": _l("You"),
    "assistant": _l("Assistant"),
    "typing": _l("The assistant is typing…"),
    "suggestions": _l("Suggested answers"),
    "welcome": _l(
        "Hello! I am the digital assistant for your group insurance. Ask me your question in Dutch or "
        "French, for example about the website, your benefit statement or the general conditions."
    ),
    "example_1": _l("What is a benefit statement?"),
    "example_2": _l("Can I get an advance on my group insurance?"),
    "example_3": _l("Why can I not log in to the website?"),
    "source_faq": _l("Source: FAQ {id}"),
    "source_article": _l("Source: article {id} of the general conditions"),
    "source_definition": _l("Source: definition ‘{term}’"),
    "opens_new_tab": _l("(opens in a new tab)"),
    "log_in": _l("Log in"),
    "rating_thanks": _l("Thank you for your score."),
    "retry": _l("Try again"),
    "error_network": _l("The assistant cannot be reached. Check your connection and try again."),
    "error_timeout": _l("The assistant is taking too long to answer. Please try again."),
    "error_generic": _l("Something went wrong. Please try again."),
    "no_answer": _l("The assistant did not answer. Please rephrase your question."),
    "too_long": _l("Your question is too long: at most {max} characters."),
    "disclaimer": _l(
        "Automated answers for information only: your pension regulation and contracts are binding."
    ),
    # The form under a message that asks for a claim's documents (POST /api/claims/<reference>/documents).
    "upload_form": _l("Add a document to claim {reference}"),
    "upload_document": _l("Document"),
    "upload_file": _l("File"),
    "upload_hint": _l("PDF, JPEG or PNG"),
    "upload_button": _l("Upload"),
    "upload_sending": _l("Uploading…"),
    "upload_done": _l("{label} received."),
    "upload_choose_file": _l("Choose a file first."),
    "upload_failed": _l("The document could not be sent. Check your connection and try again."),
    # The documents' names too, so that the form follows a change of language ("document_identity_card").
    **{f"document_{kind.value}": label for kind, label in DOCUMENT_LABELS.items()},
}


def widget_strings(lang: str) -> Dict[str, str]:
    with force_locale(LOCALES[lang]):
        return {key: str(value) for key, value in WIDGET_STRINGS.items()}


def language_name(lang: str) -> str:
    return {"nl": "Nederlands", "fr": "Français"}[lang]


def main(argv: Iterable[str] = ()) -> None:
    """`python -m web.i18n [BUILD_DIR]`: compile the catalogs (the Makefile's `catalogs` step)."""
    from web.config import from_environment

    args = list(argv)
    target = Path(args[0]) if args else Path(from_environment()["TRANSLATIONS_BUILD_DIR"])
    compile_catalogs(target)
    print(f"Compiled the catalogs into {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
