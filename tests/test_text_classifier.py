"""The NLU classifier on its own: ranking order, confidence calibration point, retrieval output."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bot"))

from components.text_classifier import build_pipeline, confidence, ranking  # noqa: E402

TEXTS = [
    ("kan ik een voorschot krijgen op mijn groepsverzekering", "conditions/advance"),
    ("voorschot opnemen voor mijn huis", "conditions/advance"),
    ("lening op mijn pensioenreserves", "conditions/advance"),
    ("wie krijgt het geld als ik sterf", "conditions/death_beneficiaries"),
    ("begunstigden bij overlijden", "conditions/death_beneficiaries"),
    ("wie erft mijn groepsverzekering", "conditions/death_beneficiaries"),
    ("hallo", "greet"),
    ("goeiedag", "greet"),
    ("dag allemaal", "greet"),
]


def test_confidence_is_one_half_at_the_rejection_margin_and_monotonic():
    assert confidence(-0.3, -0.3, 8.0) == 0.5
    assert confidence(0.5, -0.3, 8.0) > confidence(0.0, -0.3, 8.0) > 0.5 > confidence(-0.6, -0.3, 8.0)


def test_ranking_puts_the_matching_label_first():
    pipeline = build_pipeline().fit([t for t, _ in TEXTS], [label for _, label in TEXTS])
    ranked = ranking(pipeline, "voorschot op mijn groepsverzekering?", -0.3, 8.0)
    assert ranked[0][0] == "conditions/advance"
    assert [c for _, c in ranked] == sorted((c for _, c in ranked), reverse=True)
    assert ranking(pipeline, "wie krijgt mijn geld als ik overlijd", -0.3, 8.0)[0][0] == "conditions/death_beneficiaries"
    # Accents and capitals do not matter: the features fold them.
    assert ranking(pipeline, "HÀLLO", -0.3, 8.0)[0][0] == "greet"
