"""The catalogue of checks: one fixture per check id, each failing with exactly its id.

A fixture is a folder ``tests/fixtures/checks/<check-id>/`` laid over a copy of
the mini corpus (``tests/fixtures/mini``): its files replace or add files, and
its ``fixture.json`` describes what git cannot store well or a reader should
see at a glance. Keys of ``fixture.json``, applied in this order:

- ``description``: what is broken (required);
- ``command``: ``validate`` (default), ``build`` or ``import`` (of the file named by
  ``import``, in the format of ``export``, into ``out``, default ``imported/<stem>.json``),
  or the command an ``argv`` runs;
- ``argv``: the full command line instead (``add``, ``accept``, ``release``, …), with
  ``{root}`` standing for the workspace;
- ``out``: the ``--out`` folder (or file) relative to the workspace (default ``corpus``);
- ``prebuild``: build the unbroken mini corpus into ``corpus/`` first;
- ``export``: export the unbroken mini corpus in this format into ``export/`` first;
- ``delete``, ``mkdir``: lists of paths;
- ``write_text``: path → text, or ``{"text": …, "repeat": n}``;
- ``write_bytes``: path → base64;
- ``edit``: path → list of ``[old, new]``, each replacing the first occurrence;
- ``set``, ``remove``, ``append``: JSON file → JSON pointer → value (``append``
  adds to a list; a value ``{"copy_of": pointer, …}`` copies that part of the
  file with the other keys overriding);
- ``symlink``: path → link target;
- ``chmod``: path → octal mode (as a string); permissions mean nothing to root,
  so when the tests run as root such a fixture's command runs as the user
  ``nobody`` (``setpriv``, from util-linux) on a copy of the workspace that user
  owns;
- ``rehash``: rewrite the manifest's sha256 and size of every seed, so that a
  changed seed reaches the checks behind the checksum.

Paths are relative to the workspace: ``seeds/``, ``annotations/``, ``corpus/``
(the output) and ``card.md`` (a small card template).
"""

from __future__ import annotations

import copy
import json
import re

import pytest

from helpers import (
    MINI,
    REPO,
    Workspace,
    dump_json,
    fixture_ids,
    fixture_params,
    reported,
    run_fixture,
)
from sokhan.checks.incidents import ACTIONS, CHECKS, RETIRED, BuildError, Incident, markdown_table
from sokhan.checks.rows import check_rows, offset_problems
from sokhan.cli import main

#: Checks that no input can reach: internal safety nets, each tested by a unit test below;
#: and the checks of ``sokhan process`` on its records, tested by a table of records (or by
#: a test in another file, named ``<file>::<test>``: a worker that dies needs a process pool).
UNIT_TESTED = {
    "record-schema": "test_record_schema_catches_a_broken_row",
    "record-offsets": "test_record_offsets_catch_a_shifted_span",
    "tokenisation": "test_tokenisation_catches_a_token_not_in_its_sentence",
    "input-unreadable": "test_process_refuses_an_unusable_input",
    **{check: "test_process_reports_a_bad_record_with_its_check_id" for check in (
        "record-json", "record-id", "record-duplicate", "record-text", "record-metadata",
        "record-failed")},
    "record-worker-died":
        "test_process_faults.py::test_a_record_that_kills_its_worker_is_refused_and_the_rest_is_"
        "unchanged",
    "workers-lost": "test_process_faults.py::test_workers_that_keep_dying_end_the_run_with_its_"
                    "check_id",
}


# --- the catalogue ------------------------------------------------------------------------


def test_every_check_has_a_fixture_or_a_unit_test():
    fixtures = set(fixture_ids())
    assert fixtures <= set(CHECKS), f"fixtures for unknown ids: {fixtures - set(CHECKS)}"
    assert set(CHECKS) - fixtures == set(UNIT_TESTED)
    for name in UNIT_TESTED.values():
        file, _, test = name.rpartition("::")  # a test in another file: tests/<file>::<name>
        if file:
            assert f"\ndef {test}(" in (REPO / "tests" / file).read_text(encoding="utf-8"), name
        else:
            assert name in globals(), name


