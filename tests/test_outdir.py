"""``--out`` can never destroy inputs: every dangerous output folder is refused untouched."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from helpers import REPO
from sokhan.checks.outdir import output_incidents
from sokhan.cli import main

MINI = REPO / "tests" / "fixtures" / "mini"


def _workspace(root: Path) -> None:
    shutil.copytree(MINI / "seeds", root / "seeds")
    shutil.copytree(MINI / "annotations", root / "annotations")
    (root / "card.md").write_text("# Mini corpus\n\n{{counts_table}}\n", encoding="utf-8")
    (root / "home").mkdir()
    (root / "work").mkdir()
    (root / "project").mkdir()
    (root / "project" / "pyproject.toml").write_text("[project]\n", encoding="utf-8")
    (root / "seedlink").symlink_to(root / "seeds")


def _snapshot(root: Path) -> dict[str, tuple]:
    """Every entry below ``root``: kind, bytes and mtime, so any change shows."""
    seen: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            data = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
            seen[str(path.relative_to(root))] = (st.st_mode, st.st_mtime_ns, data)
    return seen


UNSAFE = [
    # an empty --out: Path("") would silently mean the working folder
    ("", "empty path"),
    # a blank one is no better
    ("  ", "empty path"),
    # the seeds folder itself: the swap would replace the articles
    ("seeds", "is the seeds input"),
    # the annotations folder: the gold files would go
    ("annotations", "is the annotations input"),
    # a folder inside the seeds
    ("seeds/built", "lies inside the seeds input"),
    # a folder inside the annotations (passes/ holds the annotation passes)
    ("annotations/passes", "lies inside the annotations input"),
    # the card template file
    ("card.md", "is the card template input"),
    # a symbolic link to the seeds is the seeds
    ("seedlink", "is the seeds input"),
    # the workspace: a parent of every input
    (".", "contains the seeds input"),
    # the filesystem root
    ("/", "filesystem root"),
    # the home folder (HOME points into the workspace in this test)
    ("home", "home folder"),
    # a folder holding pyproject.toml: a project root
    ("project", "project root"),
    # the working folder (the test changes into work/)
    ("work", "working folder"),
]


@pytest.mark.parametrize(("out", "why"), UNSAFE)
def test_dangerous_output_is_refused_before_anything_is_touched(out, why, tmp_path, capsys,
                                                               monkeypatch):
    _workspace(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path / "work")
    before = _snapshot(tmp_path)
    target = out if not out.strip() else str(tmp_path / out)
    status = main(["build", "--seeds", str(tmp_path / "seeds"),
                   "--annotations", str(tmp_path / "annotations"),
                   "--out", target, "--card", str(tmp_path / "card.md")])
    err = capsys.readouterr().err
    assert status == 1, err
    assert "[output-unsafe]" in err and why in err, err
    assert "Traceback" not in err
    assert _snapshot(tmp_path) == before


def test_parent_of_the_home_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "users" / "me"))
    found = output_incidents(tmp_path / "users", {})
    assert [i.check for i in found] == ["output-unsafe"]
    assert "home folder" in found[0].message


@pytest.mark.slow
def test_the_corpus_may_hold_its_own_annotations_folder(tmp_path, capsys, monkeypatch):
    """The default layout: --out corpus with the gold in corpus/annotations builds."""
    _workspace(tmp_path)
    monkeypatch.chdir(tmp_path / "work")
    (tmp_path / "corpus").mkdir()
    shutil.move(tmp_path / "annotations", tmp_path / "corpus" / "annotations")
    status = main(["build", "--seeds", str(tmp_path / "seeds"),
                   "--annotations", str(tmp_path / "corpus" / "annotations"),
                   "--out", str(tmp_path / "corpus"), "--card", str(tmp_path / "card.md")])
    assert status == 0, capsys.readouterr().err
    assert (tmp_path / "corpus" / "annotations" / "entities.json").is_file()


def test_an_input_nested_deeper_than_its_own_entry_is_refused(tmp_path):
    """Only ``<out>/annotations`` is allowed; ``<out>/x/annotations`` is not kept by the build."""
    found = output_incidents(tmp_path, {"annotations": tmp_path / "x" / "annotations"},
                             nested=("annotations",))
    assert [i.check for i in found] == ["output-unsafe"]


def test_a_folder_of_its_own_is_safe(tmp_path):
    assert output_incidents(tmp_path / "out", {"seeds": tmp_path / "seeds"}) == []
