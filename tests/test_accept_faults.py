"""``sokhan accept`` killed at any moment: never a gold file without its entities, never a part."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import (
    ANNOTATIONS,
    DRAFT_DOC,
    KILL_MAIN,
    KILL_PRELUDE,
    PROPOSED,
    REPO,
    SEEDS,
    make_draft,
    reported,
    torn_write,
    write_json,
)
from sokhan.annotate.run import remove_stale_temps, write_atomically
from sokhan.cli import main

#: Runs ``sokhan accept`` with a trap that SIGKILLs it: ``write N`` after half of the
#: N-th file's temporary copy is written, ``replace N`` just before the N-th rename
#: over a file, ``replaced N`` just after it (1: the registry, 2: the gold file).
_KILL = KILL_PRELUDE + """
import pathlib
import sokhan.annotate.run
""" + torn_write("write", "sokhan.annotate.run.write_file") + """
else:
    replace = pathlib.Path.replace
    def dying_replace(self, target):
        if point == "replace" and nth():
            die()
        out = replace(self, target)
        if point == "replaced" and nth():
            die()
        return out
    pathlib.Path.replace = dying_replace
""" + KILL_MAIN


def _state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file()}


def _workspace(root: Path) -> tuple[Path, list[str]]:
    """The corpus's seeds and annotations without one gold file, its reviewed draft, the argv."""
    shutil.copytree(SEEDS, root / "seeds")
    shutil.copytree(ANNOTATIONS, root / "annotations")
    (root / "annotations" / f"{DRAFT_DOC}.json").unlink()
    (root / "annotations" / "notes.txt").write_text("the user's\n", encoding="utf-8")
    draft = write_json(root / "draft.json", make_draft(ANNOTATIONS, status="reviewed"))
    return root / "annotations", ["accept", str(draft), "--seeds", str(root / "seeds"),
                                  "--annotations", str(root / "annotations")]


@pytest.fixture(scope="module")
def accepted(tmp_path_factory) -> tuple[dict[str, str], dict[str, str]]:
    """The annotations folder before an accept, and after an uninterrupted one."""
    annotations, argv = _workspace(tmp_path_factory.mktemp("clean"))
    before = _state(annotations)
    assert main(argv) == 0
    after = _state(annotations)
    assert after["entities.json"] != before["entities.json"]  # the proposed entity is added
    assert PROPOSED["id"] in (annotations / "entities.json").read_text(encoding="utf-8")
    return before, after


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "n", "registry", "gold"),
    [
        ("write", 1, "old", False),  # the registry's temporary file, half written
        ("replace", 1, "old", False),  # the registry written and flushed, not yet renamed
        ("replaced", 1, "new", False),  # the registry renamed, the gold file not yet written
        ("write", 2, "new", False),  # the gold file's temporary file, half written
        ("replaced", 2, "new", True),  # both renamed
    ],
)
def test_a_killed_accept_leaves_no_gold_file_without_its_entities(
        point, n, registry, gold, accepted, tmp_path, capsys):
    before, after = accepted
    annotations, argv = _workspace(tmp_path)
    run = subprocess.run([sys.executable, "-c", _KILL, point, str(n), *argv], cwd=REPO,
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == -signal.SIGKILL, run.stderr
    state = _state(annotations)
    temps = {k for k in state if k.endswith(".tmp")}
    assert all(k.startswith((".entities.json.sokhan-", f".{DRAFT_DOC}.json.sokhan-"))
               for k in temps), temps
    kept = {k: v for k, v in state.items() if k not in temps}
    # the registry is the old one or the new one, whole; the gold file whole or absent
    assert kept["entities.json"] == (before if registry == "old" else after)["entities.json"]
    assert (f"{DRAFT_DOC}.json" in kept) is gold
    if gold:
        assert kept == after
    # every other file, the user's included, as it was
    others = {k: v for k, v in kept.items() if k not in ("entities.json", f"{DRAFT_DOC}.json")}
    assert others == {k: v for k, v in before.items() if k != "entities.json"}

    # the next run finishes the job (or refuses clearly when it was done) and cleans up
    status = main(argv)
    err = capsys.readouterr().err
    if gold:
        assert status == 1 and [i["check"] for i in reported(err)] == ["gold-exists"], err
    else:
        assert status == 0, err
    assert _state(annotations) == after


def test_write_atomically_removes_only_a_dead_runs_temporary_files(tmp_path):
    target = tmp_path / "entities.json"
    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True).stdout)
    stale = tmp_path / f".entities.json.sokhan-{dead}.tmp"
    stale.write_text('{"entit', encoding="utf-8")
    alive = tmp_path / f".entities.json.sokhan-{1}.tmp"  # process 1 is always running
    alive.write_text("{}", encoding="utf-8")
    other = tmp_path / f".other.json.sokhan-{dead}.tmp"  # another file's: left for its run
    other.write_text("{}", encoding="utf-8")
    mine = tmp_path / ".entities.json.mine.tmp"  # not named like ours
    mine.write_text("kept", encoding="utf-8")
    write_atomically(target, json.dumps({"entities": []}))
    assert json.loads(target.read_text(encoding="utf-8")) == {"entities": []}
    assert not stale.exists()
    assert alive.exists() and other.exists() and mine.read_text(encoding="utf-8") == "kept"
    assert remove_stale_temps(target) == []