def test_every_check_says_what_to_do():
    assert set(ACTIONS) == set(CHECKS)
    assert all(ACTIONS[c].strip() for c in CHECKS)


def test_check_ids_are_stable_kebab_case_and_never_reused():
    for check in [*CHECKS, *RETIRED]:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", check), check
    assert not set(CHECKS) & set(RETIRED)


def test_docs_list_every_check():
    docs = (REPO / "docs" / "checks.md").read_text(encoding="utf-8")
    assert markdown_table() in docs, "docs/checks.md: paste `sokhan checks --markdown`"
    for check in RETIRED:
        assert f"`{check}`" in docs


@pytest.mark.parametrize("check", fixture_params())
def test_fixture_fails_with_exactly_its_check(check, tmp_path, capsys):
    status, err, incidents = run_fixture(check, tmp_path, capsys)
    assert "Traceback" not in err
    assert status == 1, err
    assert {i["check"] for i in incidents} == {check}, err


@pytest.mark.slow
def test_the_mini_corpus_is_valid(tmp_path, capsys):
    ws = Workspace(tmp_path)
    status, err = ws.run("build", capsys)
    assert (status, err) == (0, "")
    status, err = ws.run("validate", capsys)
    assert (status, err) == (0, "")


# --- what the messages say ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "where", "words"),
    [
        # a JSON syntax error names line and column
        ("annotation-json", "line 9 column 4", ["Expecting ',' delimiter"]),
        ("manifest-json", "line 6 column 4", ["Expecting ',' delimiter"]),
        ("registry-json", "line 70 column 2", ["Expecting value"]),
        # a schema violation names the JSON pointer
        ("annotation-schema", "/mentions/0/start", ['found "0"', "is not of type 'integer'"]),
        ("manifest-schema", "/seeds/0/size", ['found "299"']),
        # copied text and source text are both shown
        ("span-text", "/mentions/0/text", ["'پوتن'", "'پوتین'", "line 1"]),
        ("span-token", "/mentions/0", ["'پوتی'", "ends inside a token", "'پوتین:'"]),
        ("span-range", "/mentions/7", ["[151, 9999)", "<= 167"]),
        # seed hazards name line, column and code point
        ("seed-unicode", "line 1 column 8", ["U+202E RIGHT-TO-LEFT OVERRIDE", "bidirectional"]),
        ("seed-nul", "line 1 column 11", ["U+0000"]),
        ("seed-nfc", "line 2 column 1", ["U+0627 ARABIC LETTER ALEF + U+0653", "U+0622"]),
        ("seed-bom", "line 1 column 1", ["byte-order mark"]),
        ("seed-crlf", "line 1", ["CR"]),
        ("seed-encoding", "line 2 column 1", ["0xff"]),
        ("seed-too-large", "line 1", ["20005 characters", "20000"]),
        ("json-unicode", "/mentions/0/note", ["U+202E"]),
        ("quote-parent-cycle", "/quotes/0/parent", ["'q1' is its own ancestor"]),
        ("card-template", "line 5", ["'{{no_such_table}}'", "counts_table"]),
    ],
)
def test_message_names_the_place(check, where, words, tmp_path, capsys):
    _, err, incidents = run_fixture(check, tmp_path, capsys)
    assert any(i["where"] == where and all(w in i["message"] for w in words)
               for i in incidents), err


def test_every_incident_is_printed_at_once(tmp_path, capsys):
    ws = Workspace(tmp_path)
    ann = tmp_path / "annotations" / "mini_001.json"
    doc = json.loads(ann.read_text(encoding="utf-8"))
    doc["mentions"][0]["text"] = "پوتن"
    doc["mentions"][1]["entity"] = "tehrn"
    doc["quotes"][1]["parent"] = "q9"
    dump_json(ann, doc)
    status, err = ws.run("validate", capsys)
    assert status == 1
    assert sorted(i["check"] for i in reported(err)) == [
        "quote-parent-missing", "span-text", "unknown-entity"]
    assert err.splitlines()[-1] == "sokhan validate: 3 problem(s); nothing written"


# --- checks no input reaches --------------------------------------------------------------


