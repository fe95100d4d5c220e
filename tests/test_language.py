"""Reply language: what the person wrote in, else the widget's, else the last one."""
import pytest

from groupinsurance.language import choose, detect, normalize
from tools import training_data


@pytest.mark.parametrize(
    "text, expected",
    [
        ("wat is een onthaalstructuur", "nl"),
        ("c'est quoi une structure d'accueil", "fr"),
        ("kan ik mn geld opvragen als ik van werk verander", "nl"),
        ("je veux parler a quelqu un", "fr"),
        ("bonjour", "fr"),
        ("bedankt", "nl"),
        # Too short or shared by both languages: unclear.
        ("merci", None),
        ("ok", None),
        ("help", None),
        ("EB-Connect?", None),
        ("", None),
        ('/show_topic{"topic": "faq:7"}', None),
    ],
)
def test_detect(text, expected):
    assert detect(text) == expected


def test_choose_prefers_clear_text_then_widget_then_previous():
    assert choose("wat is een voorschot", "fr", "fr") == "nl"
    assert choose("merci", "nl", "fr") == "nl"
    assert choose("merci", None, "fr") == "fr"
    assert choose("ok", None, None) == "nl"
    assert choose("ok", "fr-BE", None) == "fr"
    assert choose("ok", "de", "fr") == "fr"


def test_normalize():
    assert normalize("FR_be") == "fr"
    assert normalize("nl-BE") == "nl"
    assert normalize("en") is None
    assert normalize(None) is None


def test_training_examples_are_never_taken_for_the_other_language():
    """On every training sentence, detection may be unclear but must not pick the wrong language."""
    wrong = [(e.lang, e.text) for e in training_data.examples() if detect(e.text) not in (None, e.lang)]
    total = sum(1 for _ in training_data.examples())
    assert len(wrong) <= 0.01 * total, wrong[:20]
