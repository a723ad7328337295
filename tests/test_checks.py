"""The catalogue of checks: one fixture per check id, each failing with exactly its id.

A fixture is a folder ``tests/fixtures/checks/<check-id>/`` laid over a copy of
the mini corpus (``tests/fixtures/mini``): its files replace or add files, and
its ``fixture.json`` describes what git cannot store well or a reader should
see at a glance. Keys of ``fixture.json``, applied in this order:

- ``description``: what is broken (required);
- ``command``: ``validate`` (default) or ``build``;
- ``out``: the ``--out`` folder relative to the workspace (default ``corpus``);
- ``prebuild``: build the unbroken mini corpus into ``corpus/`` first;
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

import base64
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO
from sokhan.checks.incidents import ACTIONS, CHECKS, RETIRED, BuildError, Incident, markdown_table
from sokhan.checks.rows import check_rows, offset_problems
from sokhan.cli import main

MINI = REPO / "tests" / "fixtures" / "mini"
FIXTURES = REPO / "tests" / "fixtures" / "checks"
CARD = "# Mini corpus\n\n{{counts_table}}\n"
#: The user and group id of ``nobody``, who runs the fixtures about permissions as root.
NOBODY = 65534
#: Checks that no input can reach: internal safety nets, each tested by a unit test below.
UNIT_TESTED = {
    "record-schema": "test_record_schema_catches_a_broken_row",
    "record-offsets": "test_record_offsets_catch_a_shifted_span",
    "tokenisation": "test_tokenisation_catches_a_token_not_in_its_sentence",
}
#: One line of stderr: ``path: [location:] [check-id] message``.
INCIDENT_LINE = re.compile(r"^(?P<path>[^\n]+?):(?: (?P<where>[^\n\[]+?):)? "
                           r"\[(?P<check>[a-z0-9-]+)\] (?P<message>.+)$")
#: The last line of an error report.
SUMMARY_LINE = re.compile(r"^sokhan (build|validate): \d+ problem\(s\); nothing written$")


class Workspace:
    """A private copy of the mini corpus that a test may break."""

    def __init__(self, root: Path):
        self.root = root
        shutil.copytree(MINI / "seeds", root / "seeds")
        shutil.copytree(MINI / "annotations", root / "annotations")
        (root / "card.md").write_text(CARD, encoding="utf-8")

    def args(self, command: str = "validate", out: str | None = None) -> list[str]:
        """Arguments naming the workspace; ``out`` is relative to it ("" stays empty)."""
        out_arg = str(self.root / "corpus") if out is None else out and str(self.root / out)
        return [command, "--seeds", str(self.root / "seeds"),
                "--annotations", str(self.root / "annotations"),
                "--out", out_arg, "--card", str(self.root / "card.md")]

    def run(self, command: str, capsys, out: str | None = None) -> tuple[int, str]:
        """Run the command line in-process; returns the status and stderr."""
        capsys.readouterr()
        status = main(self.args(command, out))
        return status, capsys.readouterr().err

    def rehash(self) -> None:
        """Make the manifest agree with the seeds as they are now."""
        path = self.root / "seeds" / "manifest.json"
        manifest = json.loads(path.read_text(encoding="utf-8"))
        for entry in manifest["seeds"]:
            seed = self.root / "seeds" / entry["file"]
            if seed.is_file():
                data = seed.read_bytes()
                entry["sha256"], entry["size"] = hashlib.sha256(data).hexdigest(), len(data)
        dump_json(path, manifest)

    def apply(self, folder: Path, spec: dict, capsys=None) -> None:
        """Lay a fixture folder and its ``fixture.json`` over the workspace."""
        root = self.root
        if spec.get("prebuild"):
            assert main(self.args("build")) == 0
        for src in sorted(folder.rglob("*")):
            if src.is_file() and src.name != "fixture.json":
                dest = root / src.relative_to(folder)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
        for rel in spec.get("delete", []):
            (root / rel).unlink()
        for rel in spec.get("mkdir", []):
            (root / rel).mkdir(parents=True)
        for rel, text in spec.get("write_text", {}).items():
            if isinstance(text, dict):
                text = text["text"] * text.get("repeat", 1)
            (root / rel).write_bytes(text.encode("utf-8"))
        for rel, data in spec.get("write_bytes", {}).items():
            (root / rel).write_bytes(base64.b64decode(data))
        for rel, edits in spec.get("edit", {}).items():
            text = (root / rel).read_bytes().decode("utf-8")
            for old, new in edits:
                assert old in text, f"{folder.name}: {old!r} not in {rel}"
                text = text.replace(old, new, 1)
            (root / rel).write_bytes(text.encode("utf-8"))
        for op in ("set", "remove", "append"):
            for rel, changes in spec.get(op, {}).items():
                doc = json.loads((root / rel).read_text(encoding="utf-8"))
                items = (changes.items() if isinstance(changes, dict)
                         else ((p, None) for p in changes))
                for ptr, value in items:
                    json_edit(doc, op, ptr, value)
                dump_json(root / rel, doc)
        for rel, target in spec.get("symlink", {}).items():
            (root / rel).symlink_to(target)
        if spec.get("rehash"):
            self.rehash()
        for rel, mode in spec.get("chmod", {}).items():
            (root / rel).chmod(int(mode, 8))


def dump_json(path: Path, value) -> None:
    """Write JSON as the mini corpus does (one-space indent, letters unescaped)."""
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")


def resolve(doc, ptr: str):
    """The parent of a JSON pointer's target and the target's last key."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in ptr.split("/")[1:]]
    node = doc
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    return node, int(last) if isinstance(node, list) else last


