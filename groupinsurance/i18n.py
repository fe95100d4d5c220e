"""Dutch and French wording of what the shared package writes (the contract overview, profile changes).

The catalogs are gettext .po files in groupinsurance/translations/<lang>/LC_MESSAGES/groupinsurance.po,
with English message ids. They are compiled in memory the first time a language is used, so the action
server needs no build step. `missing_translations()` lists untranslated or fuzzy entries (a test keeps it
empty); an entry that is missing anyway falls back to the English id rather than failing a reply.

Updating after changing a message:
    .venv/bin/pybabel extract -o groupinsurance/translations/groupinsurance.pot --no-location --omit-header groupinsurance
    .venv/bin/pybabel update -D groupinsurance -i groupinsurance/translations/groupinsurance.pot -d groupinsurance/translations --ignore-obsolete
"""
from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Dict, List

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from groupinsurance.language import BABEL_LOCALES, SUPPORTED

CATALOG_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "groupinsurance"


def _po_path(lang: str) -> Path:
    return CATALOG_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.lru_cache(maxsize=None)
def translations(lang: str) -> Translations:
    if lang not in SUPPORTED:
        raise ValueError(f"unsupported language {lang!r}")
    with _po_path(lang).open("rb") as po_file:
        catalog = read_po(po_file, locale=BABEL_LOCALES[lang], domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def gettext(lang: str, message: str, **values) -> str:
    """`message` in `lang`, with %(name)s placeholders filled from `values`."""
    text = translations(lang).gettext(message)
    return text % values  # always: a literal percent sign is written %% in the message


def missing_translations() -> Dict[str, List[str]]:
    """Per language, the message ids that have no (or only a fuzzy) translation."""
    missing: Dict[str, List[str]] = {}
    for lang in SUPPORTED:
        with _po_path(lang).open("rb") as po_file:
            catalog = read_po(po_file, locale=BABEL_LOCALES[lang], domain=DOMAIN)
        missing[lang] = [
            str(message.id) for message in catalog
            if message.id and (not message.string or message.fuzzy)
        ]
    return missing


def translator(lang: str):
    """A `_(message, **values)` function for `lang`; name it `_` so that pybabel extracts the messages."""

    def _(message: str, **values) -> str:
        return gettext(lang, message, **values)

    return _
