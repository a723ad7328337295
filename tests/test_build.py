"""End to end: the build is deterministic, equals the committed corpus, fails safely."""

from __future__ import annotations

import hashlib
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import CARD, COMMITTED, REPO, SEEDS, copy_inputs
from sokhan.build import GENERATED, build
from sokhan.checks.incidents import BuildError


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _generated(root: Path) -> dict[str, str]:
    return {k: v for k, v in _tree(root).items()
            if any(k == g or k.startswith(g) for g in GENERATED)}


def test_committed_corpus_equals_a_fresh_build(fresh_corpus):
    assert _generated(fresh_corpus) == _generated(COMMITTED)


def test_two_builds_are_byte_identical(fresh_corpus, tmp_path):
    seeds, annotations = copy_inputs(tmp_path)
    build(seeds, annotations, tmp_path / "corpus", CARD)
    assert _generated(tmp_path / "corpus") == _generated(fresh_corpus)


def test_build_leaves_annotations_untouched(tmp_path):
    seeds, annotations = copy_inputs(tmp_path)
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
              for p in annotations.glob("*.json")}
    build(seeds, annotations, tmp_path / "corpus", CARD)
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
             for p in annotations.glob("*.json")}
    assert before == after


def test_tampered_seed_fails_and_leaves_corpus_as_it_was(tmp_path, capsys):
    seeds, annotations = copy_inputs(tmp_path)
    out = tmp_path / "corpus"
    build(seeds, annotations, out, CARD)
    before = _tree(out)
    victim = seeds / "002_a40e68d11fea7ede.txt"
    victim.write_bytes(victim.read_bytes().replace("پوتین".encode(), "پوتن".encode(), 1))
    from sokhan.cli import main

    status = main(["build", "--seeds", str(seeds), "--annotations", str(annotations),
                   "--out", str(out), "--card", str(CARD)])
    err = capsys.readouterr().err
    assert status == 1
    assert "002_a40e68d11fea7ede.txt" in err and "[seed-checksum]" in err
    assert "Traceback" not in err
    assert _tree(out) == before


def test_build_error_names_every_problem(tmp_path):
    seeds, annotations = copy_inputs(tmp_path)
    for name in ("001_4f304316c7061693.txt", "003_6bdf49eb73ba74a2.txt"):
        (seeds / name).write_text("دستکاری", encoding="utf-8")
    with pytest.raises(BuildError) as err:
        build(seeds, annotations, tmp_path / "corpus", CARD)
    assert [i.check for i in err.value.incidents] == ["seed-checksum", "seed-checksum"]


@pytest.mark.slow
def test_killed_build_leaves_corpus_unchanged(tmp_path):
    seeds, annotations = copy_inputs(tmp_path)
    out = tmp_path / "corpus"
    build(seeds, annotations, out, CARD)
    before = _tree(out)
    # Kill the build at several moments: before, while and after it writes.
    for delay in (0.2, 0.8, 1.4, 2.0, 2.6):
        proc = subprocess.Popen(
            [sys.executable, "-m", "sokhan.cli", "build", "--seeds", str(seeds),
             "--annotations", str(annotations), "--out", str(out), "--card", str(CARD)],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _tree(out) == before, f"corpus changed after a kill at {delay} s"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".corpus.")]
    # a killed build may leave its staging folder beside the corpus, never inside it
    assert all(".staging-" in name for name in leftovers)
    for name in leftovers:
        shutil.rmtree(tmp_path / name)


def test_seeds_are_byte_copies_of_the_shared_seeds():
    shared = REPO.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this clone")
    for path in sorted(shared.glob("*.txt")):
        assert (SEEDS / path.name).read_bytes() == path.read_bytes()
    assert any(SEEDS.iterdir())
