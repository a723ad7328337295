"""The command line in a subprocess: structured errors, no traceback, nothing lost.

Bad input gives exit status 1 and one ``path: location: [check-id] message`` line
per problem; a bug gives exit status 2 and one line; a build killed at any
moment leaves the corpus folder as it was (or, once the new corpus has been
swapped in, wholly new), and never writes a gold annotation file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import (
    FIXTURES,
    INCIDENT_LINE,
    KILL_MAIN,
    KILL_PRELUDE,
    REPO,
    Workspace,
    dump_json,
    reported,
    swap_traps,
    torn_write,
)
from sokhan.build import GENERATED
from sokhan.checks.incidents import CHECKS
from sokhan.cli import main

ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
ENV.pop("SOKHAN_DEBUG", None)


def _sokhan(*args: str, code: str | None = None, env: dict | None = None,
            cwd: Path = REPO) -> subprocess.CompletedProcess:
    """``python -m sokhan.cli ARGS``, or ``python -c CODE ARGS``, in a fresh process."""
    head = ["-c", code] if code else ["-m", "sokhan.cli"]
    return subprocess.run([sys.executable, *head, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=env or ENV, check=False)


def _fixture_workspace(check: str, root: Path) -> Workspace:
    ws = Workspace(root)
    ws.apply(FIXTURES / check, json.loads((FIXTURES / check / "fixture.json").read_text("utf-8")))
    return ws


@pytest.mark.parametrize(
    ("check", "command"),
    [
        ("seed-encoding", "build"),  # bytes that are not UTF-8
        ("seed-symlink", "validate"),  # a link out of the seeds folder
        ("annotation-json", "build"),  # a syntax error
        ("corpus-write", "build"),  # a file where the corpus folder should be
    ],
)
def test_bad_input_exits_1_with_one_line_per_problem(check, command, tmp_path, capsys):
    ws = _fixture_workspace(check, tmp_path)
    capsys.readouterr()
    assert main(ws.args(command)) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert {i["check"] for i in reported(err)} == {check}
    assert err.splitlines()[-1].startswith(f"sokhan {command}: ")


@pytest.mark.slow
def test_bad_input_in_a_real_process(tmp_path):
    ws = _fixture_workspace("annotation-json", tmp_path)
    out = _sokhan(*ws.args("validate"))
    assert out.returncode == 1, out.stderr
    assert {i["check"] for i in reported(out.stderr)} == {"annotation-json"}


@pytest.mark.slow
def test_valid_input_builds(tmp_path):
    ws = Workspace(tmp_path)
    out = _sokhan(*ws.args("build"))
    assert (out.returncode, out.stderr) == (0, "")
    assert out.stdout.startswith(f"built {tmp_path / 'corpus'}: 1 documents, 4 sentences")


_BUG = """
import sys
import sokhan.build
def broken(*args, **kwargs):
    raise ZeroDivisionError("a bug")
sokhan.build.assemble = broken
from sokhan.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_internal_error_is_one_line_and_status_2(tmp_path):
    ws = Workspace(tmp_path)
    out = _sokhan(*ws.args("build"), code=_BUG)
    assert out.returncode == 2
    assert out.stderr == ("sokhan: internal error: ZeroDivisionError: a bug "
                          "(set SOKHAN_DEBUG=1 for a traceback)\n")


def test_internal_error_in_process(tmp_path, capsys, monkeypatch):
    import sokhan.build

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(sokhan.build, "assemble", broken)
    monkeypatch.delenv("SOKHAN_DEBUG", raising=False)
    assert main(Workspace(tmp_path).args("build")) == 2
    assert capsys.readouterr().err == ("sokhan: internal error: ZeroDivisionError: a bug "
                                       "(set SOKHAN_DEBUG=1 for a traceback)\n")


def test_debug_shows_the_traceback(tmp_path, capsys, monkeypatch):
    import sokhan.build

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(sokhan.build, "assemble", broken)
    monkeypatch.setenv("SOKHAN_DEBUG", "1")
    assert main(Workspace(tmp_path).args("build")) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "ZeroDivisionError: a bug" in err


