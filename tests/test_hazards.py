"""Unicode, JSON and size hazards: each handled deterministically and reported.

Decisions (see docs/checks.md): seeds are byte-exact, so a seed with an
invisible or hazardous code point, or not in NFC, is refused with line, column
and code point; Arabic presentation forms are accepted (hazm maps them to base
letters, and the alignment stays exact); sizes are bounded before anything is
read whole.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import unicodedata

import pyarrow.parquet as pq
import pytest

from helpers import REPO, Workspace, dump_json, reported
from sokhan.checks.jsonfile import MAX_JSON_BYTES
from sokhan.checks.schemas import validator
from sokhan.stages.normalise import normalise
from sokhan.stages.seeds import MAX_LINE_CHARS, MAX_LINES, MAX_SEED_BYTES

SEED = "seeds/mini_001.txt"
ANN = "annotations/mini_001.json"


def _edit_seed(ws: Workspace, old: str, new: str) -> None:
    path = ws.root / SEED
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_bytes(text.replace(old, new, 1).encode("utf-8"))
    ws.rehash()


def _checks(ws: Workspace, capsys, command: str = "validate") -> tuple[int, list[dict]]:
    status, err = ws.run(command, capsys)
    assert "Traceback" not in err
    return status, reported(err)


# --- code points in a seed ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "check"),
    [
        ("\u202e", "seed-unicode"),  # RIGHT-TO-LEFT OVERRIDE (the Trojan Source character)
        ("\u202b", "seed-unicode"),  # RIGHT-TO-LEFT EMBEDDING
        ("\u202c", "seed-unicode"),  # POP DIRECTIONAL FORMATTING
        ("\u2067", "seed-unicode"),  # RIGHT-TO-LEFT ISOLATE
        ("\u2069", "seed-unicode"),  # POP DIRECTIONAL ISOLATE
        ("\u200f", "seed-unicode"),  # RIGHT-TO-LEFT MARK
        ("\u200e", "seed-unicode"),  # LEFT-TO-RIGHT MARK
        ("\u061c", "seed-unicode"),  # ARABIC LETTER MARK
        ("\u200b", "seed-unicode"),  # ZERO WIDTH SPACE
        ("\u200d", "seed-unicode"),  # ZERO WIDTH JOINER
        ("\u2060", "seed-unicode"),  # WORD JOINER
        ("\u00ad", "seed-unicode"),  # SOFT HYPHEN
        ("\ufeff", "seed-unicode"),  # a byte-order mark inside the text
        ("\u2028", "seed-unicode"),  # LINE SEPARATOR: would split a line for some tools only
        ("\u2029", "seed-unicode"),  # PARAGRAPH SEPARATOR
        ("\ue000", "seed-unicode"),  # a private-use code point
        ("\ufffd", "seed-unicode"),  # REPLACEMENT CHARACTER: mis-decoded before it was saved
        ("\uffff", "seed-unicode"),  # a noncharacter
        ("\ufdd0", "seed-unicode"),  # a noncharacter in the Arabic block
        ("\U000e0041", "seed-unicode"),  # TAG LATIN CAPITAL LETTER A (invisible)
        ("\x00", "seed-nul"),  # NUL
        ("\x07", "seed-nul"),  # BEL
        ("\x0b", "seed-nul"),  # VERTICAL TAB: str.splitlines() would split here
        ("\x0c", "seed-nul"),  # FORM FEED
        ("\x1c", "seed-nul"),  # FILE SEPARATOR: str.splitlines() splits here too
        ("\x7f", "seed-nul"),  # DELETE
        ("\x85", "seed-nul"),  # NEXT LINE, a C1 control
        ("\x9b", "seed-nul"),  # CONTROL SEQUENCE INTRODUCER, a C1 control
    ],
)
def test_hazardous_code_point_in_a_seed_is_refused(char, check, tmp_path, capsys):
    ws = Workspace(tmp_path)
    _edit_seed(ws, "وی افزود", "وی " + char + "افزود")
    status, incidents = _checks(ws, capsys)
    assert status == 1
    assert [(i["check"], i["where"]) for i in incidents] == [(check, "line 3 column 4")]
    assert f"U+{ord(char):04X}" in incidents[0]["message"]


@pytest.mark.parametrize(
    ("raw", "nfc"),
    [
        ("\u0627\u0653", "\u0622"),  # ALEF + MADDA ABOVE: hazm would leave a bare ALEF
        ("\u064a\u0654", "\u0626"),  # YEH + HAMZA ABOVE: hazm would drop the hamza
        ("\u0648\u0654", "\u0624"),  # WAW + HAMZA ABOVE
        ("\u06d5\u0654", "\u06c0"),  # AE + HAMZA ABOVE
        ("\u0651\u064e", "\u064e\u0651"),  # SHADDA before FATHA: NFC orders the marks
    ],
)
def test_seed_not_in_nfc_is_refused(raw, nfc, tmp_path, capsys):
    assert unicodedata.normalize("NFC", raw) == nfc
    ws = Workspace(tmp_path)
    _edit_seed(ws, "وی افزود", "وی ب" + raw + " افزود")
    status, incidents = _checks(ws, capsys)
    assert status == 1
    assert [i["check"] for i in incidents] == ["seed-nfc"]
    assert incidents[0]["where"].startswith("line 3 column ")
    assert f"U+{ord(nfc[0]):04X}" in incidents[0]["message"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "char",
    [
        "\u200c",  # ZWNJ: part of Persian spelling
        "\t",  # a tab: hazm turns it into a space, the alignment maps it back
        "\u00a0",  # NO-BREAK SPACE: visible white space, hazm makes it a space
        "\u0640",  # TATWEEL: a visible stretch, hazm deletes it
        "\u064b",  # FATHATAN: a diacritic, hazm deletes it, the raw span keeps it
    ],
)
def test_harmless_characters_are_accepted(char, tmp_path, capsys):
    ws = Workspace(tmp_path)
    _edit_seed(ws, "دارد.", "دارد. پایان" + char + "کار.")  # after every annotated span
    status, incidents = _checks(ws, capsys, "build")
    assert (status, incidents) == (0, [])


@pytest.mark.slow
def test_arabic_presentation_forms_are_accepted_and_aligned_exactly(tmp_path, capsys):
    ws = Workspace(tmp_path)
    raw_line = "ﭘﻮﺗﻴﻦ ﺩﺭ ﻣﺴﮑﻮ ﺑﻮﺩ."  # «پوتین در مسکو بود.» in presentation forms
    text = (ws.root / SEED).read_text(encoding="utf-8") + "\n" + raw_line
    (ws.root / SEED).write_bytes(text.encode("utf-8"))
    ws.rehash()
    start = text.index(raw_line)
    ann = json.loads((ws.root / ANN).read_text(encoding="utf-8"))
    ann["mentions"] += [
        {"id": "m9", "start": start, "end": start + 5, "text": raw_line[:5],
         "type": "PERSON", "entity": "vladimir-putin"},
        {"id": "m10", "start": start + 9, "end": start + 13, "text": raw_line[9:13],
         "type": "GPE", "entity": "moscow"},
    ]
    dump_json(ws.root / ANN, ann)
    status, incidents = _checks(ws, capsys, "build")
    assert (status, incidents) == (0, [])
    rows = pq.read_table(ws.root / "corpus/data/mentions/train-00000-of-00001.parquet").to_pylist()
    got = {r["id"]: (r["text"], r["raw_text"]) for r in rows}
    assert got["mini_001-m9"] == ("پوتین", "ﭘﻮﺗﻴﻦ")
    assert got["mini_001-m10"] == ("مسکو", "ﻣﺴﮑﻮ")
    docs = pq.read_table(ws.root / "corpus/data/documents/train-00000-of-00001.parquet")
    doc = docs.to_pylist()[0]
    for r in rows:
        assert doc["text"][r["start"]:r["end"]] == r["text"]
        assert doc["raw_text"][r["raw_start"]:r["raw_end"]] == r["raw_text"]


# --- hazards in JSON inputs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "pointer", "value", "where"),
    [
        # a bidi override in an annotator's note
        (ANN, ("mentions", 0, "note"), "ok\u202e", "/mentions/0/note"),
        # a zero-width space in the annotator's name
        (ANN, ("annotator",), "fix\u200bture", "/annotator"),
        # a decomposed letter in a registry name, which is published
        ("annotations/entities.json", ("entities", 0, "name_fa"), "\u0627\u0653قا",
         "/entities/0/name_fa"),
        # a control character in an alias
        ("annotations/entities.json", ("entities", 0, "aliases", 0), "پو\x1btین",
         "/entities/0/aliases/0"),
        # a bidi isolate in the manifest's headline, which is published
        ("seeds/manifest.json", ("seeds", 0, "headline"), "\u2067تیتر\u2069", "/seeds/0/headline"),
    ],
)
def test_hazard_in_a_json_string_is_refused(file, pointer, value, where, tmp_path, capsys):
    ws = Workspace(tmp_path)
    doc = json.loads((ws.root / file).read_text(encoding="utf-8"))
    node = doc
    for part in pointer[:-1]:
        node = node[part]
    node[pointer[-1]] = value
    dump_json(ws.root / file, doc)
    status, incidents = _checks(ws, capsys)
    assert status == 1
    assert [(i["check"], i["where"]) for i in incidents] == [("json-unicode", where)]


@pytest.mark.parametrize(
    ("text", "check", "where", "words"),
    [
        # a lone surrogate, legal as a JSON escape but not a character
        ('"note": "\\ud800"', "json-unicode", "/mentions/0/note", "U+D800"),
        # NaN is not JSON, though Python's json reads it
        ('"note": NaN', "annotation-json", "line 7 column 12", "NaN is not a JSON number"),
        # a number too large for a double: Python's json reads it as infinity
        ('"note": 1e999', "annotation-json", "line 7 column 12", "too large for a 64-bit float"),
        # an integer too long for Python to convert
        ('"note": ' + "9" * 5000, "annotation-json", "line 7 column 12",
         "integer string conversion"),
        # a key given twice: json would keep the last one silently
        ('"start": 3, "note": "x"', "annotation-json", "/mentions/0", "'start' appears more"),
    ],
)
def test_json_that_python_would_accept_is_refused(text, check, where, words, tmp_path, capsys):
    ws = Workspace(tmp_path)
    path = ws.root / ANN
    raw = path.read_text(encoding="utf-8")
    path.write_text(raw.replace('"start": 0,', text + ', "start": 0,', 1), encoding="utf-8")
    status, incidents = _checks(ws, capsys)
    assert status == 1
    assert [(i["check"], i["where"]) for i in incidents] == [(check, where)]
    assert words in incidents[0]["message"]


def test_float_offset_is_a_schema_error(tmp_path, capsys):
    ws = Workspace(tmp_path)
    ann = json.loads((ws.root / ANN).read_text(encoding="utf-8"))
    ann["mentions"][0]["end"] = 5.0
    dump_json(ws.root / ANN, ann)
    status, incidents = _checks(ws, capsys)
    assert status == 1
    assert [(i["check"], i["where"]) for i in incidents] == [
        ("annotation-schema", "/mentions/0/end")]


@pytest.mark.parametrize(
    ("data", "where", "words"),
    [
        # far deeper than Python's stack: reported where it is one level too deep
        (b"[" * 100_000 + b"]" * 100_000, "line 1 column 65", "nested more than 64 levels deep"),
        (b"\xef\xbb\xbf{}", "line 1 column 1", "BOM"),  # a byte-order mark
        (b'{\n  "doc_id": "mini\xff"}', "line 2 column 18", "0xff"),  # not UTF-8
        (b"", "line 1 column 1", "Expecting value"),  # empty
    ],
)
def test_unreadable_annotation_file_is_reported(data, where, words, tmp_path, capsys):
    ws = Workspace(tmp_path)
    (ws.root / ANN).write_bytes(data)
    status, incidents = _checks(ws, capsys)
    assert status == 1
    assert [(i["check"], i["where"]) for i in incidents] == [("annotation-json", where)]
    assert words in incidents[0]["message"]


@pytest.mark.parametrize(
    ("rel", "kind", "check"),
    [
        ("annotations/mini_002.json", "folder", "annotation-json"),  # a folder named like a file
        ("annotations/mini_002.json", "pipe", "annotation-json"),  # reading it would block
        (SEED, "folder", "seed-unreadable"),  # a folder where the seed should be
        (SEED, "pipe", "seed-unreadable"),  # a pipe where the seed should be
        ("card.md", "pipe", "card-template"),  # a pipe as the card template
    ],
)
def test_entries_that_are_not_regular_files(rel, kind, check, tmp_path, capsys):
    ws = Workspace(tmp_path)
    path = ws.root / rel
    path.unlink(missing_ok=True)
    if kind == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)
    status, incidents = _checks(ws, capsys)
    assert status == 1
    assert [i["check"] for i in incidents] == [check]
    assert "regular file" in incidents[0]["message"]


def test_oversized_json_is_refused_unread(tmp_path, capsys):
    ws = Workspace(tmp_path)
    with (ws.root / ANN).open("r+b") as f:
        f.truncate(MAX_JSON_BYTES + 1)  # sparse: costs no disk and is never read
    status, incidents = _checks(ws, capsys)
    assert status == 1
    assert [i["check"] for i in incidents] == ["annotation-json"]
    assert f"expected at most {MAX_JSON_BYTES}" in incidents[0]["message"]


def test_missing_annotations_folder_is_an_error_not_an_empty_corpus(tmp_path, capsys):
    ws = Workspace(tmp_path)
    args = ws.args("build")
    args[args.index("--annotations") + 1] = str(tmp_path / "anotations")  # a typo
    from sokhan.cli import main

    assert main(args) == 1
    err = capsys.readouterr().err
    assert "[registry-json] file not found" in err
    assert not (tmp_path / "corpus").exists()


# --- ids that could name a path -----------------------------------------------------------


def _annotation(doc_id="mini_001", entity="tehran", mention_id="m1", quote_id="q1"):
    return {"doc_id": doc_id, "annotator": "x",
            "mentions": [{"id": mention_id, "start": 0, "end": 1, "text": "x", "type": "GPE",
                          "entity": entity}],
            "quotes": [{"id": quote_id, "form": "direct",
                        "cue": {"start": 0, "end": 1, "text": "x"},
                        "content": [{"start": 0, "end": 1, "text": "x"}], "speaker": None,
                        "speaker_kind": "none", "speaker_entity": "unknown",
                        "addressee_entity": None, "parent": None}]}


@pytest.mark.parametrize(
    ("field", "value", "valid"),
    [
        ("doc_id", "mini_001", True),  # the usual form
        ("doc_id", "001_4f304316c7061693", True),  # a real seed's id
        ("doc_id", "../mini_001", False),  # climbs out of the folder
        ("doc_id", "/etc/passwd", False),  # an absolute path
        ("doc_id", "a/b", False),  # a subfolder
        ("doc_id", "a\\b", False),  # a Windows separator
        ("doc_id", "mini_001\n", False),  # a final newline, which Python's $ lets through
        ("doc_id", "", False),  # empty
        ("doc_id", ".hidden", False),  # a dot file
        ("doc_id", "-rf", False),  # an option to a shell command
        ("doc_id", "a b", False),  # white space
        ("doc_id", "mini.json", False),  # a dot
        ("doc_id", "پوتین", False),  # non-ASCII letters
        ("doc_id", "x" * 100, True),  # the longest id accepted
        ("doc_id", "x" * 101, False),  # one more: too long for a file name on some systems
        ("doc_id", "mini_001\u200c", False),  # an invisible character
        ("entity", "vladimir-putin", True),  # the usual form
        ("entity", "../tehran", False),  # climbs out of the folder
        ("entity", "tehran\n", False),  # a final newline
        ("entity", "Tehran", False),  # upper case
        ("entity", "tehran--x", False),  # an empty part
        ("entity", "-tehran", False),  # a leading hyphen
        ("entity", "tehran/x", False),  # a path
        ("entity", "a" * 100, True),  # the longest entity id accepted
        ("entity", "a" * 101, False),  # one more: too long
        ("mention_id", "m1", True),  # the usual form
        ("mention_id", "m0", False),  # numbering starts at 1
        ("mention_id", "m01", False),  # a leading zero
        ("mention_id", "m1\n", False),  # a final newline
        ("mention_id", "m" + "9" * 20, False),  # absurdly long
        ("quote_id", "q12", True),  # the usual form
        ("quote_id", "q1 ", False),  # a trailing space
        ("quote_id", "../q1", False),  # a path
    ],
)
def test_id_patterns(field, value, valid):
    instance = _annotation(**{field: value})
    errors = list(validator("annotation").iter_errors(instance))
    assert (errors == []) == valid, [e.message for e in errors]


@pytest.mark.parametrize(
    ("file", "valid"),
    [
        ("mini_001.txt", True),  # the usual form
        ("../mini_001.txt", False),  # climbs out of the seeds folder
        ("/tmp/mini_001.txt", False),  # an absolute path
        ("mini_001.txt\n", False),  # a final newline
        ("mini_001.TXT", False),  # another extension
        ("sub/mini_001.txt", False),  # a subfolder
    ],
)
def test_manifest_file_pattern(file, valid):
    manifest = json.loads((REPO / "tests/fixtures/mini/seeds/manifest.json").read_text("utf-8"))
    manifest["seeds"][0]["file"] = file
    errors = list(validator("seed-manifest").iter_errors(manifest))
    assert (errors == []) == valid, [e.message for e in errors]


# --- sizes --------------------------------------------------------------------------------


def test_too_many_lines(tmp_path, capsys):
    ws = Workspace(tmp_path)
    (ws.root / SEED).write_bytes(("سلام\n" * MAX_LINES + "سلام").encode())
    ws.rehash()
    status, incidents = _checks(ws, capsys)
    assert status == 1
    assert [i["check"] for i in incidents] == ["seed-too-large"]
    assert f"{MAX_LINES + 1} lines" in incidents[0]["message"]


def test_long_line_alignment_is_linear_and_exact():
    # hazm shortens «سلاممممم» to «سلامم» 2 500 times: every change sends the walk
    # to the diff fallback, which once took 11 minutes on 200 000 characters.
    raw = "سلاممممممم " * (MAX_LINE_CHARS // 11)
    started = time.perf_counter()
    doc = normalise(raw)
    assert time.perf_counter() - started < 10
    rs = ns = 0
    for s in doc.alignment.segments:
        assert (s.rs, s.ns) == (rs, ns)
        if s.same:
            assert raw[s.rs:s.re] == doc.text[s.ns:s.ne]
        rs, ns = s.re, s.ne
    assert (rs, ns) == (len(raw), len(doc.text))
    # every normalised word maps back to a raw word
    start = 0
    for word in doc.text.split(" ")[:200]:
        a, b = doc.alignment.norm_to_raw(start, start + len(word))
        assert raw[a:b].startswith("سلام")
        start += len(word) + 1


#: Runs a command and prints its status, seconds and peak RSS in MB. The peak is
#: VmHWM, which starts afresh at exec; getrusage's ru_maxrss survives exec and so
#: would count the forking pytest process, which has hazm loaded.
def test_long_line_diff_fallback_works_in_windows(monkeypatch):
    import sokhan.stages.alignment as alignment

    # hazm deletes «ﷺ» (U+FDFA), a change the walk cannot explain: in a line this
    # long each one is diffed in a small window, not the whole line
    windows = []
    diff_window = alignment._diff_window
    monkeypatch.setattr(alignment, "_diff_window",
                        lambda *args: windows.append(1) or diff_window(*args))
    raw = "پیامبر ﷺ فرمود که دانش بیاموزید. " * (MAX_LINE_CHARS // 33)
    started = time.perf_counter()
    doc = normalise(raw)
    assert time.perf_counter() - started < 10
    assert len(windows) >= raw.count("ﷺ")  # one per «ﷺ» for each alignment made
    start = 0
    for word in doc.text.split(" "):
        if word:  # every word maps back to itself in the raw text
            a, b = doc.alignment.norm_to_raw(start, start + len(word))
            assert raw[a:b] == word
        start += len(word) + 1


_MEASURE = """
import re, resource, sys, time
from pathlib import Path
from sokhan.cli import main
started = time.perf_counter()
status = main(sys.argv[1:])
seconds = time.perf_counter() - started
try:
    peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text())[1])
