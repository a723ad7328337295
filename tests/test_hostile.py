"""Hostile input in every kind of file: each case ends in its check id, never exit 2 or a hang.

The kinds of file are the seed manifest, a seed, a gold annotation file, the
entity registry, an annotation pass file, a pass's own registry, and the card
template. Each is tried with a top-level value of the wrong type, ``NaN`` and
``Infinity``, a truncated file, a folder, a named pipe, a device and a file one
byte over its size limit. Limits are pinned on both sides: the documented
maximum is accepted, one more is refused with the limit, the found value and
the check id.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from helpers import MINI, Workspace, add_passes, dump_json, make_socket, reported
from sokhan.checks.annotations import grapheme_split
from sokhan.checks.incidents import Unreadable, read_bounded
from sokhan.checks.jsonfile import MAX_JSON_BYTES, MAX_JSON_DEPTH, load_json, parse_json
from sokhan.checks.schemas import schema_incidents
from sokhan.publication.card import MAX_TEMPLATE_BYTES, read_card_template
from sokhan.stages.seeds import (
    MAX_LINE_CHARS,
    MAX_LINES,
    MAX_SEED_BYTES,
    check_seed_bytes,
    read_seeds,
)

#: Seconds any one command may take here: a pipe that blocked would hang forever.
HANG = 60

#: Every JSON kind: (path in the workspace, the check id of a file that does not load).
JSON_KINDS = {
    "manifest": ("seeds/manifest.json", "manifest-json"),
    "gold": ("annotations/mini_001.json", "annotation-json"),
    "registry": ("annotations/entities.json", "registry-json"),
    "pass": ("annotations/passes/a/mini_001.json", "annotation-json"),
    "pass-registry": ("annotations/passes/a/entities.json", "registry-json"),
}
def passes_workspace(root: Path) -> Workspace:
    """The mini corpus with two annotation passes and their registries (see helpers)."""
    ws = Workspace(root)
    add_passes(root)
    return ws


def _alarm(signum, frame):
    raise TimeoutError(f"a command took more than {HANG} s: something blocked")


def run_args(args: list[str], capsys) -> tuple[int, str]:
    """Run the command line in-process under an alarm; no traceback, status 0 or 1."""
    from sokhan.cli import main

    capsys.readouterr()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG)
    try:
        status = main(args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    assert status in (0, 1), err
    return status, err


def run(ws: Workspace, command: str, capsys) -> tuple[int, list[dict], str]:
    """Run a workspace command under an alarm; no traceback, status 0 or 1."""
    status, err = run_args(ws.args(command), capsys)
    return status, reported(err), err


@pytest.mark.slow
def test_a_workspace_with_passes_builds(tmp_path, capsys):
    ws = passes_workspace(tmp_path)
    status, incidents, err = run(ws, "build", capsys)
    assert (status, incidents) == (0, []), err
    assert "Pass A against pass B" in (tmp_path / "corpus" / "README.md").read_text("utf-8")


# --- the whole value of a JSON file -------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(JSON_KINDS))
@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"null", "holds null"),  # a gold file of null once passed for a missing file
        (b"0", "holds a number (0)"),  # a number
        (b"-1.5e3", "holds a number"),  # a float
        (b'"mini_001"', "holds a string"),  # a string
        (b"true", "holds true"),  # a boolean
        (b"[]", "holds an array"),  # the wrong container
        (b"[{}]", "holds an array"),  # an array holding what should be the file
        (b"NaN", "NaN is not a JSON number"),  # Python's json reads NaN
        (b"-Infinity", "-Infinity is not a JSON number"),  # and Infinity
        (b"1e999", "too large for a 64-bit float"),  # and reads this as infinity
        (b'{"doc_id": "mini_001", "x": [1, 2', "expected valid JSON"),  # truncated
        (b"", "Expecting value"),  # empty
        (b"\xff\xfe{}", "is not UTF-8"),  # UTF-16 byte-order mark
    ],
)
def test_a_json_file_that_is_not_an_object(kind, content, words, tmp_path, capsys):
    ws = passes_workspace(tmp_path)
    rel, check = JSON_KINDS[kind]
    (tmp_path / rel).write_bytes(content)
    status, incidents, err = run(ws, "build", capsys)
    assert status == 1
    assert [i["check"] for i in incidents] == [check], err
    assert words in incidents[0]["message"], err
    assert not (tmp_path / "corpus").exists()


@pytest.mark.parametrize("kind", sorted(JSON_KINDS))
@pytest.mark.parametrize("where", ["top", "deep"])
def test_nan_and_infinity_at_any_depth(kind, where, tmp_path, capsys):
    ws = passes_workspace(tmp_path)
    rel, check = JSON_KINDS[kind]
    path = tmp_path / rel
    text = path.read_text(encoding="utf-8")
    # at the top level of the object, or deep inside its first list
    at = text.index("{") + 1 if where == "top" else text.index("[") + 1
    path.write_text(text[:at] + ('"x": Infinity,' if where == "top" else "NaN,") + text[at:],
                    encoding="utf-8")
    status, incidents, err = run(ws, "build", capsys)
    assert status == 1
    assert [i["check"] for i in incidents] == [check], err
    assert "is not a JSON number" in incidents[0]["message"]


@pytest.mark.parametrize("kind", sorted(JSON_KINDS))
def test_a_json_file_cut_short(kind, tmp_path, capsys):
    ws = passes_workspace(tmp_path)
    rel, check = JSON_KINDS[kind]
    data = (tmp_path / rel).read_bytes()
    (tmp_path / rel).write_bytes(data[: len(data) // 2])
    status, incidents, err = run(ws, "build", capsys)
    assert status == 1
    assert [i["check"] for i in incidents] == [check], err


@pytest.mark.parametrize("kind", sorted(JSON_KINDS))
def test_a_wrong_shape_inside_is_a_schema_error(kind, tmp_path, capsys):
    # the right container with the wrong thing one level down
    ws = passes_workspace(tmp_path)
    rel, check = JSON_KINDS[kind]
    doc = json.loads((tmp_path / rel).read_text(encoding="utf-8"))
    key = next(k for k, v in doc.items() if isinstance(v, list))
    doc[key] = [None, 7, "x"]
    dump_json(tmp_path / rel, doc)
    status, incidents, err = run(ws, "build", capsys)
    assert status == 1
    assert {i["check"] for i in incidents} == {check.replace("-json", "-schema")}, err


# --- entries that are not regular files ---------------------------------------------------

#: Every kind of file, with the check id of an entry that is not a regular file.
ALL_KINDS = {**JSON_KINDS, "seed": ("seeds/mini_001.txt", "seed-unreadable"),
             "card": ("card.md", "card-template")}


def _make(path: Path, what: str) -> None:
    path.unlink(missing_ok=True)
    if what == "folder":
        path.mkdir()
    elif what == "pipe":
        os.mkfifo(path)  # opening it for reading would block until a writer came
    elif what == "device":
        if os.geteuid() == 0:
            os.mknod(path, 0o600 | 0o020000, os.makedev(1, 5))  # /dev/zero: endless zeros
        else:
            path.symlink_to("/dev/zero")
    elif what == "socket":
        make_socket(path)


@pytest.mark.parametrize("kind", sorted(ALL_KINDS))
@pytest.mark.parametrize("what", ["folder", "pipe", "device", "socket"])
def test_an_entry_that_is_not_a_regular_file(kind, what, tmp_path, capsys):
    ws = passes_workspace(tmp_path)
    rel, check = ALL_KINDS[kind]
    if kind == "seed" and what == "device" and os.geteuid() != 0:
        pytest.skip("a link to /dev/zero leaves the seeds folder: seed-symlink, tested elsewhere")
    _make(tmp_path / rel, what)
    status, incidents, err = run(ws, "build", capsys)
    assert status == 1
    assert [i["check"] for i in incidents] == [check], err
    assert "not a regular file" in incidents[0]["message"]


@pytest.mark.parametrize("kind", [*sorted(JSON_KINDS), "card"])
def test_a_link_to_dev_zero(kind, tmp_path, capsys):
    ws = passes_workspace(tmp_path)
    rel, check = ALL_KINDS[kind]
    (tmp_path / rel).unlink()
    (tmp_path / rel).symlink_to("/dev/zero")
    status, incidents, err = run(ws, "build", capsys)
    assert status == 1
    assert [i["check"] for i in incidents] == [check], err
    assert "a character device" in incidents[0]["message"]


def test_the_reader_never_blocks_on_a_pipe_swapped_in_after_the_first_look(tmp_path):
    # O_NONBLOCK and fstat on the open descriptor: a pipe that replaces the file
    # between stat() and open() is refused, not read
    path = tmp_path / "f.json"
    os.mkfifo(path)
    real_stat = Path.stat

    def looks_regular(self, *args, **kwargs):
        return real_stat(tmp_path / "g") if self == path else real_stat(self, *args, **kwargs)

    (tmp_path / "g").write_bytes(b"{}")
    Path.stat = looks_regular
    try:
        found = read_bounded(path, 100)
    finally:
        Path.stat = real_stat
    assert found == Unreadable("not-regular", "not a regular file (a named pipe)")


# --- over the size limit: refused, never cut ----------------------------------------------


@pytest.mark.parametrize(
    ("kind", "limit"),
    [*((k, MAX_JSON_BYTES) for k in sorted(JSON_KINDS)),
     ("seed", MAX_SEED_BYTES), ("card", MAX_TEMPLATE_BYTES)],
)
def test_one_byte_over_the_size_limit_is_refused_unread(kind, limit, tmp_path, capsys):
    ws = passes_workspace(tmp_path)
    rel, check = ALL_KINDS[kind]
    check = "seed-too-large" if kind == "seed" else check
    with (tmp_path / rel).open("r+b") as f:
        f.truncate(limit + 1)  # sparse: costs no disk
    if kind == "seed":
        ws.rehash()
    status, incidents, err = run(ws, "build", capsys)
    assert status == 1
    assert [i["check"] for i in incidents] == [check], err
    assert f"{limit + 1} bytes; expected at most {limit}" in incidents[0]["message"]


# --- limits, both sides ---------------------------------------------------------------------


def test_json_size_limit_both_sides(tmp_path):
    path = tmp_path / "f.json"
    path.write_bytes(b"{}" + b" " * (MAX_JSON_BYTES - 2))  # exactly the limit
    assert load_json(path, "annotation-json") == ({}, [])
    path.write_bytes(b"{}" + b" " * (MAX_JSON_BYTES - 1))  # one byte more
    value, incidents = load_json(path, "annotation-json")
    assert value is None
    assert [(i.check, i.message) for i in incidents] == [
        ("annotation-json", f"{MAX_JSON_BYTES + 1} bytes; expected at most {MAX_JSON_BYTES}; "
                            "expected a JSON file")]


@pytest.mark.parametrize("bracket", ["[]", "{}"])
def test_json_depth_limit_both_sides(bracket):
    def nested(depth: int) -> bytes:
        if bracket == "[]":
            return ("[" * depth + "]" * depth).encode()
        return ('{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)).encode()

    value, incidents = parse_json(nested(MAX_JSON_DEPTH), "f.json", "annotation-json")
    assert incidents == [] and value is not None  # exactly the limit: read
    value, incidents = parse_json(nested(MAX_JSON_DEPTH + 1), "f.json", "annotation-json")
    assert [(i.check, i.message) for i in incidents] == [
        ("annotation-json", f"nested more than {MAX_JSON_DEPTH} levels deep; expected at most "
                            f"{MAX_JSON_DEPTH}")]
    column = MAX_JSON_DEPTH + 1 if bracket == "[]" else 5 * MAX_JSON_DEPTH + 1
    assert incidents[0].where == f"line 1 column {column}"


@pytest.mark.parametrize(
    ("content", "where", "literal"),
    [
        (b"[1e999]", "line 1 column 2", "1e999"),  # the smallest case
        (b'{"a": "1e999",\n "b": [1.5, -1e999]}', "line 2 column 13", "-1e999"),  # not the string
        (b"[1e308, 2.5E+400]", "line 1 column 9", "2.5E+400"),  # 1e308 still fits a double
    ],
)
def test_a_number_too_large_for_a_float_is_refused_where_it_stands(content, where, literal):
    value, incidents = parse_json(content, "f.json", "annotation-json")
    assert value is None
    assert [(i.where, i.check) for i in incidents] == [(where, "annotation-json")]
    assert f"the number {literal!r} is too large for a 64-bit float" in incidents[0].message


@pytest.mark.parametrize(
    ("content", "value"),
    [
        (b"[1e308]", [1e308]),  # the largest power of ten a double holds
        (b"[1e-999]", [0.0]),  # too small: it rounds to zero, as in every JSON reader
        (b"[-0.5e2]", [-50.0]),  # an exponent on a negative fraction
    ],
)
def test_numbers_a_float_holds_are_read(content, value):
    assert parse_json(content, "f.json", "annotation-json") == (value, [])


def test_seed_line_count_limit_both_sides():
    # exactly the maximum, with and without a final line end: accepted
    for data in (("سلام\n" * MAX_LINES).encode(), ("سلام\n" * (MAX_LINES - 1) + "سلام").encode()):
        assert list(check_seed_bytes("s.txt", data)) == []
    # one line more, with and without a final line end: refused with limit and count
    for data in (("سلام\n" * (MAX_LINES + 1)).encode(), ("سلام\n" * MAX_LINES + "سلام").encode()):
        found = list(check_seed_bytes("s.txt", data))
        assert [(i.check, i.where, i.message) for i in found] == [
            ("seed-too-large", f"line {MAX_LINES + 1}",
             f"{MAX_LINES + 1} lines; the build accepts at most {MAX_LINES} per seed")]


@pytest.mark.slow
def test_a_seed_of_exactly_the_maximum_line_count_builds(tmp_path, capsys):
    ws = Workspace(tmp_path)
    # its offsets no longer fit: an empty gold file (a seed without gold fails the build)
    dump_json(tmp_path / "annotations" / "mini_001.json",
              {"doc_id": "mini_001", "annotator": "test", "mentions": [], "quotes": []})
    (tmp_path / "seeds" / "mini_001.txt").write_bytes(("سلام.\n" * MAX_LINES).encode())
    ws.rehash()
    status, incidents, err = run(ws, "build", capsys)
    assert (status, incidents) == (0, []), err


def test_seed_line_length_limit_both_sides():
    assert list(check_seed_bytes("s.txt", ("ب" * MAX_LINE_CHARS).encode())) == []
    found = list(check_seed_bytes("s.txt", ("ب" * (MAX_LINE_CHARS + 1)).encode()))
    assert [(i.check, i.where, i.message) for i in found] == [
        ("seed-too-large", "line 1",
         f"{MAX_LINE_CHARS + 1} characters; the build accepts at most {MAX_LINE_CHARS} per line")]


def test_seed_size_limit_both_sides(tmp_path):
    ws = Workspace(tmp_path)
    line = "a" * (MAX_LINE_CHARS - 1) + "\n"
    data = (line * (MAX_SEED_BYTES // len(line) + 1)).encode()[:MAX_SEED_BYTES - 1] + b"."
    assert len(data) == MAX_SEED_BYTES
    (tmp_path / "seeds" / "mini_001.txt").write_bytes(data)
    ws.rehash()
    assert [s.size for s in read_seeds(tmp_path / "seeds")] == [MAX_SEED_BYTES]
    (tmp_path / "seeds" / "mini_001.txt").write_bytes(data + b".")
    ws.rehash()
    from sokhan.checks.incidents import BuildError

    with pytest.raises(BuildError) as err:
        read_seeds(tmp_path / "seeds")
    assert [(i.check, i.message) for i in err.value.incidents] == [
        ("seed-too-large", f"{MAX_SEED_BYTES + 1} bytes; expected at most {MAX_SEED_BYTES} "
                           "bytes per seed (not read)")]


def test_card_template_size_limit_both_sides(tmp_path):
    from sokhan.checks.incidents import BuildError

    path = tmp_path / "card.md"
    path.write_bytes(b"{{version}}\n" + b"x" * (MAX_TEMPLATE_BYTES - 12))
    assert len(read_card_template(path, {"version"})) == MAX_TEMPLATE_BYTES
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(BuildError) as err:
        read_card_template(path, {"version"})
    assert [(i.check, i.message) for i in err.value.incidents] == [
        ("card-template", f"{MAX_TEMPLATE_BYTES + 1} bytes; expected at most "
                          f"{MAX_TEMPLATE_BYTES}; expected the dataset card template (--card)")]


def _annotation(mentions: int = 1, quotes: int = 1, contents: int = 1) -> dict:
    span = {"start": 0, "end": 1, "text": "x"}
    return {
        "doc_id": "mini_001", "annotator": "x",
        "mentions": [{"id": f"m{k + 1}", **span, "type": "GPE", "entity": "tehran"}
                     for k in range(mentions)],
        "quotes": [{"id": f"q{k + 1}", "form": "direct", "cue": span,
                    "content": [span] * contents, "speaker": None, "speaker_kind": "none",
                    "speaker_entity": "unknown", "addressee_entity": None, "parent": None}
                   for k in range(quotes)],
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("field", "limit", "pointer"),
    [
        ("mentions", 10_000, "/mentions"),  # mentions per annotation file
        ("quotes", 2_000, "/quotes"),  # quotations per annotation file
        ("contents", 100, "/quotes/0/content"),  # content spans per quotation
    ],
)
def test_entry_limits_both_sides(field, limit, pointer):
    assert schema_incidents(_annotation(**{field: limit}), "annotation", "a.json",
                            "annotation-schema") == []
    found = schema_incidents(_annotation(**{field: limit + 1}), "annotation", "a.json",
                             "annotation-schema")
    assert [(i.check, i.where, i.message) for i in found] == [
        ("annotation-schema", pointer,
         f"found {limit + 1} items; expected at most {limit} (the limit)")]


@pytest.mark.slow
def test_proposed_entities_limit_both_sides():
    entity = json.loads((MINI / "annotations" / "entities.json").read_text("utf-8"))["entities"][0]
    doc = _annotation()
    for n, errors in ((10_000, 0), (10_001, 1)):
        doc["draft"] = {"tool": "sokhan annotate", "version": "1", "status": "draft",
                        "proposed_entities": [entity] * n}
        found = schema_incidents(doc, "annotation", "a.json", "annotation-schema")
        assert len(found) == errors
    assert found[0].message == "found 10001 items; expected at most 10000 (the limit)"


# --- graphemes ----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("word", "start", "end", "edge"),
    [
        ("خانه\u0654", 0, 4, "end"),  # «خانهٔ»: the mention stops before HAMZA ABOVE (ezafe)
        ("مسکو\u0651", 0, 4, "end"),  # before a SHADDA
        ("مسکو\u064b", 0, 4, "end"),  # before a FATHATAN
        ("مسکو\u0670", 0, 4, "end"),  # before a SUPERSCRIPT ALEF
        ("بِرلین", 1, 6, "start"),  # starts on the KASRA of «بِ», cut from its letter
        ("مسکو\u064e\u0651", 0, 5, "end"),  # between the two marks of one letter (NFC order)
    ],
)
def test_a_span_that_splits_a_letter_from_its_mark(word, start, end, edge, tmp_path, capsys):
    ws = Workspace(tmp_path)
    seed = tmp_path / "seeds" / "mini_001.txt"
    text = seed.read_text(encoding="utf-8").replace("در مسکو ادامه", f"در {word} ادامه", 1)
    seed.write_bytes(text.encode())
    ws.rehash()
    at = text.index(word)
    ann = json.loads((tmp_path / "annotations" / "mini_001.json").read_text("utf-8"))
    ann["mentions"][7].update(start=at + start, end=at + end, text=word[start:end])
    del ann["quotes"][2]  # its content span held the old word
    dump_json(tmp_path / "annotations" / "mini_001.json", ann)
    status, incidents, err = run(ws, "validate", capsys)
    assert status == 1
    assert [(i["check"], i["where"]) for i in incidents] == [("span-grapheme", "/mentions/7")]
    assert f"the span's {edge} at" in incidents[0]["message"]
    # the whole word, marks included, is a valid mention: validate, which runs every check
    # of the build before it compares with the (never built) corpus, finds only that
    ann["mentions"][7].update(start=at, end=at + len(word), text=word)
    dump_json(tmp_path / "annotations" / "mini_001.json", ann)
    status, incidents, err = run(ws, "validate", capsys)
    assert status == 1 and {i["check"] for i in incidents} == {"corpus-stale"}, err


@pytest.mark.parametrize(
    ("raw", "start", "end", "split"),
    [
        ("ab", 0, 1, False),  # two letters
        ("a\u0301b", 0, 1, True),  # a Latin letter and COMBINING ACUTE
        ("a\u0301b", 0, 2, False),  # the letter with its mark
        ("\U0001f44d\U0001f3fd!", 0, 1, True),  # a thumbs-up cut from its skin tone
        ("\u0651x", 0, 1, False),  # a mark at the very start has nothing to split from
        ("x\u0651", 1, 2, True),  # a span of the mark alone
    ],
)
def test_grapheme_split(raw, start, end, split):
    assert (grapheme_split(raw, start, end) is not None) == split


# --- a gold file of null is a broken file, not a missing one -------------------------------


def test_a_gold_file_of_null_is_not_taken_for_a_missing_one(tmp_path, capsys):
    ws = Workspace(tmp_path)
    (tmp_path / "annotations" / "mini_001.json").write_bytes(b"null\n")
    status, incidents, _err = run(ws, "build", capsys)
    assert status == 1
    assert [(i["check"], i["where"]) for i in incidents] == [("annotation-json", "/")]
    assert "holds null; expected a JSON object (an annotation file)" in incidents[0]["message"]
    assert not (tmp_path / "corpus").exists()


# --- drafts given to `sokhan browse --draft` -------------------------------------------------


def _draft(root: Path) -> dict:
    gold = json.loads((root / "annotations" / "mini_001.json").read_text(encoding="utf-8"))
    return {**gold, "annotator": "sokhan annotate",
            "draft": {"tool": "sokhan annotate", "version": "0.0-test", "status": "draft",
                      "proposed_entities": []}}


def _entity(**fields) -> dict:
    return {"id": "new-place", "type": "GPE", "name_fa": "جا", "name_en": "Place",
            "aliases": ["جا"], "is_group": False, "members": [], **fields}


def _set(pointer: str, value):
    """An edit that sets one value of the draft and writes it."""
    def edit(path: Path, doc: dict) -> None:
        node = doc
        *parents, last = pointer.split("/")
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[int(last) if isinstance(node, list) else last] = value
        dump_json(path, doc)
    return edit


DRAFT_CASES = [
    # the whole file: null, an array, NaN, cut short, deeper than the limit
    ("null", lambda p, d: p.write_bytes(b"null"), "annotation-json"),
    ("array", lambda p, d: p.write_bytes(b"[]"), "annotation-json"),
    ("nan", lambda p, d: p.write_bytes(b'{"doc_id": NaN}'), "annotation-json"),
    ("cut", lambda p, d: p.write_bytes(json.dumps(d).encode()[:200]), "annotation-json"),
    ("deep", lambda p, d: p.write_bytes(b"[" * 10_000 + b"]" * 10_000), "annotation-json"),
    # not a regular file: a pipe (would block), a device (endless), too large (sparse)
    ("pipe", lambda p, d: os.mkfifo(p), "annotation-json"),
    ("device", lambda p, d: p.symlink_to("/dev/zero"), "annotation-json"),
    ("huge", lambda p, d: p.open("wb").truncate(MAX_JSON_BYTES + 1), "annotation-json"),
    # offsets outside the article, and offsets that do not hold the copied text
    ("range", _set("mentions/0/end", 99_999), "span-range"),
    ("offsets", _set("mentions/0/start", 1), "span-text"),
    # a type the schema does not know
    ("type", _set("mentions/0/type", "WEAPON"), "annotation-schema"),
    # an entity neither in the registry nor proposed
    ("entity", _set("mentions/0/entity", "no-such-entity"), "unknown-entity"),
    # a nested quotation whose parent does not exist, and a parent cycle
    ("parent", _set("quotes/1/parent", "q9"), "quote-parent-missing"),
    ("cycle", _set("quotes/0/parent", "q1"), "quote-parent-cycle"),
    # a proposed entity of the wrong shape, or one the registry already has
    ("proposed", _set("draft/proposed_entities", [{"id": "x"}]), "registry-schema"),
    ("clash", _set("draft/proposed_entities", [_entity(id="tehran")]), "duplicate-id"),
    # a proposed group whose member is not anywhere
    ("member", _set("draft/proposed_entities",
                    [_entity(is_group=True, members=["nobody-known"])]), "registry-member"),
    # the draft block missing its shape, a status nobody knows, or no block at all
    ("block", _set("draft", None), "annotation-schema"),
    ("status", _set("draft/status", "approved"), "annotation-schema"),
    # more mentions than any annotation file may hold
    ("many", lambda p, d: p.write_text(json.dumps(
        {**d, "mentions": d["mentions"] * 1251}), encoding="utf-8"), "annotation-schema"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("case", "edit", "check"), DRAFT_CASES, ids=[c[0] for c in DRAFT_CASES])
def test_a_hostile_draft_for_the_browser(case, edit, check, tmp_path, capsys):
    ws = Workspace(tmp_path)
    draft = _draft(tmp_path)
    path = tmp_path / "draft.json"
    edit(path, draft)
    args = ["browse", "--seeds", str(tmp_path / "seeds"), "--annotations",
            str(tmp_path / "annotations"), "--out", str(tmp_path / "site"), "--draft", str(path)]
    status, err = run_args(args, capsys)
    assert status == 1, err
    assert {i["check"] for i in _browse_incidents(err)} == {check}, err
    assert not (tmp_path / "site").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]
    assert ws.root == tmp_path


def _browse_incidents(err: str) -> list[dict]:
    return reported(err.replace("sokhan browse:", "sokhan build:"))


def test_a_valid_draft_browses(tmp_path, capsys):
    ws = Workspace(tmp_path)
    draft = _draft(tmp_path)
    draft["draft"]["proposed_entities"] = [_entity()]
    draft["mentions"][1]["entity"] = "new-place"
    dump_json(tmp_path / "draft.json", draft)
    from sokhan.cli import main

    status = main(["browse", "--seeds", str(tmp_path / "seeds"), "--annotations",
                   str(tmp_path / "annotations"), "--out", str(tmp_path / "site"),
                   "--draft", str(tmp_path / "draft.json")])
    assert status == 0, capsys.readouterr().err
    assert (tmp_path / "site" / ".sokhan-browse").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]
    assert ws.root == tmp_path


# --- corrected exports given to `sokhan import` ---------------------------------------------


def _append(rel: str, text: str):
    def edit(folder: Path) -> None:
        with (folder / rel).open("a", encoding="utf-8") as f:
            f.write(text)
    return edit


def _replace(rel: str, old: str, new: str):
    def edit(folder: Path) -> None:
        text = (folder / rel).read_text(encoding="utf-8")
        assert old in text, (rel, old)
        (folder / rel).write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


def _write(rel: str, data: bytes):
    def edit(folder: Path) -> None:
        (folder / rel).unlink()
        (folder / rel).write_bytes(data)
    return edit


def _fifo(rel: str):
    def edit(folder: Path) -> None:
        (folder / rel).unlink()
        os.mkfifo(folder / rel)
    return edit


def _huge(rel: str):
    def edit(folder: Path) -> None:
        with (folder / rel).open("r+b") as f:
            f.truncate(MAX_JSON_BYTES + 1)
    return edit


IMPORT_CASES = [
    # offsets past the end of the article's text
    ("brat", "offsets-past-end", _replace("mini_001.ann", "T2\tGPE 21 26", "T2\tGPE 21 9999"),
     "import-offsets"),
    # start after end
    ("brat", "offsets-reversed", _replace("mini_001.ann", "T2\tGPE 21 26", "T2\tGPE 26 21"),
     "import-offsets"),
    # an entity type OntoNotes does not have
    ("brat", "unknown-type", _replace("mini_001.ann", "T2\tGPE 21 26", "T2\tALIEN 21 26"),
     "import-type"),
    # a relation whose argument is a span that does not exist
    ("brat", "relation-to-missing-span",
     _append("mini_001.ann", "R9\tHasSource Arg1:T9 Arg2:T99\n"), "import-relation"),
    # an attribute on a span that does not exist
    ("brat", "attribute-on-missing-span", _append("mini_001.ann", "A99\tForm T99 direct\n"),
     "import-relation"),
    # one byte over the size limit: refused unread
    ("brat", "huge-ann", _huge("mini_001.ann"), "import-syntax"),
    # a named pipe where the .ann file should be: refused, never opened for reading
    ("brat", "ann-is-a-pipe", _fifo("mini_001.ann"), "import-syntax"),
    # metadata nested far deeper than the JSON depth limit
    ("brat", "deep-metadata", _write("sokhan.json", b"[" * 100_000 + b"]" * 100_000),
     "import-document"),
    # metadata with NaN and a repeated key: not strict JSON
    ("brat", "nan-metadata", _write("sokhan.json", b'{"documents": NaN}'), "import-document"),
    ("brat", "repeated-key-metadata",
     _write("sokhan.json", b'{"documents": {}, "documents": {"mini_001": {"annotator": "x"}}}'),
     "import-document"),
    # metadata whose whole value is an array
    ("brat", "array-metadata", _write("sokhan.json", b"[]"), "import-document"),
    # a pipe where the metadata should be
    ("brat", "metadata-is-a-pipe", _fifo("sokhan.json"), "import-document"),
    # an XMI file one byte over the limit, and one that is a named pipe
    ("xmi", "huge-xmi", _huge("mini_001.xmi"), "import-xml"),
    ("xmi", "xmi-is-a-pipe", _fifo("mini_001.xmi"), "import-xml"),
    # a type system that is a pipe
    ("xmi", "typesystem-is-a-pipe", _fifo("TypeSystem.xml"), "import-xml"),
]


@pytest.mark.parametrize(("fmt", "case", "edit", "check"), IMPORT_CASES,
                         ids=[c[1] for c in IMPORT_CASES])
def test_a_hostile_import(fmt, case, edit, check, tmp_path, capsys):
    from sokhan.cli import main

    ws = Workspace(tmp_path)
    inputs = ["--seeds", str(ws.root / "seeds"), "--annotations", str(ws.root / "annotations")]
    assert main(["export", "--format", fmt, "--out", str(tmp_path / "export"), *inputs]) == 0
    edit(tmp_path / "export")
    name = "mini_001.ann" if fmt == "brat" else "mini_001.xmi"
    out = tmp_path / "imported" / "mini_001.json"
    status, err = run_args(["import", "--format", fmt, str(tmp_path / "export" / name),
                            "--out", str(out), *inputs], capsys)
    assert status == 1, err
    assert {i["check"] for i in reported(err)} == {check}, err
    assert not out.exists()
