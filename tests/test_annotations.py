"""Gold annotations: adjudicated from two passes, every change accounted for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import ANNOTATIONS
from sokhan.evaluation.agreement import (
    PASS_NAMES,
    coverage_table,
    describe_passes,
    disagreements,
    entity_agreement,
    match_quotes,
    pass_files,
    quote_agreement,
)

LOG = json.loads((ANNOTATIONS / "passes" / "adjudication.json").read_text(encoding="utf-8"))
GOLD = {
    p.stem: json.loads(p.read_text(encoding="utf-8"))
    for p in sorted(ANNOTATIONS.glob("*.json"))
    if p.name != "entities.json"
}


def test_every_article_has_gold_and_its_passes_are_known(assembled):
    doc_ids = sorted(d.doc_id for d in assembled.docs)
    assert sorted(GOLD) == doc_ids
    assert sorted(assembled.gold) == doc_ids
    # every pass file is of a published article
    for name in PASS_NAMES:
        assert set(pass_files(assembled, name)) <= set(doc_ids)
    # the five original articles were annotated three times; articles added later
    # may have fewer passes, and the card says which
    for doc_id in doc_ids[:5]:
        assert assembled.pass_coverage[doc_id] == ("a", "b", "c")


@pytest.mark.parametrize(("passes", "words"), [
    # gold only: a reviewed pre-annotation draft, no agreement
    ((), "one pass: a reviewed pre-annotation draft"),
    # one pass kept beside the gold
    (("a",), "one pass (A)"),
    # the original three
    (("a", "b", "c"), "3 passes (A, B, C)"),
])
def test_passes_are_described_for_one_two_or_three(passes, words):
    assert words in describe_passes(passes)
    assert f"| `x` | {len(passes) or 1} |" in coverage_table({"x": passes})


def test_a_single_pass_article_changes_no_agreement_or_adjudication(assembled):
    a, b = pass_files(assembled, "a"), pass_files(assembled, "b")
    gold = dict(assembled.gold)
    gold2 = {**gold, "999_new": next(iter(gold.values()))}  # an article with gold only
    a2 = {**a, "998_only_a": next(iter(a.values()))}  # and one with pass A only
    assert disagreements(a2, b) == disagreements(a, b)
    assert disagreements(a, gold2) == disagreements(a, gold)
    assert entity_agreement(a2, b) == entity_agreement(a, b)
    assert quote_agreement(a2, b) == quote_agreement(a, b)


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
