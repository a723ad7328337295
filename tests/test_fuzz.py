"""Fuzzing: mutated inputs never crash the build, sokhan accept, import or process.

Each example mutates a valid input of the mini corpus and runs ``sokhan
validate`` or ``sokhan build`` in-process; the command must return 0 or 1 (a
structured error) within :data:`BOUND` seconds, never raise, and a failed build
must leave the corpus as it was. The runs are derandomised so that CI sees the
same cases every time; ``SOKHAN_FUZZ=20 pytest tests/test_fuzz.py`` runs twenty
times as many, at random.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tempfile
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from helpers import INCIDENT_LINE, Workspace, add_passes
from sokhan.cli import main

pytestmark = pytest.mark.fuzz

SCALE = int(os.environ.get("SOKHAN_FUZZ", "1"))
#: Seconds one example may take (a mini build takes about 0.2 s).
BOUND = 20
#: Examples per test, at scale 1 (SOKHAN_FUZZ=10 for a deep run): 1 350 broken cases per
#: run in all (and 40 valid seeds in test_any_valid_seed_builds); the drafts, imports and
#: process records below add 220.
EXAMPLES = {"annotation": 400, "registry": 120, "manifest": 120, "seed": 300, "build": 60,
            "pass": 100, "pass-registry": 100, "whole-file": 150}


def _settings(name: str):
    return settings(max_examples=EXAMPLES[name] * SCALE, deadline=None, derandomize=SCALE == 1,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                    database=None)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The mini corpus, built once; every example works on a copy."""
    root = tmp_path_factory.mktemp("fuzz") / "ws"
    ws = Workspace(root)
    assert main(ws.args("build")) == 0
    return root


@pytest.fixture(scope="module")
def built_passes(tmp_path_factory) -> Path:
    """The mini corpus with two annotation passes and a card reporting their agreement, built."""
    root = tmp_path_factory.mktemp("fuzz-passes") / "ws"
    ws = Workspace(root)
    add_passes(root)
    assert main(ws.args("build")) == 0
    return root


def _copy(built: Path, into: Path) -> Workspace:
    shutil.copytree(built, into, symlinks=True)
    ws = Workspace.__new__(Workspace)
    ws.root = into
    return ws


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _run(ws: Workspace, command: str) -> int:
    """Run a command, check it ends in time with 0 or 1, and return the status."""
    err = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stderr(err):
        status = main(ws.args(command))
    assert time.perf_counter() - started < BOUND
    assert status in (0, 1), f"sokhan {command} exited {status}: {err.getvalue()}"
    assert "Traceback" not in err.getvalue()
    event(f"{command} exit {status}")
    lines = [INCIDENT_LINE.match(line) for line in err.getvalue().splitlines()]
    for check in sorted({m["check"] for m in lines if m}):
        event(f"reported {check}")  # which checks the fuzzer reaches
    return status


def _dump(path: Path, doc) -> None:
    """Write JSON as the mini corpus does; lone surrogates are written as UTF-8 would."""
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    path.write_bytes(text.encode("utf-8", "surrogatepass"))


# --- mutations ----------------------------------------------------------------------------

#: Values a field may be replaced with: every JSON type, and hostile strings.
ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 400), st.integers(-(2 ** 70), 2 ** 70),
    st.floats(allow_nan=False, allow_infinity=False), st.just(5.0),
    st.sampled_from(["", "x", "../x", "/etc/passwd", "m1", "q1", "q2", "unknown", "tehran",
                     "presidents-of-iran-and-russia", "PERSON", "CARDINAL", "none", "pronoun",
                     "پوتین", "mini_001", "mini_001\n", "\u202eq1", "\ud800"]),
    st.lists(st.integers(0, 3), max_size=2), st.dictionaries(st.sampled_from(["start", "x"]),
                                                             st.integers(0, 9), max_size=2),
)
#: Code points to slip into strings: hazards, marks, look-alikes, ZWNJ.
ODD_CHARS = st.sampled_from([*"\u202e\u200b\u200c\u200d\u0653\u0654\x00\n\t\ufeff\ufffd",
                             *"\u064a\u0643\ufe8f\u0640 ~/\"\\", "\U0001f600"])


