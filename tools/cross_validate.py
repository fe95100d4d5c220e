"""5-fold NLU cross-validation, each language on its own (the model is one, trained on both).

    python -m tools.cross_validate [--folds 5] [--languages nl fr]

Prints, per language, the intent accuracy and weighted F1 (DIET) and the response-selector accuracy
(which FAQ, topic or definition), from Rasa's own reports in var/cross-validation/<lang>/.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
NLU_DIR = ROOT / "bot" / "data" / "nlu"


def run_language(lang: str, folds: int) -> dict:
    out = ROOT / "var" / "cross-validation" / lang
    shutil.rmtree(out, ignore_errors=True)
    with tempfile.TemporaryDirectory() as data_dir:
        for path in [*NLU_DIR.glob("*.yml"), *(NLU_DIR / lang).glob("*.yml")]:
            shutil.copy(path, Path(data_dir) / f"{path.parent.name}-{path.name}")
        print(f"==> {lang}: {folds}-fold cross-validation (trains {folds} models)", file=sys.stderr, flush=True)
        subprocess.run(
            [str(Path(sys.executable).parent / "rasa"), "test", "nlu", "--nlu", data_dir,
             "--config", "config.yml", "--cross-validation", "--folds", str(folds), "--out", str(out)],
            cwd=ROOT / "bot", check=True,
        )
    intent = json.loads((out / "intent_report.json").read_text())
    selector = json.loads((out / "response_selection_report.json").read_text())
    return {
        "intent_accuracy": intent["accuracy"],
        "intent_weighted_f1": intent["weighted avg"]["f1-score"],
        "selector_accuracy": selector["accuracy"],
        "selector_weighted_f1": selector["weighted avg"]["f1-score"],
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--languages", nargs="+", default=["nl", "fr"])
    args = parser.parse_args(argv)
    results = {lang: run_language(lang, args.folds) for lang in args.languages}
    print(f"\n{'lang':<6}{'intent acc':>12}{'intent F1':>11}{'answer acc':>12}{'answer F1':>11}")
    for lang, r in results.items():
        print(f"{lang:<6}{r['intent_accuracy']:>12.1%}{r['intent_weighted_f1']:>11.1%}"
              f"{r['selector_accuracy']:>12.1%}{r['selector_weighted_f1']:>11.1%}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
