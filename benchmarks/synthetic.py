"""Synthetic Persian news articles made of the seeds' lines (fixed random seed).

Each article is a headline and 6–14 paragraphs of one to four sentences drawn
from the five seed articles: real Persian news text in the seeds' style, whose
paragraphs (almost) never repeat, so no per-line cache can flatter the
throughput. The same ``(n, seed)`` always gives the same file.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

_SENTENCE_END = re.compile(r"(?<=[.!؟])\s+")

REPO = Path(__file__).resolve().parents[1]


def seed_lines(seeds: Path = REPO / "seeds") -> tuple[list[str], list[str]]:
    """(first lines, sentences of the other non-empty lines) of the seed articles."""
    heads: list[str] = []
    body: list[str] = []
    for path in sorted(seeds.glob("*.txt")):
        lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
        heads.append(lines[0])
        body.extend(s for line in lines[1:] for s in _SENTENCE_END.split(line) if s.strip())
    return heads, body


def articles(n: int, seed: int = 12):
    """Yield ``n`` records ``{"id", "text"}``."""
    rng = random.Random(seed)
    heads, body = seed_lines()
    for k in range(n):
        paragraphs = [" ".join(rng.choices(body, k=rng.randint(1, 4)))
                      for _ in range(rng.randint(6, 14))]
        lines = [rng.choice(heads), *paragraphs]
        yield {"id": f"syn-{k:06d}", "text": "\n".join(lines)}


def write_jsonl(path: Path, n: int, seed: int = 12) -> Path:
    """Write ``n`` synthetic articles as JSONL."""
    with path.open("w", encoding="utf-8") as f:
        for record in articles(n, seed):
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