def _paths(doc) -> list[tuple]:
    """Every path of a JSON document, as tuples of keys."""
    out, stack = [], [((), doc)]
    while stack:
        path, node = stack.pop()
        out.append(path)
        items = (node.items() if isinstance(node, dict)
                 else enumerate(node) if isinstance(node, list) else ())
        stack.extend(((*path, k), v) for k, v in items)
    return sorted(out, key=lambda p: [str(k) for k in p])


def _get(doc, path):
    for key in path:
        doc = doc[key]
    return doc


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


#: Which paths each mutation applies to: structural ones anywhere, the others to
#: values of the right type, so that most cases get past the schema to the
#: cross-checks (offsets, ids, links).
_TARGETS = {
    "delete": lambda v: True,
    "replace": lambda v: True,
    "duplicate": lambda v: isinstance(v, list) and bool(v),
    "shift": _is_int,
    "unicode": lambda v: isinstance(v, str),
    "swap-strings": lambda v: isinstance(v, str),
    "swap-ints": _is_int,
}


@st.composite
def mutated(draw, doc):
    """``doc`` (a parsed JSON file) with one to three mutations."""
    doc = json.loads(json.dumps(doc))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(sorted(_TARGETS)))
        paths = [p for p in _paths(doc) if p and _TARGETS[op](_get(doc, p))]
        if not paths:
            continue
        path = draw(st.sampled_from(paths))
        node, parent = _get(doc, path), _get(doc, path[:-1])
        if op == "delete":
            del parent[path[-1]]
        elif op == "replace":
            parent[path[-1]] = draw(ODD_VALUES)
        elif op == "duplicate":
            node.append(json.loads(json.dumps(draw(st.sampled_from(node)))))
        elif op == "shift":
            parent[path[-1]] = node + draw(st.sampled_from([-100, -2, -1, 1, 2, 7, 10 ** 6]))
        elif op == "unicode":
            at = draw(st.integers(0, len(node)))
            parent[path[-1]] = node[:at] + draw(ODD_CHARS) + node[at:]
        else:  # swap two values of the same type: ids, links, offsets
            other = draw(st.sampled_from(paths))
            other_parent = _get(doc, other[:-1])
            parent[path[-1]], other_parent[other[-1]] = other_parent[other[-1]], node
    return doc


def _json_file(rel: str) -> dict:
    return json.loads((Path(__file__).parent / "fixtures" / "mini" / rel).read_text("utf-8"))


ANNOTATION = _json_file("annotations/mini_001.json")
REGISTRY = _json_file("annotations/entities.json")
MANIFEST = _json_file("seeds/manifest.json")
SEED = (Path(__file__).parent / "fixtures" / "mini" / "seeds" / "mini_001.txt").read_bytes()


@st.composite
def mutated_bytes(draw, data: bytes) -> bytes:
    """``data`` with one to four byte-level edits: flip, insert, delete, overwrite."""
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        op = draw(st.sampled_from(["flip", "insert", "delete", "text"]))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif op == "delete" and data:
            del data[at : at + draw(st.integers(1, 8))]
        elif op == "text":
            data[at:at] = draw(ODD_CHARS).encode("utf-8", "surrogatepass")
    return bytes(data)


# --- the fuzz tests -----------------------------------------------------------------------


def _validate_mutated(built, rel: str, doc, *, cut: bool = False) -> None:
    """Write ``doc`` over one file of a copy of the built mini corpus and validate it."""
    with tempfile.TemporaryDirectory() as tmp:
        ws = _copy(built, Path(tmp) / "ws")
        path = ws.root / rel
        _dump(path, doc)
        if cut:  # also as broken JSON: cut the file short
            path.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
        _run(ws, "validate")


@_settings("annotation")
@given(doc=mutated(ANNOTATION), raw=st.sampled_from([False, False, False, True]))
def test_mutated_annotation(built, doc, raw):
    _validate_mutated(built, "annotations/mini_001.json", doc, cut=raw)


@_settings("registry")
@given(doc=mutated(REGISTRY))
def test_mutated_registry(built, doc):
    _validate_mutated(built, "annotations/entities.json", doc)


@_settings("manifest")
@given(doc=mutated(MANIFEST))
def test_mutated_manifest(built, doc):
    _validate_mutated(built, "seeds/manifest.json", doc)


