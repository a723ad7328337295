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
