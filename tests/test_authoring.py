"""Authoring: metadata from the text, doc ids, anchors, accepting drafts, releases."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from helpers import ANNOTATIONS, MINI, REPO, SEEDS
from sokhan import __version__
from sokhan.authoring import metadata
from sokhan.authoring.accept import merge_registry, used_entities
from sokhan.authoring.add import manifest_entry, next_doc_id
from sokhan.authoring.anchors import Anchor, anchor_of, locate, to_anchors, to_offsets
from sokhan.authoring.release import bump
from sokhan.authoring.sentences import draft as draft_sentences
from sokhan.build import assemble
from sokhan.cli import main

GOLD = {p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(ANNOTATIONS.glob("*.json")) if p.name != "entities.json"}


# --- metadata derived from the text ---------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    # a short first line without final punctuation is a title
    ("روابط ایران و روسیه راهبردی است\nرئیس جمهور گفت: ...", "روابط ایران و روسیه راهبردی است"),
    # a first line ending in a full stop is the lead sentence, not a title
    ("رئیسی با پوتین دیدار کرد.\nوی گفت: ...", None),
    # an article of one line has no headline
    ("رئیسی با پوتین دیدار کرد", None),
    # a headline with a slash and Latin digits, as in seed 004
    ("جزئیات دیدار / همکاری 20 ساله\nمتن", "جزئیات دیدار / همکاری 20 ساله"),
])
def test_headline(text, expected):
    assert metadata.headline(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # «به گزارش» names the outlet; the desk («گروه سیاست») is dropped; «منبع» is the credit
    ("به گزارش گروه سیاست شجرنیوز، ...\nمنبع: ایسنا", ("شجرنیوز", "ایسنا")),
    # only «منبع»: it is the outlet
    ("متن\nمنبع: ایرنا", ("ایرنا", None)),
    # both name the same outlet: no separate credit
    ("به گزارش ایرنا، ...\nمنبع: ایرنا", ("ایرنا", None)),
    # neither: nothing is guessed
    ("رئیسی با پوتین دیدار کرد.", (None, None)),
])
def test_outlet(text, expected):
    assert metadata.outlet(text) == expected


@pytest.mark.parametrize(("text", "found"), [
    # day, month, year in Persian digits: converted (1402-09-15 is 6 December 2023)
    ("روز ۱۵ آذر ۱۴۰۲ در مسکو", [("۱۵ آذر ۱۴۰۲", "1402-09-15", "2023-12-06")]),
    # «دیماه» written together, no year: kept as evidence, not converted
    ("روز چهارشنبه ۲۹ دیماه", [("۲۹ دیماه", None, None)]),
    # a numeric date with slashes and Latin digits
    ("تاریخ 1403/07/12 ساعت ۱۰", [("1403/07/12", "1403-07-12", "2024-10-03")]),
    # the year glued to the month, and «ماه» after it
    ("۱ فروردین‌ماه ۱۴۰۳", [("۱ فروردین‌ماه ۱۴۰۳", "1403-01-01", "2024-03-20")]),
    # a month name inside a longer word is no date («مهرداد»)
    ("۲ مهرداد آمد", []),
    # 30 Esfand of a common year does not exist
    ("۳۰ اسفند ۱۴۰۲", []),
])
def test_solar_hijri_dates(text, found):
    assert [(d.text, d.jalali, d.gregorian) for d in metadata.hijri_dates(text)] == found


def test_derived_metadata_agrees_with_the_hand_written_manifest():
    manifest = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["seeds"]:
        derived = metadata.derive((SEEDS / entry["file"]).read_text(encoding="utf-8"))
        for key in ("headline", "outlet", "source_credit", "event_date_jalali"):
            # where the text gives a field, the derived value is the hand-written one
            if derived[key] is not None:
                assert derived[key] == entry[key], (entry["doc_id"], key)


def test_doc_id_rule():
    data = "سلام".encode()
    assert next_doc_id(["000_706e7e5b40e8e13d", "004_c895983ff8efc16d"], data) == \
        "005_" + __import__("hashlib").sha256(data).hexdigest()[:16]
    assert next_doc_id([], data).startswith("000_")
    entry = manifest_entry("005_x", data)
    assert (entry["sha256"], entry["size"]) == (
        __import__("hashlib").sha256(data).hexdigest(), len(data))
    assert entry["event_id"] is None and entry["participants_iran"] is None


# --- anchors ------------------------------------------------------------------------------


@pytest.mark.parametrize("doc_id", sorted(GOLD))
def test_anchors_round_trip_every_gold_file(doc_id):
    raw = (SEEDS / f"{doc_id}.txt").read_text(encoding="utf-8")
    anchored = to_anchors(GOLD[doc_id], raw)
    assert "start" not in json.dumps(anchored)
    back, incidents = to_offsets(anchored, raw, "x.json")
    assert incidents == [] and back == GOLD[doc_id]


@pytest.mark.parametrize(("raw", "anchor", "where"), [
    # the second occurrence on a line
    ("ایران و ایران\nایران", Anchor(1, "ایران", 2), (8, 13)),
    # line 2 counts from its own start
    ("ایران و ایران\nایران", Anchor(2, "ایران"), (14, 19)),
    # a third occurrence that is not there
    ("ایران و ایران\nایران", Anchor(1, "ایران", 3), "starts 2 time(s) on line 1"),
    # a line past the end
    ("ایران", Anchor(3, "ایران"), "line 3 does not exist"),
])
def test_locate(raw, anchor, where):
    found = locate(raw, anchor)
    if isinstance(where, tuple):
        assert found == where and anchor_of(raw, *found) == anchor
    else:
        assert isinstance(found, str) and where in found


# --- accepting a draft --------------------------------------------------------------------


def _entity(ident: str, name: str) -> dict:
    return {"id": ident, "type": "PERSON", "name_fa": name, "name_en": ident, "aliases": [name],
            "is_group": False, "members": []}


def test_merge_registry_adds_used_entities_and_refuses_clashes():
    registry = {"entities": [_entity("b", "ب")]}
    proposed = [_entity("c", "ج"), _entity("a", "الف"), _entity("b", "ب"),
                _entity("unused", "د")]
    merged, added, incidents = merge_registry(registry, proposed, {"a", "b", "c"}, "d.json")
    assert added == ("a", "c") and incidents == []  # identical "b" is no clash
    assert [e["id"] for e in merged["entities"]] == ["a", "b", "c"]  # unused one dropped
    _, _, incidents = merge_registry(registry, [_entity("b", "بی")], {"b"}, "d.json")
    assert [i.check for i in incidents] == ["entity-clash"]


def test_used_entities():
    assert used_entities(GOLD["001_4f304316c7061693"]) >= {"masoud-pezeshkian", "iran"}


# --- no silent gold ---------------------------------------------------------------------------


@pytest.mark.slow
def test_unannotated_article_is_left_out_of_every_config(tmp_path, capsys):
    seeds, annotations = tmp_path / "seeds", tmp_path / "annotations"
    shutil.copytree(MINI / "seeds", seeds)
    shutil.copytree(MINI / "annotations", annotations)
    article = tmp_path / "new.txt"
    article.write_bytes("پوتین در مسکو گفت: همکاری ادامه دارد.".encode())
    assert main(["add", str(article), "--seeds", str(seeds)]) == 0
    new_id = json.loads((seeds / "manifest.json").read_text(encoding="utf-8"))["seeds"][-1]
    card = tmp_path / "card.md"
    card.write_text("{{counts_table}}\n\n{{coverage_note}}\n", encoding="utf-8")
    args = ["--seeds", str(seeds), "--annotations", str(annotations), "--card", str(card),
            "--out", str(tmp_path / "corpus")]
    capsys.readouterr()
    assert main(["build", *args]) == 1
    assert "[annotation-missing]" in capsys.readouterr().err
    assert main(["build", *args, "--allow-unannotated"]) == 0
    out = capsys.readouterr().out
    assert "skipped: 1 articles without a gold annotation file, left out" in out
    assert f"not published: seeds/{new_id['file']}" in out
    corpus = assemble(seeds, annotations, allow_unannotated=True)
    for config, splits in corpus.rows.items():
        for rows in splits.values():
            assert all(r.get("doc_id") != new_id["doc_id"] for r in rows), config
    built = json.loads((tmp_path / "corpus" / "build-manifest.json").read_text(encoding="utf-8"))
    assert built["unannotated_seeds"] == [f"seeds/{new_id['file']}"]
    readme = (tmp_path / "corpus" / "README.md").read_text(encoding="utf-8")
    assert "1 article(s) in `seeds/` have no gold annotation file" in readme
    assert main(["validate", *args, "--allow-unannotated"]) == 0
    assert main(["validate", *args]) == 1


# --- the expected-sentences fixture and the release ---------------------------------------


def test_draft_sentences_reproduces_the_reviewed_fixture():
    fixture = json.loads((REPO / "tests" / "fixtures" / "expected_sentences.json")
                         .read_text(encoding="utf-8"))
    doc_id = "001_4f304316c7061693"
    assert draft_sentences(SEEDS, doc_id) == fixture[doc_id]


def _version_texts() -> dict[str, str]:
    return {name: (REPO / name).read_text(encoding="utf-8")
            for name in ("pyproject.toml", "scripts/sokhan/__init__.py", "CITATION.cff")}


def test_version_is_the_same_in_every_file():
    texts = _version_texts()
    version = re.search(r'(?m)^version = "(.*)"$', texts["pyproject.toml"]).group(1)
    date = re.search(r'(?m)^RELEASE_DATE = "(.*)"$', texts["scripts/sokhan/__init__.py"]).group(1)
    assert version == __version__  # the installed metadata: reinstall after a release
    assert texts["CITATION.cff"].count(f"version: {version}\n") == 2
    assert texts["CITATION.cff"].count(f"date-released: {date}\n") == 2


def test_release_bumps_every_file_in_one_step():
    texts = _version_texts()
    current = re.search(r'(?m)^version = "(.*)"$', texts["pyproject.toml"]).group(1)
    new, incidents = bump(texts, "99.0.0", "2027-01-15")
    assert incidents == []
    assert 'version = "99.0.0"' in new["pyproject.toml"]
    assert 'RELEASE_DATE = "2027-01-15"' in new["scripts/sokhan/__init__.py"]
    assert new["CITATION.cff"].count("version: 99.0.0\n") == 2
    assert "year: 2027\n" in new["CITATION.cff"] and "cff-version: 1.2.0" in new["CITATION.cff"]
    # everything else is untouched
    assert new["pyproject.toml"].replace('"99.0.0"', f'"{current}"') == texts["pyproject.toml"]
    for version, date in ((current, "2027-01-15"), ("1.0", "2027-01-15"),
                          ("99.0.0", "15.1.27")):
        assert [i.check for i in bump(texts, version, date)[1]] == ["release-version"]
