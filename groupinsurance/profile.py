"""What a person may change about themselves (FAQ 8): their private e-mail address and the language of
their documents. Each change is stored and a confirmation is queued in the outbox, in one transaction.

The person is always the logged-in one: callers pass the national number from the verified identity
token, never from anything typed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from groupinsurance import identifiers
from groupinsurance.i18n import translator
from groupinsurance.language import fold
from groupinsurance.models import LANGUAGES, OutboxMessage, Person, utcnow

# Something@something.tld inside a sentence ("mijn nieuw adres is jan@example.org, dank u").
_EMAIL_IN_TEXT = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")


class InvalidEmail(ValueError):
    """No usable e-mail address in the text; `reason` is email-validator's (English) explanation."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class PersonNotFound(LookupError):
    """The logged-in person is not in the insurer's data (no contract has ever been imported for them)."""


def parse_email(text: str) -> str:
    """The one e-mail address in `text`, normalised; InvalidEmail if there is none or it is not valid.

    >>> parse_email("mijn nieuw adres is Jan.Peeters@Example.org, dank u")
    'Jan.Peeters@example.org'
    >>> parse_email("jan.peeters@example")
    Traceback (most recent call last):
        ...
    groupinsurance.profile.InvalidEmail: The part after the @-sign is not valid. It should have a period.
    """
    candidates = _EMAIL_IN_TEXT.findall(text or "")
    if not candidates:
        raise InvalidEmail("There is no @-sign.")
    if len(candidates) > 1:
        raise InvalidEmail("There is more than one address.")
    try:
        # Syntax only, no DNS: the confirmation message will show whether the address works.
        return validate_email(candidates[0].rstrip(".!?"), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from None


# Language names as people type them, accents and case ignored.
_LANGUAGE_WORDS = {
    "nl": {"nl", "nederlands", "vlaams", "neerlandais", "dutch", "nederlandstalig", "neerlandophone"},
    "fr": {"fr", "frans", "francais", "french", "franstalig", "francophone"},
}


def parse_language(text: str) -> Optional[str]:
    """'nl' or 'fr' when the text names exactly one of the two languages, else None.

    >>> parse_language("in het Frans graag"), parse_language("en néerlandais svp"), parse_language("NL")
    ('fr', 'nl', 'nl')
    >>> parse_language("Nederlands of Frans?") is None
    True
    """
    words = set(re.findall(r"[a-z]+", fold(text)))
    found = [lang for lang, names in _LANGUAGE_WORDS.items() if words & names]
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class ProfileChange:
    field: str  # 'private_email' | 'language'
    old_value: Optional[str]
    new_value: str
    changed: bool  # False when the new value equals the old one (nothing stored, nothing queued)


def _person(session: Session, national_number: str) -> Person:
    number = identifiers.validate(national_number)
    person = session.execute(select(Person).where(Person.national_number == number)).scalar_one_or_none()
    if person is None:
        raise PersonNotFound("no person with this number")
    return person


def current_profile(session: Session, national_number: str) -> Person:
    return _person(session, national_number)


def change_private_email(session: Session, national_number: str, email: str) -> ProfileChange:
    """Stores the new private address and queues a confirmation to it. Call inside a transaction."""
    person = _person(session, national_number)
    new = parse_email(email)
    old = person.private_email
    if old is not None and old.casefold() == new.casefold():
        return ProfileChange("private_email", old, new, changed=False)
    person.private_email = new
    person.private_email_set_by_person_at = utcnow()
    _ = translator(person.language)
    session.add(OutboxMessage(
        recipient=new,
        language=person.language,
        subject=_("Your private e-mail address has been changed"),
        body=_(
            "Dear %(first_name)s,\n\nYou have given this address as your private e-mail address for your "
            "group insurance. From now on we will also write to you here, also after you leave your "
            "employer.\n\nDid you not make this change? Contact us.",
            first_name=person.first_name,
        ),
    ))
    return ProfileChange("private_email", old, new, changed=True)


def change_language(session: Session, national_number: str, lang: str) -> ProfileChange:
    """Stores the language of the person's documents and queues a confirmation in that language."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    person = _person(session, national_number)
    old = person.language
    if old == lang:
        return ProfileChange("language", old, lang, changed=False)
    person.language = lang
    person.language_set_by_person_at = utcnow()
    recipient = person.private_email or person.business_email
    if recipient:  # nowhere to write to: the change is stored all the same
        _ = translator(lang)
        session.add(OutboxMessage(
            recipient=recipient,
            language=lang,
            subject=_("The language of your documents has been changed"),
            body=_(
                "Dear %(first_name)s,\n\nFrom now on you will receive the documents of your group "
                "insurance, such as your benefit statement, in Dutch or French as you chose: this message "
                "is in that language.\n\nDid you not make this change? Contact us.",
                first_name=person.first_name,
            ),
        ))
    return ProfileChange("language", old, lang, changed=True)
