"""Adding an article: the README's five commands, end to end, on a made-up article.

``sokhan add``, ``sokhan annotate``, a review (corrections written as copied
strings, status set to reviewed) checked with ``sokhan validate --draft``,
``sokhan accept``, ``sokhan build`` and ``sokhan validate``, in a private copy of
the seeds and annotations with explicit folders, as README "Adding an article".
"""

from __future__ import annotations

import json
import shutil

import pytest

from helpers import ANNOTATIONS, CARD, REPO, SEEDS
from sokhan.cli import main
from sokhan.publication.parquet import data_path

ARTICLE = REPO / "tests" / "fixtures" / "authoring" / "new_article.txt"


def _read(path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_a_new_article_reaches_the_published_corpus(tmp_path, capsys):
    seeds, annotations = tmp_path / "seeds", tmp_path / "corpus" / "annotations"
    shutil.copytree(SEEDS, seeds)
    shutil.copytree(ANNOTATIONS, annotations)
    out, draft = tmp_path / "corpus", tmp_path / "draft.json"
    folders = ["--seeds", str(seeds), "--annotations", str(annotations)]
    build_args = [*folders, "--out", str(out), "--card", str(CARD)]

    # 1. add: a byte copy in seeds/, its manifest entry with what the text says
    assert main(["add", str(ARTICLE), "--seeds", str(seeds)]) == 0
    entry = _read(seeds / "manifest.json")["seeds"][-1]
    doc_id = entry["doc_id"]
    assert doc_id.startswith("005_")
    assert (seeds / entry["file"]).read_bytes() == ARTICLE.read_bytes()
    assert (entry["outlet"], entry["source_credit"]) == ("خبرگزاری ایرنا", "ایرنا")
    assert (entry["event_date_jalali"], entry["event_date"]) == ("1403-07-12", "2024-10-03")
    assert entry["event_id"] is None  # to fill in
    assert main(["add", str(ARTICLE), "--seeds", str(seeds)]) == 1  # not twice
    # without gold the build refuses the article
    capsys.readouterr()
    assert main(["build", *build_args]) == 1
    assert f"[annotation-missing] seed seeds/{entry['file']}" in capsys.readouterr().err

    # 2. annotate
    assert main(["annotate", str(seeds / entry["file"]), "--out", str(draft), *folders]) == 0
    ann = _read(draft)
    assert ann["draft"]["status"] == "draft"

    # 3. review: correct a span by copying the right string, fix the proposed entry,
    #    drop a proposal the reviewer rejects, then mark the draft reviewed
    wrong = next(m for m in ann["mentions"] if m["text"].startswith("یوری اوشاکوف"))
    for key in ("start", "end"):
        del wrong[key]
    wrong.update(line=3, occurrence=1, text="یوری اوشاکوف", entity="yuri-ushakov")
    proposed = [p for p in ann["draft"]["proposed_entities"] if p["type"] == "PERSON"]
    proposed[0].update(id="yuri-ushakov", name_fa="یوری اوشاکوف", name_en="Yuri Ushakov",
                       aliases=["یوری اوشاکوف"])
    proposed[0].pop("note", None)
    ann["draft"]["proposed_entities"] = proposed
    ann["mentions"] = [m for m in ann["mentions"] if m["entity"] in (None, "yuri-ushakov")
                       or not m["entity"].startswith("new-")]
    draft.write_text(json.dumps(ann, ensure_ascii=False, indent=1), encoding="utf-8")
    assert main(["validate", "--draft", str(draft), *folders]) == 0
    assert main(["accept", str(draft), *folders]) == 1  # not reviewed yet
    ann["draft"]["status"] = "reviewed"
    draft.write_text(json.dumps(ann, ensure_ascii=False, indent=1), encoding="utf-8")

    # 4. accept: the gold file, without the draft block; the registry gains the entity
    assert main(["accept", str(draft), *folders, "--annotator", "reviewer"]) == 0
    gold = _read(annotations / f"{doc_id}.json")
    assert "draft" not in gold and gold["annotator"] == "reviewer"
    ushakov = next(m for m in gold["mentions"] if m["entity"] == "yuri-ushakov")
    raw = ARTICLE.read_text(encoding="utf-8")
    assert raw[ushakov["start"]:ushakov["end"]] == "یوری اوشاکوف"
    assert "yuri-ushakov" in {e["id"] for e in _read(annotations / "entities.json")["entities"]}
    assert main(["accept", str(draft), *folders]) == 1  # never overwrites silently

    # 5. build and validate: the article is published with its annotation
    assert main(["build", *build_args]) == 0
    assert main(["validate", *build_args]) == 0
    built = _read(out / "build-manifest.json")
    assert built["skipped"] and not any(built["skipped"].values())
    import pyarrow.parquet as pq

    split = built["splits"][doc_id]
    sentences = pq.read_table(out / data_path("sentences", split)).to_pylist()
    tags = [t for s in sentences if s["doc_id"] == doc_id for t in s["ner_tags"]]
    assert tags and any(t != 0 for t in tags)
    mentions = pq.read_table(out / data_path("mentions", split)).to_pylist()
    assert any(m["entity_id"] == "yuri-ushakov" for m in mentions if m["doc_id"] == doc_id)
    card = (out / "README.md").read_text(encoding="utf-8")
    assert f"`{doc_id}` | 1 | one pass: a reviewed pre-annotation draft" in card

    # and its expected sentences are drafted for review, not typed
    fixture = tmp_path / "tests" / "fixtures" / "expected_sentences.json"
    fixture.parent.mkdir(parents=True)
    shutil.copyfile(REPO / "tests" / "fixtures" / "expected_sentences.json", fixture)
    assert main(["draft-sentences", doc_id, "--seeds", str(seeds), "--into", str(fixture)]) == 0
    assert [s["line"] for s in _read(fixture)[doc_id]][:2] == [1, 2]