@pytest.fixture(scope="module")
def mini_corpus():
    from sokhan.build import assemble

    return assemble(MINI / "seeds", MINI / "annotations")


def test_record_schema_catches_a_broken_row(mini_corpus):
    broken = copy.copy(mini_corpus)
    broken.rows = copy.deepcopy(mini_corpus.rows)
    broken.rows["sentences"]["train"][0]["role"] = "footnote"
    with pytest.raises(BuildError) as err:
        check_rows(broken)
    assert {i.check for i in err.value.incidents} == {"record-schema"}
    assert err.value.incidents[0].where == "/0/role"


def test_record_offsets_catch_a_shifted_span(mini_corpus):
    broken = copy.copy(mini_corpus)
    broken.rows = copy.deepcopy(mini_corpus.rows)
    mention = broken.rows["mentions"]["train"][0]
    mention["start"] += 1
    mention["end"] += 1
    with pytest.raises(BuildError) as err:
        check_rows(broken)
    assert {i.check for i in err.value.incidents} == {"record-offsets"}
    doc = mini_corpus.docs[0]
    assert list(offset_problems("mentions", mini_corpus.rows["mentions"]["train"][0], doc)) == []


def test_tokenisation_catches_a_token_not_in_its_sentence(mini_corpus, monkeypatch):
    import sokhan.stages.tokenise as tokenise

    # token spans are matched in the sentence, so they are always substrings that
    # cover it; simulate spans that overlap, and then spans that leave a word out
    monkeypatch.setattr(tokenise, "token_spans", lambda text: [(0, 3), (2, 4)])
    doc = mini_corpus.docs[0]
    sentences = copy.deepcopy(mini_corpus.sentences[doc.doc_id])
    with pytest.raises(BuildError) as err:
        tokenise.tokenise(doc, sentences, "seeds/mini_001.txt")
    assert {i.check for i in err.value.incidents} == {"tokenisation"}
    assert "overlaps" in err.value.incidents[0].message
    monkeypatch.setattr(tokenise, "token_spans", lambda text: [(0, 1)])
    with pytest.raises(BuildError) as err:
        tokenise.tokenise(doc, copy.deepcopy(sentences), "seeds/mini_001.txt")
    assert {i.check for i in err.value.incidents} == {"tokenisation"}
    assert "cover 1 of the" in err.value.incidents[0].message


def test_tokenisation_catches_a_raw_token_outside_its_sentence(mini_corpus, monkeypatch):
    import sokhan.stages.tokenise as tokenise
    from sokhan.stages.alignment import Alignment

    # the alignment is monotone, so a token's raw span always lies in its sentence's;
    # simulate one that maps every bound past the end of the raw text
    mapped = Alignment.norm_bounds_to_raw
    monkeypatch.setattr(Alignment, "norm_bounds_to_raw",
                        lambda self, bounds: [b + 10_000 for b in mapped(self, bounds)])
    doc = mini_corpus.docs[0]
    sentences = copy.deepcopy(mini_corpus.sentences[doc.doc_id])
    with pytest.raises(BuildError) as err:
        tokenise.tokenise(doc, sentences, "seeds/mini_001.txt")
    assert {i.check for i in err.value.incidents} == {"tokenisation"}
    assert len(err.value.incidents) == len(sentences)  # one per sentence
    assert "lies outside the sentence's raw text" in err.value.incidents[0].message


def test_an_unknown_check_id_is_a_bug():
    with pytest.raises(ValueError, match="unknown check id"):
        Incident("x", "", "no-such-check", "")


# --- sokhan process: one bad record each --------------------------------------------------