except (OSError, TypeError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(status, seconds, peak // 1024, file=sys.__stdout__)
"""


def _measure(ws: Workspace, command: str) -> tuple[int, float, int]:
    """Status, seconds and peak RSS (MB) of one command in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, *ws.args(command)], cwd=REPO,
                         capture_output=True, text=True, timeout=300, check=False)
    assert "Traceback" not in out.stderr, out.stderr
    status, seconds, rss = out.stdout.splitlines()[-1].split()
    assert int(status) == 0 or command != "build", out.stderr[-2000:]
    return int(status), float(seconds), int(rss)


@pytest.mark.slow
def test_fifty_megabyte_article_is_refused_in_bounded_memory(tmp_path):
    small = Workspace(tmp_path / "small")
    _, _, baseline = _measure(small, "validate")
    ws = Workspace(tmp_path / "big")
    line = (ws.root / SEED).read_text(encoding="utf-8").split("\n")[1] + "\n"
    with (ws.root / SEED).open("wb") as f:
        data = line.encode() * 1000
        for _ in range(50 * 1024 * 1024 // len(data) + 1):
            f.write(data)
    assert (ws.root / SEED).stat().st_size > 50 * 1024 * 1024
    ws.rehash()
    status, seconds, rss = _measure(ws, "validate")
    print(f"50 MB seed: {seconds:.2f} s, peak RSS {rss} MB (mini corpus: {baseline} MB)")
    assert status == 1
    assert seconds < 5
    assert rss < baseline + 20, f"peak RSS {rss} MB against {baseline} MB for the mini corpus"


@pytest.mark.slow
def test_largest_accepted_input_builds_in_bounded_time_and_memory(tmp_path):
    # the largest seed the build accepts, annotated as densely as the mini corpus:
    # the mentions of its body repeated with every copy of the body
    ws = Workspace(tmp_path)
    text = (ws.root / SEED).read_text(encoding="utf-8")
    first = text.index("\n") + 1
    body = text[first:] + "\n"
    copies = (MAX_SEED_BYTES - len(text.encode())) // len(body.encode())
    (ws.root / SEED).write_bytes((text + "\n" + body * copies).rstrip("\n").encode())
    assert MAX_SEED_BYTES * 0.95 < (ws.root / SEED).stat().st_size <= MAX_SEED_BYTES
    ws.rehash()
    ann = json.loads((ws.root / ANN).read_text(encoding="utf-8"))
    in_body = [m for m in ann["mentions"] if m["start"] >= first]
    for k in range(copies):
        shift = len(text) + 1 - first + k * len(body)
        for m in in_body:
            ann["mentions"].append({**m, "id": f"m{len(ann['mentions']) + 1}",
                                    "start": m["start"] + shift, "end": m["end"] + shift})
    dump_json(ws.root / ANN, ann)
    assert len(ann["mentions"]) > 5000
    status, seconds, rss = _measure(ws, "build")
    assert status == 0
    assert seconds < 60
    assert rss < 2048, f"peak RSS {rss} MB"
    print(f"largest input: {len(ann['mentions'])} mentions, {seconds:.1f} s, peak RSS {rss} MB")