@pytest.mark.parametrize(
    "args",
    [
        [],  # no command
        ["bulid"],  # a typo
        ["build", "--seed"],  # an option without its value
        ["validate", "--no-such-option"],  # an unknown option
    ],
)
def test_usage_errors_exit_2_without_traceback(args, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: sokhan") and "Traceback" not in err


@pytest.mark.slow
def test_checks_lists_every_id(capsys):
    assert main(["checks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == list(CHECKS)


def test_closed_pipe_is_not_an_error():
    proc = subprocess.Popen([sys.executable, "-m", "sokhan.cli", "checks"], cwd=REPO, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # like `sokhan checks | head -1`
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_interrupt_exits_130(tmp_path, capsys, monkeypatch):
    import sokhan.build

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sokhan.build, "assemble", interrupted)
    ws = Workspace(tmp_path)
    assert main(ws.args("build")) == 130
    assert "interrupted" in capsys.readouterr().err


def test_every_line_of_an_error_report_is_structured(tmp_path, capsys):
    ws = Workspace(tmp_path)
    ann = json.loads((tmp_path / "annotations/mini_001.json").read_text(encoding="utf-8"))
    for m in ann["mentions"]:
        m["start"] += 1  # every span now starts inside a word
    dump_json(tmp_path / "annotations/mini_001.json", ann)
    status, err = ws.run("validate", capsys)
    lines = err.splitlines()
    assert status == 1 and len(lines) == len(ann["mentions"]) + 1
    assert all(INCIDENT_LINE.match(line) for line in lines[:-1])


def test_hostile_file_name_stays_on_one_line(tmp_path, capsys):
    ws = Workspace(tmp_path)
    # a file name that would end the line and reverse the next one
    (tmp_path / "seeds" / "x\n\u202eevil.txt").write_text("متن", encoding="utf-8")
    status, err = ws.run("validate", capsys)
    assert status == 1
    lines = err.splitlines()
    assert len(lines) == 2 and "\u202e" not in err
    assert [i["check"] for i in reported(err)] == ["seed-unlisted"]
    assert "x\\x0a\\u202eevil.txt" in lines[0]


# --- nothing lost -------------------------------------------------------------------------

#: Runs the command line with a trap that SIGKILLs the process at one moment of
#: the build: ``write N`` after half of the N-th file is written to the staging
#: folder, ``link N`` before the N-th kept file is linked, ``swap`` just before
#: the exchange, ``swapped`` just after it, ``cleanup`` while the old corpus is
#: being removed.
_KILL = KILL_PRELUDE + """
import shutil
import sokhan.build, sokhan.publication.swap
""" + torn_write("write", "sokhan.publication.swap.write_file") + """
elif point == "link":
    link = os.link
    def dying_link(*args, **kwargs):
        if nth():
            die()
        return link(*args, **kwargs)
    os.link = dying_link
""" + swap_traps("sokhan.publication.swap") + """
elif point == "cleanup":
    def dying_remove(path, *args, **kwargs):
        die()
    sokhan.publication.swap.remove_tree = dying_remove
""" + KILL_MAIN


def _state(corpus: Path) -> dict[str, tuple]:
    """Every entry of the corpus folder: generated files by content, kept files by identity."""
    out = {}
    for p in sorted(corpus.rglob("*")):
        rel = p.relative_to(corpus).as_posix()
        if p.is_dir():
            continue
        data = hashlib.sha256(p.read_bytes()).hexdigest()
        generated = any(rel == g or rel.startswith(g) for g in GENERATED)
        st = p.stat()
        out[rel] = (data,) if generated else (data, st.st_ino, st.st_mtime_ns)
    return out


@pytest.fixture(scope="module")
def killable(tmp_path_factory):
    """A corpus in the real layout (annotations inside it), built once, inputs then changed.

    Returns the workspace, the corpus as it is and the corpus a build would make.
    """
    root = tmp_path_factory.mktemp("killable")
    ws = Workspace(root)
    shutil.move(root / "annotations", root / "corpus" / "annotations")
    args = ws.args("build")
    args[args.index("--annotations") + 1] = str(root / "corpus" / "annotations")
    ws.args = lambda command="build": [command, *args[1:]]
    assert main(ws.args()) == 0
    ann = root / "corpus" / "annotations" / "mini_001.json"
    doc = json.loads(ann.read_text(encoding="utf-8"))
    del doc["mentions"][-1]  # the next build differs from the corpus on disk
    dump_json(ann, doc)
    before = _state(root / "corpus")
    probe = root.parent / "probe"
    shutil.copytree(root, probe, symlinks=True)
    args_probe = [a.replace(str(root), str(probe)) for a in ws.args()]
    assert main(args_probe) == 0
    after = _state(probe / "corpus")
    assert {k: v[0] for k, v in after.items()} != {k: v[0] for k, v in before.items()}
    return ws, before, after


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "n", "outcome"),
    [
        ("write", 1, "old"),  # the first Parquet file, half written
        ("write", -1, "old"),  # the last file the build writes (the card), half written
        ("link", 2, "old"),  # linking the second gold annotation file
        ("swap", 1, "old"),  # everything staged, not yet swapped
        ("swapped", 1, "new"),  # swapped, the old corpus not yet removed
        ("cleanup", 1, "new"),  # removing the old corpus
    ],
)
def test_killed_build_leaves_the_old_corpus_or_the_whole_new_one(killable, point, n, outcome):
    ws, before, after = killable
    corpus = ws.root / "corpus"
    if n < 0:  # counted from the end: every generated file is written once
        n += 1 + sum(len(v) == 1 for v in after.values())
    if outcome == "old":
        assert _state(corpus) == before, "an earlier kill left the corpus changed"
    out = _sokhan(point, str(n), *ws.args(), code=_KILL)
    assert out.returncode == -signal.SIGKILL, out.stderr
    state = _state(corpus)
    if outcome == "old":
        assert state == before
    else:
        assert {k: v[0] for k, v in state.items()} == {k: v[0] for k, v in after.items()}
        # the gold files are the same files, linked, never rewritten
        kept = {k: v for k, v in before.items() if len(v) == 3}
        assert {k: v for k, v in state.items() if k in kept} == kept
    leftovers = [p.name for p in ws.root.iterdir() if p.name.startswith(".corpus.")]
    assert all(".staging-" in name for name in leftovers)


@pytest.mark.slow
def test_build_after_kills_cleans_up(killable):
    ws, _, after = killable
    assert main(ws.args()) == 0
    assert {k: v[0] for k, v in _state(ws.root / "corpus").items()} == {
        k: v[0] for k, v in after.items()}
    assert not [p for p in ws.root.iterdir() if p.name.startswith(".corpus.")]


@pytest.mark.slow
def test_failed_build_writes_nothing_and_never_touches_gold_files(tmp_path, capsys):
    ws = Workspace(tmp_path)
    assert ws.run("build", capsys)[0] == 0
    before = _state(tmp_path / "corpus")
    gold = {p.name: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
            for p in (tmp_path / "annotations").iterdir()}
    ann = json.loads((tmp_path / "annotations/mini_001.json").read_text(encoding="utf-8"))
    ann["mentions"][0]["text"] = "پوتن"
    dump_json(tmp_path / "annotations/mini_001.json", ann)
    gold["mini_001.json"] = tuple(
        f(tmp_path / "annotations/mini_001.json")
        for f in (Path.read_bytes, lambda p: p.stat().st_ino, lambda p: p.stat().st_mtime_ns))
    assert ws.run("build", capsys)[0] == 1
    assert _state(tmp_path / "corpus") == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".corpus.")]
    assert {p.name: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
            for p in (tmp_path / "annotations").iterdir()} == gold


