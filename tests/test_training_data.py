"""Training data covers every answer in both languages and never contains an evaluation sentence."""
import json
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from tools import training_data

EVAL_DIR = Path(__file__).resolve().parent.parent / "eval"
MIN_EXAMPLES = {"faq": 10, "conditions": 8, "definition": 5}


def folded(text: str) -> str:
    """Lowercase, no accents, no punctuation, single spaces: how near-copies are caught."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def test_every_answer_has_examples_in_both_languages(kb):
    counts = defaultdict(Counter)
    for example in training_data.examples():
        counts[example.intent][example.lang] += 1
    short = []
    for key in kb.intent_response_keys:
        for lang in ("nl", "fr"):
            if counts[key][lang] < MIN_EXAMPLES[key.split("/")[0]]:
                short.append(f"{key} [{lang}]: {counts[key][lang]}")
    assert not short, short
    unknown = [i for i in counts if "/" in i and i not in kb.intent_response_keys]
    assert not unknown, f"training intents that answer nothing: {unknown}"


def test_no_evaluation_sentence_in_training_data():
    training = {folded(e.text) for e in training_data.examples()}
    leaked = []
    for path in EVAL_DIR.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and folded(json.loads(line)["text"]) in training:
                leaked.append(json.loads(line)["text"])
    assert not leaked, leaked


def test_no_example_in_two_intents():
    intents_by_text = defaultdict(set)
    for example in training_data.examples():
        intents_by_text[folded(example.text)].add(example.intent)
    clashes = {text: intents for text, intents in intents_by_text.items() if len(intents) > 1}
    assert not clashes, clashes
