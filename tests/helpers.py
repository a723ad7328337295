"""Shared test helpers: the repository's paths and private copies of its inputs.

Test files import from here, never from each other or from ``conftest``.
"""

from __future__ import annotations

import copy
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


#: The article drafts are made from in tests.
DRAFT_DOC = "003_6bdf49eb73ba74a2"
#: The entity the test draft proposes.
PROPOSED = {"id": "test-proposed-entity", "type": "GPE", "name_fa": "تهران",
            "name_en": "Tehran <proposed & \"quoted\">", "aliases": ["تهران"],
            "is_group": False, "members": []}


def make_draft(annotations: Path, doc_id: str = DRAFT_DOC, **block) -> dict:
    """A draft of the pre-annotator's shape, made from a gold file: one mention re-linked to a
    proposed entity. ``block`` overrides fields of the ``draft`` block."""
    gold = json.loads((annotations / f"{doc_id}.json").read_text(encoding="utf-8"))
    draft = copy.deepcopy(gold)
    draft["annotator"] = "sokhan annotate"
    mention = next(m for m in draft["mentions"] if m["type"] == "GPE")
    mention["entity"] = PROPOSED["id"]
    draft["draft"] = {"tool": "sokhan annotate", "version": "0.0-test", "status": "draft",
                      "proposed_entities": [copy.deepcopy(PROPOSED)], **block}
    return draft


def write_json(path: Path, value) -> Path:
    """``value`` as UTF-8 JSON at ``path``."""
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