@_settings("seed")
@given(data=mutated_bytes(SEED), rehash=st.booleans())
def test_mutated_seed(built, data, rehash):
    with tempfile.TemporaryDirectory() as tmp:
        ws = _copy(built, Path(tmp) / "ws")
        (ws.root / "seeds" / "mini_001.txt").write_bytes(data)
        if rehash:  # get past the checksum to the checks behind it
            ws.rehash()
        _run(ws, "validate")


@_settings("build")
@given(which=st.sampled_from(["annotation", "seed"]), ann=mutated(ANNOTATION),
       data=mutated_bytes(SEED))
def test_mutated_build_fails_cleanly_or_builds(built, which, ann, data):
    with tempfile.TemporaryDirectory() as tmp:
        ws = _copy(built, Path(tmp) / "ws")
        if which == "annotation":
            _dump(ws.root / "annotations" / "mini_001.json", ann)
        else:
            (ws.root / "seeds" / "mini_001.txt").write_bytes(data)
            ws.rehash()
        before = _tree(ws.root / "corpus")
        if _run(ws, "build") == 1:
            assert _tree(ws.root / "corpus") == before
        else:
            assert _run(ws, "validate") == 0
        assert not [p for p in ws.root.iterdir() if p.name.startswith(".corpus.")]


@_settings("pass")
@given(doc=mutated(ANNOTATION), raw=st.sampled_from([False, False, False, True]))
def test_mutated_pass(built_passes, doc, raw):
    # an annotation pass: checked by the build, read again by the card's agreement report
    _validate_mutated(built_passes, "annotations/passes/a/mini_001.json", doc, cut=raw)


@_settings("pass-registry")
@given(doc=mutated(REGISTRY), raw=st.sampled_from([False, False, False, True]))
def test_mutated_pass_registry(built_passes, doc, raw):
    _validate_mutated(built_passes, "annotations/passes/b/entities.json", doc, cut=raw)


#: Every JSON file of the workspace with passes.
JSON_FILES = ["seeds/manifest.json", "annotations/mini_001.json", "annotations/entities.json",
              "annotations/passes/a/mini_001.json", "annotations/passes/a/entities.json"]
#: Whole files that are not a JSON object: other values, numbers JSON lacks, noise.
WHOLE_FILES = st.one_of(
    ODD_VALUES.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    st.sampled_from([b"NaN", b"-Infinity", b"Infinity", b"[NaN]", b'{"a": NaN}', b"", b" ",
                     b"nul", b"{", b"[" * 70 + b"]" * 70, b'{"a": 1, "a": 2}', b"\xef\xbb\xbf{}",
                     b"1e999", b"-0", b"9" * 5000]),
    st.binary(max_size=64),
)


@_settings("whole-file")
@given(rel=st.sampled_from(JSON_FILES), data=WHOLE_FILES)
def test_whole_file_replaced(built_passes, rel, data):
    # a file whose whole value is wrong, in every kind of JSON file: refused, never exit 2
    with tempfile.TemporaryDirectory() as tmp:
        ws = _copy(built_passes, Path(tmp) / "ws")
        (ws.root / rel).write_bytes(data)
        assert _run(ws, "validate") == 1


#: Characters of real news text and its usual noise; none is a hazard.
TEXT = st.sampled_from([
    *"آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئءأؤيكۀة",  # letters, with Arabic forms
    *"0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣",  # three sets of digits
    *".،؛:!?؟«»\"'()-–—…٫٬%/",  # punctuation
    " ", " ", " ", "\u200c", "\u00a0", "\t",  # white space and ZWNJ
    *"\u0640\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670",  # tatweel, diacritics
    *"ﺑﻻﷲﻣﺴﮑﻮ",  # presentation forms
    "Putin", "2024", "\U0001f600", "...",  # Latin, an emoji, three dots
])


@st.composite
def seed_texts(draw) -> str:
    """A seed that passes every seed check: NFC text of one to six lines."""
    lines = draw(st.lists(st.lists(TEXT, min_size=0, max_size=60).map("".join),
                          min_size=1, max_size=6))
    text = unicodedata.normalize("NFC", "\n".join(lines))
    assume(text.strip())
    return text


