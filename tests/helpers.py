"""Shared test helpers: the repository's paths and private copies of its inputs.

Test files import from here, never from each other or from ``conftest``.
"""

from __future__ import annotations

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


#: A card that asks for the agreement report, so the passes are read for it too.
PASS_CARD = "# Mini corpus\n\n{{counts_table}}\n\n{{agreement_table}}\n"


def add_passes(root: Path) -> None:
    """Give a mini-corpus workspace two annotation passes (copies of the gold) with registries.

    The card template then asks for the agreement report, which reads them.
    """
    for name in ("a", "b"):
        folder = root / "annotations" / "passes" / name
        folder.mkdir(parents=True)
        shutil.copyfile(MINI / "annotations" / "mini_001.json", folder / "mini_001.json")
        shutil.copyfile(MINI / "annotations" / "entities.json", folder / "entities.json")
    (root / "card.md").write_text(PASS_CARD, encoding="utf-8")
