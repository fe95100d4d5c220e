"""Sweep the classifier's rejection margin on an evaluation set, without starting Rasa.

    python -m tools.tune_rejection eval/dev.jsonl [--c 1.0]

Trains the same pipeline as bot/components/text_classifier.py on bot/data/nlu and prints top-1
accuracy per kind and language for each margin: how `reject_margin` in bot/config.yml was chosen.
Tune on the dev set only; the test set gives the final, untuned figure.
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from typing import Optional, Sequence

from knowledge import default_knowledge
from knowledge.answers import source_of
from tools import training_data
from tools.evaluate import is_correct, load_lines

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bot"))
from components.text_classifier import build_pipeline  # noqa: E402

MARGINS = (-1.0, -0.6, -0.5, -0.4, -0.35, -0.3, -0.25, -0.2)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--c", type=float, default=1.0)
    args = parser.parse_args(argv)
    kb = default_knowledge()
    examples = list(training_data.examples())
    pipeline = build_pipeline(args.c).fit([e.text for e in examples], [e.intent for e in examples])
    lines = load_lines(args.files)
    margins = pipeline.decision_function([line["text"] for line in lines])
    for reject in MARGINS:
        table = defaultdict(lambda: [0, 0])
        for line, row in zip(lines, margins):
            best = int(row.argmax())
            entry = kb.by_intent_response_key(str(pipeline.classes_[best]))
            got = source_of(entry) if entry is not None and row[best] >= reject else {"kind": "fallback"}
            cell = table[(line["expect"]["kind"], line["lang"])]
            cell[0] += is_correct(line["expect"], got)
            cell[1] += 1
        print(f"margin {reject:+.2f}  " + "  ".join(
            f"{kind}/{lang} {ok / n:6.1%}" for (kind, lang), (ok, n) in sorted(table.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