@settings(max_examples=40 * SCALE, deadline=None, derandomize=SCALE == 1, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=seed_texts())
def test_any_valid_seed_builds(built, text):
    with tempfile.TemporaryDirectory() as tmp:
        ws = _copy(built, Path(tmp) / "ws")
        # its offsets no longer fit: an empty gold file, so the article is still published
        # (a seed without gold fails the build) and every record check runs on it
        _dump(ws.root / "annotations" / "mini_001.json",
              {"doc_id": "mini_001", "annotator": "fuzz", "mentions": [], "quotes": []})
        (ws.root / "seeds" / "mini_001.txt").write_bytes(text.encode("utf-8"))
        ws.rehash()
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = main(ws.args("build"))
        assert (status, err.getvalue()) == (0, "")


# --- the new ways in: drafts, imports, sokhan process records -------------------------------

EXAMPLES |= {"draft": 40, "import-brat": 50, "import-xmi": 30, "process-jsonl": 60,
             "process-parquet": 40}

#: A reviewed draft of the mini article, one mention re-linked to a proposed entity.
DRAFT = {**ANNOTATION, "annotator": "sokhan annotate", "draft": {
    "tool": "sokhan annotate", "version": "0.0-fuzz", "status": "reviewed",
    "proposed_entities": [{"id": "fuzz-place", "type": "GPE", "name_fa": "تهران",
                           "name_en": "Tehran", "aliases": ["تهران"], "is_group": False,
                           "members": []}]}}
DRAFT["mentions"] = [{**m, "entity": "fuzz-place"} if m["type"] == "GPE" else m
                     for m in ANNOTATION["mentions"]]


def _run_argv(argv: list[str]) -> tuple[int, str]:
    """Like :func:`_run`, for a command line of its own."""
    err, out = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        status = main(argv)
    assert time.perf_counter() - started < BOUND
    assert status in (0, 1), f"sokhan {argv[0]} exited {status}: {err.getvalue()}"
    assert "Traceback" not in err.getvalue()
    event(f"{argv[0]} exit {status}")
    for check in sorted({m["check"] for m in map(INCIDENT_LINE.match, err.getvalue().splitlines())
                         if m}):
        event(f"reported {check}")
    return status, err.getvalue()