_GOOD = "خبر کوتاه.\nمتن خبر این است."
#: (JSONL line, the check its record fails); one comment per case.
BAD_RECORDS = [
    (b'{"text": "x"}', "record-id"),                                 # no id
    (b'{"id": "", "text": "x"}', "record-id"),                       # empty id
    (b'{"id": 7, "text": "x"}', "record-id"),                        # id not a string
    (b'{"id": "a b", "text": "x"}', "record-id"),                    # white space in the id
    (b'{"id": "ok1", "text": "x"}', "record-duplicate"),             # ok1 is also line 1
    (b'{"id": "t1"}', "record-text"),                                # no text
    (b'{"id": "t2", "text": ["x"]}', "record-text"),                 # text not a string
    (b'{"id": "t3", "text": "  \\n "}', "seed-empty"),             # only white space
    (b'{"id": "t4", "text": "\xff"}', "seed-encoding"),             # invalid UTF-8 on the line
    (b'{"id": "t5", "text": "\\ud800"}', "seed-encoding"),         # lone surrogate
    (b'{"id": "t6", "text": "a\\r\\nb"}', "seed-crlf"),          # CRLF line end
    (b'{"id": "t7", "text": "\\ufeffx"}', "seed-bom"),             # byte-order mark
    (b'{"id": "t8", "text": "a\\u0000b"}', "seed-nul"),            # NUL
    (b'{"id": "t9", "text": "a\\u202eb"}', "seed-unicode"),        # bidi override
    (b'{"id": "t10", "text": "' + b"x" * 300_000 + b'"}', "seed-too-large"),  # enormous
    (b'{"id": "t11", "text": "x", "headline": 3}', "record-metadata"),        # wrong type
    (b'{"id": "t12", "text": "x", "split": "dev"}', "record-metadata"),       # unknown split
    (b"[1, 2]", "record-json"),                                      # not an object
    (b"{oops", "record-json"),                                       # not JSON
    (b'{"id": "t13", "text": "x", "m": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     "record-json"),                                                 # nested 100 000 deep
    (b'{"id": "t14", "text": "x", "m": NaN}', "record-json"),       # NaN is not JSON
    (b'{"id": "t15", "text": "x", "id": "t16"}', "record-json"),    # a repeated key
]


def test_process_reports_a_bad_record_with_its_check_id(tmp_path, monkeypatch):
    from sokhan.process import document

    good = json.dumps({"id": "ok1", "text": _GOOD}, ensure_ascii=False).encode()
    boom = json.dumps({"id": "boom", "text": _GOOD + "!"}, ensure_ascii=False).encode()
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join([good, *(line for line, _ in BAD_RECORDS), boom]) + b"\n")
    real = document._pipeline

    def fails_on_boom(rec, seed, split):
        if rec.id == "boom":  # a bug met on one record
            raise ZeroDivisionError("division by zero")
        return real(rec, seed, split)

    monkeypatch.setattr(document, "_pipeline", fails_on_boom)
    assert main(["process", str(source), "--out", str(tmp_path / "out"), "-q"]) == 0
    report = (tmp_path / "out" / "problems.jsonl").read_text(encoding="utf-8").splitlines()
    found = [(p["where"], p["check"]) for p in map(json.loads, report)]
    expected = [(f"in.jsonl:{k}", check) for k, (_, check) in enumerate(BAD_RECORDS, start=2)]
    assert found == [*expected, (f"in.jsonl:{len(BAD_RECORDS) + 2}", "record-failed")]
    manifest = json.loads((tmp_path / "out" / "process-manifest.json").read_text("utf-8"))
    assert manifest["counts"]["documents"] == 1
    assert manifest["counts"]["refused"] == len(BAD_RECORDS) + 1


def test_process_refuses_an_unusable_input(tmp_path, capsys):
    (tmp_path / "in.csv").write_text("id,text\n", encoding="utf-8")
    assert main(["process", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out")]) == 1
    assert "[input-unreadable]" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("tokens", "starts", "ends", "found"),
    [
        (["ab", "cd"], [0, 3], [2, 5], []),  # every token at its offsets
        (["ab", "cx"], [0, 3], [2, 5], [("/tokens/1", "token 'cx' is not at its offsets")]),
        (["ab"], [0, 3], [2, 5], [("/tokens", "1 tokens but 2 starts and 2 ends")]),
    ],
)
def test_token_offsets_are_checked_per_token(tokens, starts, ends, found):
    from sokhan.checks.rows import _token_problems

    row = {"text": "ab cd", "tokens": tokens, "token_starts": starts, "token_ends": ends}
    assert list(_token_problems(row, "tokens", "token_starts", "token_ends", "text",
                                "token")) == found
