"""Shared test helpers: the repository's paths and private copies of its inputs.

Test files import from here, never from each other or from ``conftest``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
ANNOTATIONS = REPO / "corpus" / "annotations"
CARD = REPO / "dataset_card.md"
COMMITTED = REPO / "corpus"
MINI = REPO / "tests" / "fixtures" / "mini"


def copy_inputs(tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the seeds and annotations a test may damage."""
    seeds = tmp_path / "seeds"
    annotations = tmp_path / "corpus" / "annotations"
    shutil.copytree(SEEDS, seeds)
    shutil.copytree(ANNOTATIONS, annotations)
    return seeds, annotations


def seed_records() -> list[dict]:
    """The five seed articles as ``sokhan process`` input records, with their metadata."""
    manifest = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
    out = []
    for entry in manifest["seeds"]:
        meta = {k: v for k, v in entry.items() if k not in ("doc_id", "file", "sha256", "size")}
        text = (SEEDS / entry["file"]).read_text(encoding="utf-8")
        out.append({"id": entry["doc_id"], "text": text, **meta})
    return sorted(out, key=lambda r: r["id"])


def write_jsonl(path: Path, records: list, raw_lines: tuple[bytes, ...] = ()) -> Path:
    """Write records one JSON object a line, then any raw (possibly broken) lines."""
    with path.open("wb") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False).encode() + b"\n")
        for line in raw_lines:
            f.write(line + b"\n")
    return path
