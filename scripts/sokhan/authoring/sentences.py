"""``sokhan draft-sentences``: draft an article's entry of the expected-sentences fixture.

``tests/fixtures/expected_sentences.json`` holds, per article, the sentences a
person has checked (number, line, role, raw text, repeat). The entry is drafted
from what the build segments, then reviewed line by line, never typed; the
test then holds the segmenter to it.
"""

from __future__ import annotations

import json
from pathlib import Path

from sokhan.annotate.run import write_atomically
from sokhan.checks.incidents import BuildError, Incident, shown_path
from sokhan.checks.jsonfile import load_json
from sokhan.records import Document, Sentence
from sokhan.stages.normalise import normalise
from sokhan.stages.seeds import read_seeds
from sokhan.stages.segment import segment
from sokhan.stages.tokenise import tokenise


def fixture_entry(sentences: list[Sentence]) -> list[dict]:
    """The fixture's record of each sentence, as tests/test_segment.py compares it."""
    return [{"n": s.n, "line": s.line, "role": s.role, "raw_text": s.raw_text,
             "repeat_of": s.repeat_of} for s in sentences]


def draft(seeds_dir: Path, doc_id: str) -> list[dict]:
    """The drafted fixture entry of one seed.

    Raises:
        BuildError: the seeds fail their checks, or no seed has that doc id.
    """
    seeds = {s.doc_id: s for s in read_seeds(seeds_dir)}
    seed = seeds.get(doc_id.removesuffix(".txt"))
    if seed is None:
        raise BuildError([Incident(shown_path(seeds_dir / "manifest.json"), "", "seed-missing",
                                   f"no seed with doc id {doc_id!r}; expected one of "
                                   f"{', '.join(sorted(seeds))}")])
    norm = normalise(seed.raw_text)
    doc = Document(seed, norm.text, norm.alignment, norm.repairs)
    return fixture_entry(tokenise(doc, segment(doc), f"seeds/{seed.file}"))


def merge_into(fixture: Path, doc_id: str, entry: list[dict], overwrite: bool) -> None:
    """Add (or with ``overwrite`` replace) one article's entry in the fixture file."""
    data, incidents = load_json(fixture, "annotation-json") if fixture.exists() else ({}, [])
    if incidents or not isinstance(data, dict):
        raise BuildError(incidents or [Incident(shown_path(fixture), "", "annotation-json",
                                                "expected an object of articles")])
    if doc_id in data and not overwrite:
        raise BuildError([Incident(shown_path(fixture), f"/{doc_id}", "gold-exists",
                                   "the fixture already has this article's reviewed sentences; "
                                   "expected a new article (pass --overwrite to redraft)")])
    data[doc_id] = entry
    text = json.dumps(dict(sorted(data.items())), ensure_ascii=False, indent=1) + "\n"
    write_atomically(fixture, text)