@_settings("draft")
@given(doc=mutated(DRAFT), raw=st.sampled_from([False, False, False, True]))
def test_mutated_draft_is_refused_or_accepted_into_a_valid_corpus(built, doc, raw):
    # accept writes nothing when it refuses, and never a file the build would refuse
    with tempfile.TemporaryDirectory() as tmp:
        ws = _copy(built, Path(tmp) / "ws")
        draft = ws.root / "draft.json"
        _dump(draft, doc)
        if raw:
            draft.write_bytes(draft.read_bytes()[: draft.stat().st_size * 2 // 3])
        before = _tree(ws.root / "annotations")
        status, _ = _run_argv(["accept", str(draft), "--overwrite", "--seeds",
                               str(ws.root / "seeds"), "--annotations",
                               str(ws.root / "annotations")])
        if status == 1:
            assert _tree(ws.root / "annotations") == before
        else:
            assert _run(ws, "build") == 0


@pytest.fixture(scope="module")
def exported(built, tmp_path_factory) -> dict[str, Path]:
    """The mini corpus exported once in each format."""
    out = {}
    for fmt in ("brat", "xmi"):
        out[fmt] = tmp_path_factory.mktemp(f"export-{fmt}") / "export"
        assert main(["export", "--format", fmt, "--out", str(out[fmt]), "--seeds",
                     str(built / "seeds"), "--annotations", str(built / "annotations")]) == 0
    return out


def _import_mutated(built: Path, export: Path, fmt: str, rel: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "export"
        shutil.copytree(export, folder)
        (folder / rel).write_bytes(data)
        name = "mini_001.ann" if fmt == "brat" else "mini_001.xmi"
        out = Path(tmp) / "imported" / "mini_001.json"
        status, _ = _run_argv(["import", "--format", fmt, str(folder / name), "--out",
                               str(out), "--seeds", str(built / "seeds"), "--annotations",
                               str(built / "annotations")])
        assert out.exists() is (status == 0)


EXPORTED = Path(__file__).parent / "fixtures" / "mini" / "annotations"


@_settings("import-brat")
@given(rel=st.sampled_from(["mini_001.ann", "mini_001.ann", "sokhan.json"]), data=st.data())
def test_mutated_brat_import(built, exported, rel, data):
    original = (exported["brat"] / rel).read_bytes()
    _import_mutated(built, exported["brat"], "brat", rel, data.draw(mutated_bytes(original)))


@_settings("import-xmi")
@given(rel=st.sampled_from(["mini_001.xmi", "mini_001.xmi", "TypeSystem.xml"]),
       data=st.data())
def test_mutated_xmi_import(built, exported, rel, data):
    original = (exported["xmi"] / rel).read_bytes()
    _import_mutated(built, exported["xmi"], "xmi", rel, data.draw(mutated_bytes(original)))


def _mostly(good, bad):
    """``good`` two times in three, else ``bad`` (``one_of`` would flatten ``bad``'s branches)."""
    return st.integers(0, 2).flatmap(lambda k: good if k else bad)


#: Article texts: mostly good news text; else hazards, marks and noise, or not a string.
RECORD_TEXTS = _mostly(seed_texts(), st.one_of(
    st.lists(st.one_of(TEXT, ODD_CHARS), max_size=40).map("".join), ODD_VALUES))
GOOD_IDS = st.sampled_from(["a", "b", "c", "doc-1", "۱۲"])
RECORD_IDS = _mostly(GOOD_IDS, st.one_of(ODD_VALUES, st.text(max_size=12)))
#: Records with an id and a text, a few with metadata; then lines that are not records.
RECORDS = st.lists(st.fixed_dictionaries(
    {"id": RECORD_IDS, "text": RECORD_TEXTS},
    optional={"headline": st.one_of(st.none(), st.text(max_size=5), ODD_VALUES),
              "split": st.sampled_from(["train", "test", "dev", 3])}), min_size=1, max_size=5)
JUNK = st.lists(st.one_of(
    st.dictionaries(st.sampled_from(["id", "text", "x"]), ODD_VALUES, max_size=3), ODD_VALUES,
).map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass")) | st.binary(
    max_size=30).map(lambda b: b.replace(b"\n", b" ")), max_size=2)


def _check_process_output(out: Path, records: int) -> None:
    """The counts add up, and every refused record is in the report with a known check id."""
    from sokhan.checks.incidents import CHECKS

    manifest = json.loads((out / "process-manifest.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]
    assert counts["records"] == records == counts["documents"] + counts["refused"]
    report = [json.loads(line) for line in
              (out / "problems.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len({p["index"] for p in report}) == counts["refused"]
    assert sum(manifest["problems"].values()) == len(report)
    assert {p["check"] for p in report} <= set(CHECKS)
    event("some published" if counts["documents"] else "none published")
    for check in sorted({p["check"] for p in report}):
        event(f"reported {check}")


@_settings("process-jsonl")
@given(records=RECORDS, junk=JUNK, order=st.randoms(use_true_random=False))
def test_fuzzed_process_records_are_processed_or_reported(records, junk, order):
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.jsonl"
        lines = [json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass")
                 for r in records] + junk
        order.shuffle(lines)
        source.write_bytes(b"\n".join(lines) + b"\n")
        status, _ = _run_argv(["process", str(source), "--out", str(Path(tmp) / "out"), "-q"])
        assert status == 0
        _check_process_output(Path(tmp) / "out", sum(1 for line in lines if line.strip()))


@_settings("process-parquet")
@given(ids=st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "x.1"]), st.text(max_size=8)),
                    min_size=1, max_size=6),
       texts=st.lists(st.one_of(st.none(), st.binary(max_size=40),
                                seed_texts().map(lambda t: t.encode("utf-8"))),
                      min_size=6, max_size=6),
       as_string=st.booleans())
def test_fuzzed_parquet_records_are_processed_or_reported(ids, texts, as_string):
    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = texts[: len(ids)]
    column = pa.array(texts, pa.binary())
    if as_string:  # the same bytes in a string column, which Arrow does not validate
        column = pa.Array.from_buffers(pa.string(), len(column), column.buffers())
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.parquet"
        pq.write_table(pa.table({"id": pa.array(ids, pa.string()), "text": column}), source)
        status, _ = _run_argv(["process", str(source), "--out", str(Path(tmp) / "out"), "-q"])
        assert status == 0
        _check_process_output(Path(tmp) / "out", len(ids))
