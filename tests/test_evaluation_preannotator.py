"""Leave-one-out evaluation of the pre-annotator, against the issue's targets."""

from __future__ import annotations

import dataclasses
import json

import pytest

from helpers import ANNOTATIONS, REPO, SEEDS
from sokhan.annotate.gazetteer import Entry
from sokhan.cli import main
from sokhan.evaluation.preannotator import (
    TARGETS,
    Score,
    held_out_registry,
    leave_one_out,
    markdown,
    score,
)


@pytest.fixture(scope="module")
def table():
    return leave_one_out(ANNOTATIONS, SEEDS)


@pytest.mark.slow
def test_leave_one_out_meets_the_targets(table):
    s = table.system
    assert s.row("named").f1 >= TARGETS["named"]
    assert s.row("numeric").f1 >= TARGETS["numeric"]
    assert s.row("quote detection").f1 >= TARGETS["quote detection"]
    assert s.speaker_accuracy >= TARGETS["speaker accuracy"]
    # and the pre-annotator beats looking names up in the registry
    assert s.row("all").f1 > table.baseline.row("all").f1


@pytest.mark.slow
def test_the_card_shows_the_table_as_measured(table):
    # everything but the timing line, which depends on the machine
    measured = markdown(table).rsplit("\n", 1)[0]
    assert measured in (REPO / "dataset_card.md").read_text(encoding="utf-8"), (
        "dataset_card.md: paste the table of `sokhan eval-preannotator`")


@pytest.mark.slow
def test_markdown_renders_every_row_beside_the_baseline(table):
    text = markdown(table)
    for row in table.system.rows:
        assert f"{row.f1:.3f}" in text
    assert "speaker accuracy" in text and "baseline" in text
    assert json.loads(json.dumps(dataclasses.asdict(table)))["articles"] == 5


def test_held_out_registry_drops_what_only_that_article_mentions():
    entries = (Entry("a", "PERSON", "الف", ("الف",)), Entry("b", "GPE", "ب", ("ب", "بی")))
    golds = {
        "one": {"mentions": [{"text": "الف", "entity": "a", "type": "PERSON"},
                             {"text": "بی", "entity": "b", "type": "GPE"}], "quotes": []},
        "two": {"mentions": [{"text": "ب", "entity": "b", "type": "GPE"}], "quotes": []},
    }
    kept = held_out_registry(entries, golds, "one")
    # «الف» only in the held-out article: gone; alias «بی» only spelt there: gone
    assert [(e.id, e.aliases) for e in kept] == [("b", ("ب",))]


def test_scores_count_overlapping_cues_and_exact_spans():
    gold = {"mentions": [{"start": 0, "end": 3, "type": "GPE"}],
            "quotes": [{"cue": {"start": 5, "end": 8}, "content": [{"start": 10, "end": 20}],
                        "form": "direct", "speaker_entity": "x"}]}
    pred = {"mentions": [{"start": 0, "end": 3, "type": "GPE"},
                         {"start": 4, "end": 5, "type": "CARDINAL"}],
            "quotes": [{"cue": {"start": 6, "end": 12}, "content": [{"start": 10, "end": 15}],
                        "form": "indirect", "speaker_entity": "x"}]}
    result = score([(pred, gold)], (), 0.0)
    assert result.row("named") == Score("named", 1, 1, 1)
    assert result.row("numeric") == Score("numeric", 0, 1, 0)
    assert result.row("quote detection").f1 == 1.0
    assert result.row("content overlap").recall == 0.5
    assert (result.form_accuracy, result.speaker_accuracy) == (0.0, 1.0)


@pytest.mark.slow
def test_cli_prints_the_table(capsys):
    assert main(["eval-preannotator", "--annotations", str(ANNOTATIONS),
                 "--seeds", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    assert "| entities, named types" in out and "baseline F1" in out
