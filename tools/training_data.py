"""Read the NLU training examples (bot/data/nlu/<lang>/*.yml) as (language, intent, text) rows."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, NamedTuple

import yaml

NLU_DIR = Path(__file__).resolve().parent.parent / "bot" / "data" / "nlu"
_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")


class Example(NamedTuple):
    lang: str
    intent: str
    text: str


def examples(nlu_dir: Path = NLU_DIR) -> Iterator[Example]:
    for lang_dir in sorted(p for p in nlu_dir.iterdir() if p.is_dir()):
        for path in sorted(lang_dir.glob("*.yml")):
            for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
                if "intent" not in block:
                    continue
                for line in (block.get("examples") or "").splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        yield Example(lang_dir.name, block["intent"], _ANNOTATION.sub(r"\1", line[2:].strip()))