def json_edit(doc, op: str, ptr: str, value) -> None:
    """Apply one ``set``, ``remove`` or ``append`` to a parsed JSON document."""
    if isinstance(value, dict) and "copy_of" in value:
        parent, key = resolve(doc, value["copy_of"])
        value = {**copy.deepcopy(parent[key]), **{k: v for k, v in value.items() if k != "copy_of"}}
    parent, key = resolve(doc, ptr)
    if op == "set":
        parent[key] = value
    elif op == "remove":
        del parent[key]
    else:
        parent[key].append(value)


def fixture_ids() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def reported(stderr: str) -> list[dict]:
    """The incidents printed on stderr, parsed; every other line must be the summary."""
    out = []
    for line in stderr.splitlines():
        m = INCIDENT_LINE.match(line)
        if m:
            out.append(m.groupdict())
        else:
            assert SUMMARY_LINE.match(line), line
    return out


def run_fixture(check: str, tmp_path: Path, capsys) -> tuple[int, str, list[dict]]:
    """Lay the fixture of ``check`` over a fresh mini corpus and run its command."""
    folder = FIXTURES / check
    spec = json.loads((folder / "fixture.json").read_text(encoding="utf-8"))
    if "chmod" in spec and os.geteuid() == 0:
        return _run_as_nobody(folder, spec)
    ws = Workspace(tmp_path)
    try:
        ws.apply(folder, spec)
        status, err = ws.run(spec.get("command", "validate"), capsys, spec.get("out"))
    finally:
        for rel in spec.get("chmod", {}):  # let pytest remove the workspace
            (tmp_path / rel).chmod(0o755)
    return status, err, reported(err)


def _run_as_nobody(folder: Path, spec: dict) -> tuple[int, str, list[dict]]:
    """Run a fixture's command as ``nobody``, where root would bypass its permissions."""
    import tempfile

    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) is needed to run as an ordinary user")
    home = Path(tempfile.mkdtemp(prefix="sokhan-nobody-", dir="/tmp"))
    try:
        home.chmod(0o755)
        ws = Workspace(home / "ws")
        ws.apply(folder, {k: v for k, v in spec.items() if k != "chmod"})
        for dirpath, dirnames, filenames in os.walk(home):
            for name in [*dirnames, *filenames, ""]:
                os.chown(Path(dirpath) / name, NOBODY, NOBODY, follow_symlinks=False)
        for rel, mode in spec["chmod"].items():
            (ws.root / rel).chmod(int(mode, 8))
        args = ws.args(spec.get("command", "validate"), spec.get("out"))
        out = subprocess.run(
            ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
             sys.executable, "-m", "sokhan.cli", *args],
            cwd=home, env={**os.environ, "HOME": str(home)}, capture_output=True, text=True,
            timeout=300, check=False)
        return out.returncode, out.stderr, reported(out.stderr)
    finally:
        for rel in spec["chmod"]:
            (home / "ws" / rel).chmod(0o755)
        shutil.rmtree(home)


# --- the catalogue ------------------------------------------------------------------------


def test_every_check_has_a_fixture_or_a_unit_test():
    fixtures = set(fixture_ids())
    assert fixtures <= set(CHECKS), f"fixtures for unknown ids: {fixtures - set(CHECKS)}"
    assert set(CHECKS) - fixtures == set(UNIT_TESTED)
    assert all(name in globals() for name in UNIT_TESTED.values())


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


@pytest.mark.parametrize("check", fixture_ids())
def test_fixture_fails_with_exactly_its_check(check, tmp_path, capsys):
    status, err, incidents = run_fixture(check, tmp_path, capsys)
    assert "Traceback" not in err
    assert status == 1, err
    assert {i["check"] for i in incidents} == {check}, err


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

    # hazm's tokens are substrings with the options Sokhan sets; simulate one that is not
    monkeypatch.setattr(tokenise, "split_words", lambda text: ["پوتین", "نیست"])
    doc = mini_corpus.docs[0]
    sentences = copy.deepcopy(mini_corpus.sentences[doc.doc_id])
    with pytest.raises(BuildError) as err:
        tokenise.tokenise(doc, sentences, "seeds/mini_001.txt")
    assert {i.check for i in err.value.incidents} == {"tokenisation"}


def test_an_unknown_check_id_is_a_bug():
    with pytest.raises(ValueError, match="unknown check id"):
        Incident("x", "", "no-such-check", "")
