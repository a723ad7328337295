"""The pre-annotator end to end: drafts validate, are deterministic and fast; the CLI."""

from __future__ import annotations

import json
import statistics
import time

import pytest

from helpers import ANNOTATIONS, SEEDS
from sokhan.annotate import draft, names, run
from sokhan.annotate.text import read_article
from sokhan.checks.annotations import check_annotation
from sokhan.checks.schemas import schema_incidents
from sokhan.cli import main
from sokhan.records import Document, Entity, SeedFile
from sokhan.stages.normalise import normalise
from sokhan.stages.segment import segment
from sokhan.stages.tokenise import tokenise

#: A made-up article (not from the seeds) with new names, dates, numbers and quotations.
MADE_UP = (
    "سرگئی لاوریننکو: همکاری با تهران ادامه دارد\n"
    "به گزارش خبرگزاری فارس، سرگئی لاوریننکو معاون وزیر انرژی روسیه روز سه شنبه ۱۴ آبان "
    "در دیدار با وزیر نفت ایران گفت: حجم مبادلات ۳۵ درصد افزایش یافته است. ما آماده ایم.\n"
    "وی افزود که قرارداد ۲ میلیارد دلاری طی هفته آینده در مسکو امضا می شود.\n"
    "منبع: ایرنا"
)


@pytest.fixture(scope="module")
def trained():
    entries = run.read_registry(ANNOTATIONS)
    model = names.train(run.gold_examples(ANNOTATIONS, SEEDS), entries)
    draft.load()
    return entries, model


def _validator_incidents(raw: str, doc_id: str, result: dict, entries) -> list:
    norm = normalise(raw)
    doc = Document(SeedFile(doc_id, f"{doc_id}.txt", raw, "", len(raw.encode()), {}),
                   norm.text, norm.alignment, norm.repairs)
    sentences = tokenise(doc, segment(doc), "t")
    registry = {e.id: Entity(e.id, e.type, e.name_fa, "x", e.aliases, e.is_group, e.members)
                for e in entries}
    for e in result["draft"]["proposed_entities"]:
        registry[e["id"]] = Entity(e["id"], e["type"], e["name_fa"], e["name_en"],
                                   tuple(e["aliases"]))
    _, found = check_annotation(result, "draft.json", doc, sentences, registry, doc_id)
    return [i for i in found if i.check != "annotation-draft"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_draft_of_every_seed_validates(trained, seed):
    entries, model = trained
    raw = (SEEDS / seed).read_text(encoding="utf-8")
    result = draft.annotate(raw, seed[:-4], entries, model)
    assert schema_incidents(result, "annotation", "draft.json", "annotation-schema") == []
    assert _validator_incidents(raw, seed[:-4], result, entries) == []
    assert result["draft"]["status"] == "draft"


@pytest.mark.slow
def test_made_up_article_draft_validates_and_proposes_new_names(trained):
    entries, model = trained
    result = draft.annotate(MADE_UP, "made-up", entries, model)
    assert schema_incidents(result, "annotation", "draft.json", "annotation-schema") == []
    assert _validator_incidents(MADE_UP, "made-up", result, entries) == []
    proposed = {e["name_fa"] for e in result["draft"]["proposed_entities"]}
    assert "سرگئی لاوریننکو" in proposed  # a name the registry lacks
    found = {(m["text"], m["type"]) for m in result["mentions"]}
    assert {("۳۵ درصد", "PERCENT"), ("۲ میلیارد دلاری", "MONEY"), ("هفته آینده", "DATE"),
            ("روز سه شنبه ۱۴ آبان", "DATE"), ("مسکو", "GPE")} <= found
    headline, said, added = result["quotes"]
    assert (headline["cue"]["text"], said["cue"]["text"], added["cue"]["text"]) == (
        ":", "گفت", "افزود")
    assert added["speaker_entity"] == said["speaker_entity"] == headline["speaker_entity"]


@pytest.mark.slow
def test_same_input_same_bytes_even_with_a_model_trained_again(trained):
    entries, model = trained
    again = names.train(run.gold_examples(ANNOTATIONS, SEEDS), entries)
    raw = (SEEDS / "003_6bdf49eb73ba74a2.txt").read_text(encoding="utf-8")
    first = draft.dumps(draft.annotate(raw, "x", entries, model))
    assert draft.dumps(draft.annotate(raw, "x", entries, again)) == first
    assert draft.dumps(draft.annotate(raw, "x", entries, model)) == first


@pytest.mark.slow
def test_under_a_second_per_article_once_loaded(trained):
    entries, model = trained
    spent = []
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        started = time.perf_counter()
        draft.annotate(raw, path.stem, entries, model)
        spent.append(time.perf_counter() - started)
    assert statistics.median(spent) < 1.0


@pytest.mark.slow
def test_cli_annotate_writes_a_draft(tmp_path, capsys):
    out = tmp_path / "drafts" / "made-up.json"
    article = tmp_path / "made-up.txt"
    article.write_text(MADE_UP, encoding="utf-8")
    assert main(["annotate", str(article), "--out", str(out), "--seeds", str(SEEDS),
                 "--annotations", str(ANNOTATIONS)]) == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["doc_id"] == "made-up" and written["draft"]["tool"] == "sokhan annotate"
    assert "wrote draft" in capsys.readouterr().out


@pytest.mark.parametrize(("make", "out", "check"), [
    # no such article: the seed check id
    (lambda d: d / "missing.txt", "draft.json", "seed-missing"),
    # a CRLF article is refused like a seed
    (lambda d: (d / "crlf.txt", (d / "crlf.txt").write_bytes(b"\xd8\xa7\r\n"))[0],
     "draft.json", "seed-crlf"),
    # a doc id the schema refuses, from the file name
    (lambda d: (d / "bad id.txt", (d / "bad id.txt").write_text("سلام", encoding="utf-8"))[0],
     "draft.json", "annotation-doc-id"),
])
def test_cli_annotate_refuses_bad_input(tmp_path, capsys, make, out, check):
    article = make(tmp_path)
    code = main(["annotate", str(article), "--out", str(tmp_path / "o" / out),
                 "--seeds", str(SEEDS), "--annotations", str(ANNOTATIONS)])
    err = capsys.readouterr().err
    assert code == 1 and f"[{check}]" in err
    assert not (tmp_path / "o").exists()


def test_cli_annotate_will_not_write_into_the_gold_folder(capsys):
    code = main(["annotate", str(SEEDS / "004_c895983ff8efc16d.txt"), "--out",
                 str(ANNOTATIONS / "draft.json"), "--seeds", str(SEEDS),
                 "--annotations", str(ANNOTATIONS)])
    assert code == 1 and "[output-unsafe]" in capsys.readouterr().err
    assert not (ANNOTATIONS / "draft.json").exists()


def test_article_text_is_read_exactly(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("پوتين گفت: آري", encoding="utf-8")  # Arabic «ي» stays in the raw text
    assert run.read_text(path) == "پوتين گفت: آري"
    assert read_article(run.read_text(path), "a").raw == "پوتين گفت: آري"
