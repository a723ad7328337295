"""Licences and citation agree everywhere: card, Croissant, CITATION.cff, pyproject, LICENSE."""

from __future__ import annotations

import json
import re
import tomllib

import yaml

from helpers import ANNOTATIONS, REPO
from sokhan.publication.about import CITATION_KEY, TITLE
from sokhan.publication.licence import (
    ANNOTATIONS_LICENCE_URL,
    ANNOTATIONS_SPDX,
    CODE_SPDX,
    LICENCE_FILE,
    TEXTS_STATEMENT,
)

NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five"}


def _cff() -> dict:
    return yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_code_licence_is_mit_in_pyproject_and_license():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == CODE_SPDX == "MIT"
    assert "LICENSE" in project["license-files"]
    assert (REPO / "LICENSE").read_text().startswith("MIT License\n")


def test_corpus_licence_file_has_the_cc_by_legal_code_and_the_texts_statement(fresh_corpus):
    text = (fresh_corpus / LICENCE_FILE).read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0 International Public License" in text
    assert "Section 1 – Definitions." in text
    assert TEXTS_STATEMENT in text and ANNOTATIONS_SPDX in text and CODE_SPDX in text


def test_card_croissant_and_citation_state_the_same_terms(fresh_corpus):
    card = _flat((fresh_corpus / "README.md").read_text(encoding="utf-8"))
    meta = yaml.safe_load((fresh_corpus / "README.md").read_text(encoding="utf-8")
                          .split("---\n")[1])
    assert meta["license_link"] == LICENCE_FILE
    assert TEXTS_STATEMENT in card
    assert f"annotations `{ANNOTATIONS_SPDX}`, code `{CODE_SPDX}`" in card
    croissant = json.loads((fresh_corpus / "croissant.json").read_text(encoding="utf-8"))
    assert croissant["license"] == ANNOTATIONS_LICENCE_URL
    assert croissant["copyrightNotice"] == TEXTS_STATEMENT
    cff = _cff()
    assert cff["license"] == [ANNOTATIONS_SPDX, CODE_SPDX]
    assert cff["preferred-citation"]["license"] == ANNOTATIONS_SPDX
    # the message and the notes say what the texts are: theirs, for research only
    for text in (cff["message"], cff["preferred-citation"]["notes"], cff["abstract"]):
        assert "belong to their outlets" in text or "property of their outlets" in text
        assert "non-commercial research only" in text


def test_citation_matches_the_card(fresh_corpus):
    card = (fresh_corpus / "README.md").read_text(encoding="utf-8")
    cff = _cff()
    assert _flat(cff["title"]) == TITLE == _flat(cff["preferred-citation"]["title"])
    assert f"@misc{{{CITATION_KEY}," in card and f"title   = {{{TITLE}}}" in card
    key = [i["value"] for i in cff["preferred-citation"]["identifiers"] if i["type"] == "other"]
    assert key == [CITATION_KEY]
    assert cff["version"] == cff["preferred-citation"]["version"]


def test_citation_abstract_counts_the_annotation_passes(fresh_corpus):
    passes = sorted(p.name for p in (ANNOTATIONS / "passes").iterdir() if p.is_dir())
    assert len(passes) >= 2
    abstract = _flat(_cff()["abstract"])
    assert re.search(rf"\b{NUMBERS[len(passes)]} independent passes\b", abstract)
    assert not re.search(r"\btwice\b", abstract)
    card = _flat((fresh_corpus / "README.md").read_text(encoding="utf-8"))
    assert f"annotated in {NUMBERS[len(passes)]} independent passes" in card
