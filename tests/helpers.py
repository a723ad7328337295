"""Helpers shared by test modules (no test file imports another)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

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
