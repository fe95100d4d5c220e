"""Which language a person wrote in: Dutch, French, or unclear.

Short messages ("ok", "merci", "hallo") say little: Belgian Dutch speakers write "merci" too. Only a
confident detection overrides the language the widget reports; otherwise the widget's choice stands.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import Optional

from lingua import Language, LanguageDetectorBuilder

SUPPORTED = ("nl", "fr")
# The Babel locale for dates and amounts in each language.
BABEL_LOCALES = {"nl": "nl_BE", "fr": "fr_BE"}
DEFAULT_LANGUAGE = "nl"

# English is a candidate only so that English-looking words ("help", "benefit statement") are not
# forced into Dutch or French; an English message counts as unclear.
_CANDIDATES = {Language.DUTCH: "nl", Language.FRENCH: "fr", Language.ENGLISH: None}
# Below this confidence the text is treated as unclear. 0.75 keeps "merci" (0.54) and "ok" (0.69)
# unclear and "bonjour" (0.88) or any full question (> 0.95) decided; see tests/test_language.py.
MIN_CONFIDENCE = 0.75
# One or two words ("merci hé", "oké", "salut") are shared across Belgium's languages: demand more.
MIN_CONFIDENCE_SHORT = 0.85

# Names that stay the same in both languages; "mijngroepsverzekering" alone makes French look Dutch.
_NAMES = re.compile(
    r"mijn\s*groeps?verzekering(?:\.vivium\.be)?|vivium(?:\.be)?|eb[- ]?connect|tax[- ]on[- ]web"
    r"|my\s?pension(?:\.be)?|itsme|benefit[- ]statements?|\bfas\b",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=1)
def _detector():
    return LanguageDetectorBuilder.from_languages(*_CANDIDATES).with_preloaded_language_models().build()


def detect(text: str) -> Optional[str]:
    """'nl' or 'fr' when the text clearly is that language, else None."""
    if not text or not text.strip() or text.lstrip().startswith("/"):
        return None  # empty, or a button payload such as /show_topic{...}
    text = _NAMES.sub(" ", text)
    words = text.split()
    if not words:
        return None
    best = max(_detector().compute_language_confidence_values(text), key=lambda c: c.value)
    if best.value < (MIN_CONFIDENCE_SHORT if len(words) <= 2 else MIN_CONFIDENCE):
        return None
    return _CANDIDATES[best.language]


def normalize(lang: Optional[str]) -> Optional[str]:
    """'fr', 'fr-BE', 'FR_be' -> 'fr'; anything unsupported -> None."""
    if not lang or not isinstance(lang, str):
        return None
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    return code if code in SUPPORTED else None


def choose(text: str, client_lang: Optional[str], previous: Optional[str]) -> str:
    """The reply language: what the person wrote in; if unclear, the client's; then the last one used."""
    return detect(text) or normalize(client_lang) or normalize(previous) or DEFAULT_LANGUAGE


def fold(text: str) -> str:
    """Lower case without accents, for matching what people type: 'Français' -> 'francais'."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
