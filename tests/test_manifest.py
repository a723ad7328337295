"""The build manifest and the process manifest follow their JSON Schemas.

``schema/build-manifest.schema.json`` and ``schema/process-manifest.schema.json``
describe the two generated manifests; each line of a run's ``problems.jsonl``
follows ``schema/process-problem.schema.json``. The committed manifest and fresh
ones must pass, and a table of damaged copies must not (so the schemas say
something).
"""

from __future__ import annotations

import copy
import json

import pytest

from helpers import COMMITTED, REPO, seed_records, write_jsonl
from sokhan.checks.schemas import schema_incidents
from sokhan.process.output import MANIFEST
from sokhan.process.run import Options, process
from sokhan.stages.normalise import HAZM_OPTIONS
from sokhan.stages.tokenise import TOKENIZER_OPTIONS

COMMITTED_MANIFEST = json.loads((COMMITTED / "build-manifest.json").read_text(encoding="utf-8"))


def _incidents(doc: dict, name: str) -> list:
    return schema_incidents(doc, name, f"{name}.json", "manifest-schema")


def _changed(doc: dict, path: tuple, value=None, *, drop: bool = False) -> dict:
    doc = copy.deepcopy(doc)
    node = doc
    for key in path[:-1]:
        node = node[key]
    if drop:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


@pytest.fixture(scope="module")
def run_manifest(tmp_path_factory) -> dict:
    """The manifest of a run over two seeds and one bad record."""
    root = tmp_path_factory.mktemp("run")
    source = write_jsonl(root / "in.jsonl", [*seed_records()[:2], {"id": "x", "text": ""}])
    process(Options(source, root / "out", quiet=True))
    return json.loads((root / "out" / MANIFEST).read_text(encoding="utf-8"))


def test_the_committed_build_manifest_follows_its_schema():
    assert _incidents(COMMITTED_MANIFEST, "build-manifest") == []


def test_a_fresh_build_manifest_follows_its_schema(build_manifest):
    assert _incidents(build_manifest, "build-manifest") == []


def test_a_process_manifest_follows_its_schema(run_manifest):
    assert run_manifest["counts"]["refused"] == 1  # the report and its counts are there
    assert _incidents(run_manifest, "process-manifest") == []


def test_the_schema_names_every_normaliser_option():
    defs = json.loads((REPO / "schema" / "defs.schema.json").read_text(encoding="utf-8"))
    listed = defs["$defs"]["normaliser"]["properties"]["hazm_options"]["required"]
    assert set(listed) == set(HAZM_OPTIONS)
    # the schema takes every option for a boolean
    assert all(isinstance(v, bool) for v in {**HAZM_OPTIONS, **TOKENIZER_OPTIONS}.values())


@pytest.mark.parametrize(("path", "value"), [
    # a checksum in upper case
    (("files", "data/documents/train-00000-of-00001.parquet"), "A" * 64),
    # a file outside data/ and figures/
    (("files", "../elsewhere.parquet"), "a" * 64),
    # a split the corpus does not have
    (("splits", "000_706e7e5b40e8e13d"), "dev"),
    # a negative count
    (("counts", "sentences", "train"), -1),
    # a count written as 5.0
    (("tokens",), 5.0),
    # a Python version with its patch level, which would differ between machines
    (("python",), "3.11.9"),
    # a normaliser option that is not a boolean
    (("normaliser", "hazm_options", "persian_style"), "yes"),
    # a key the manifest does not have
    (("built_by",), "someone"),
])
def test_a_damaged_build_manifest_is_refused(path, value):
    assert _incidents(_changed(COMMITTED_MANIFEST, path, value), "build-manifest")


@pytest.mark.parametrize("key", ["files", "libraries", "seeds", "skipped"])
def test_a_build_manifest_without_a_part_is_refused(key):
    assert _incidents(_changed(COMMITTED_MANIFEST, (key,), drop=True), "build-manifest")


@pytest.mark.parametrize(("path", "value"), [
    # an input format the command does not read
    (("input", "format"), "csv"),
    # a shard named without its place in the split
    (("files", "data/sentences/train.parquet"), "a" * 64),
    # a config the command does not write
    (("configs",), ["documents", "sentences", "mentions"]),
    # a problem counted zero times: a check id is listed only when it happened
    (("problems", "seed-empty"), 0),
    # a check id that is no check id
    (("problems", "Seed Empty"), 1),
    # the report under another name
    (("report",), "report.txt"),
    # drafts not marked machine-made
    (("drafts",), {"tool": "t", "version": "1", "status": "draft", "gold_articles": 1,
                   "registry_entities": 1, "annotations_sha256": "a" * 64,
                   "machine_made": False, "rows": 1, "mentions": 0, "quotes": 0,
                   "proposed_entities": 0}),
])
def test_a_damaged_process_manifest_is_refused(run_manifest, path, value):
    assert _incidents(_changed(run_manifest, path, value), "process-manifest")


PROBLEM = {"index": 2, "where": "in.jsonl:3", "id": "x", "check": "seed-empty", "location": "",
           "message": "the text is empty; expected an article"}


@pytest.mark.parametrize(("key", "value", "valid"), [
    ("id", None, True),  # a record without a usable id
    ("index", -1, False),  # positions count from 0
    ("where", "", False),  # a problem always says where
    ("check", "Seed empty", False),  # not a check id
    ("id", 7, False),  # an id is a string
    ("message", None, False),  # and it always says what was found
])
def test_a_report_line_follows_its_schema(key, value, valid):
    assert _incidents(PROBLEM, "process-problem") == []
    assert (_incidents({**PROBLEM, key: value}, "process-problem") == []) is valid