@pytest.mark.slow
def test_build_keeps_links_and_empty_folders_in_the_corpus(tmp_path, capsys):
    ws = Workspace(tmp_path)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "notes").mkdir()  # an empty folder
    (corpus / "annotations").symlink_to(tmp_path / "annotations", target_is_directory=True)
    (corpus / "LICENSE").symlink_to("../card.md")
    assert ws.run("build", capsys)[0] == 0
    assert (corpus / "notes").is_dir()
    assert (corpus / "annotations").is_symlink()
    assert (corpus / "LICENSE").readlink() == Path("../card.md")
    assert ws.run("validate", capsys)[0] == 0


@pytest.mark.slow
def test_build_through_a_linked_corpus_folder_replaces_its_target(tmp_path, capsys):
    ws = Workspace(tmp_path)
    real = tmp_path / "elsewhere"
    real.mkdir()
    (tmp_path / "corpus").symlink_to(real, target_is_directory=True)
    assert ws.run("build", capsys)[0] == 0
    assert (tmp_path / "corpus").is_symlink()
    assert (real / "build-manifest.json").is_file()


@pytest.mark.slow
def test_a_corpus_left_under_its_backup_name_is_put_back(tmp_path, capsys):
    # Without renameat2 the swap is two renames; a build killed between them
    # leaves .corpus.previous-<pid> and no corpus: the next build restores it.
    ws = Workspace(tmp_path)
    assert ws.run("build", capsys)[0] == 0
    before = _state(tmp_path / "corpus")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (tmp_path / "corpus").rename(tmp_path / f".corpus.previous-{dead}")
    # the marker the fallback swap writes first, which proves the backup is the build's
    (tmp_path / f".corpus.previous-{dead}.sokhan-owned").write_text(
        f"made by sokhan build (process {dead}); safe to delete once that build is gone\n",
        encoding="utf-8")
    assert ws.run("build", capsys)[0] == 0
    assert _state(tmp_path / "corpus") == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".corpus.")]


@pytest.mark.slow
def test_swap_without_renameat2(tmp_path, capsys, monkeypatch):
    import ctypes

    import sokhan.publication.swap

    class NoExchange:
        def __init__(self, *args, **kwargs):
            pass

    monkeypatch.setattr(sokhan.publication.swap.ctypes, "CDLL", NoExchange)
    assert ctypes.CDLL is NoExchange
    ws = Workspace(tmp_path)
    assert ws.run("build", capsys)[0] == 0
    assert ws.run("build", capsys)[0] == 0
    assert ws.run("validate", capsys)[0] == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".corpus.")]
