"""Gold annotations: adjudicated from two passes, every change accounted for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import ANNOTATIONS
from sokhan.evaluation.agreement import disagreements, match_quotes, pass_files

LOG = json.loads((ANNOTATIONS / "passes" / "adjudication.json").read_text(encoding="utf-8"))
GOLD = {
    p.stem: json.loads(p.read_text(encoding="utf-8"))
    for p in sorted(ANNOTATIONS.glob("*.json"))
    if p.name != "entities.json"
}


def test_every_article_has_gold_and_every_pass(assembled):
    doc_ids = sorted(d.doc_id for d in assembled.docs)
    assert sorted(GOLD) == doc_ids
    assert sorted(assembled.gold) == doc_ids
    for name in ("a", "b", "c"):
        assert sorted(pass_files(assembled, name)) == doc_ids


def test_every_disagreement_between_the_passes_is_adjudicated(assembled):
    found = disagreements(pass_files(assembled, "a"), pass_files(assembled, "b"))
    assert set(found) == set(LOG["a_vs_b"])
    for key, entry in LOG["a_vs_b"].items():
        assert entry["decision"] in {"a", "b", "other"} and entry["reason"], key


def test_every_difference_between_gold_and_pass_a_has_a_reason(assembled):
    found = disagreements(pass_files(assembled, "a"), assembled.gold)
    assert set(found) == set(LOG["gold_changes"])
    for key, entry in LOG["gold_changes"].items():
        assert len(entry["reason"]) > 40, key


@pytest.mark.parametrize("doc_id", sorted(GOLD))
def test_gold_nested_quotes_sit_inside_their_parent(doc_id):
    quotes = {q["id"]: q for q in GOLD[doc_id]["quotes"]}
    for q in quotes.values():
        if q["parent"]:
            parent = quotes[q["parent"]]
            lo = min(c["start"] for c in parent["content"])
            hi = max(c["end"] for c in parent["content"])
            assert lo <= q["cue"]["start"] and q["cue"]["end"] <= hi, q["id"]


def test_registry_entities_are_all_used():
    registry = json.loads((ANNOTATIONS / "entities.json").read_text(encoding="utf-8"))
    used = set()
    for ann in GOLD.values():
        used |= {m["entity"] for m in ann["mentions"]}
        used |= {q["speaker_entity"] for q in ann["quotes"]}
        used |= {q["addressee_entity"] for q in ann["quotes"]}
    unused = [e["id"] for e in registry["entities"] if e["id"] not in used]
    assert unused == []


def test_quote_matching_pairs_identical_passes_one_to_one(assembled):
    ann = next(iter(assembled.gold.values()))
    pairs = match_quotes(ann.quotes, ann.quotes)
    assert [x.id for x, _ in pairs] == [q.id for q in sorted(ann.quotes, key=lambda q: q.cue.start)]
    assert all(x is y for x, y in pairs)


def test_adjudication_log_path_is_where_the_guidelines_say():
    assert "passes/adjudication.json" in (
        Path(__file__).parents[1] / "docs" / "annotation_guidelines.md"
    ).read_text(encoding="utf-8")
