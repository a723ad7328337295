"""End to end: the build is deterministic, equals the committed corpus, fails safely."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from helpers import CARD, COMMITTED, MINI, REPO, SEEDS, Workspace, copy_inputs
from sokhan.build import GENERATED, build
from sokhan.checks.incidents import BuildError
from sokhan.cli import main


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _generated(root: Path) -> dict[str, str]:
    return {k: v for k, v in _tree(root).items()
            if any(k == g or k.startswith(g) for g in GENERATED)}


def test_committed_corpus_equals_a_fresh_build(fresh_corpus):
    assert _generated(fresh_corpus) == _generated(COMMITTED)


@pytest.mark.slow
def test_two_builds_are_byte_identical(fresh_corpus, tmp_path):
    seeds, annotations = copy_inputs(tmp_path)
    build(seeds, annotations, tmp_path / "corpus", CARD)
    assert _generated(tmp_path / "corpus") == _generated(fresh_corpus)


@pytest.mark.slow
def test_build_leaves_annotations_untouched(tmp_path):
    ws = Workspace(tmp_path)  # the mini corpus: the same code path, a fraction of the time
    annotations = ws.root / "annotations"
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
              for p in annotations.glob("*.json")}
    assert main(ws.args("build")) == 0
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
             for p in annotations.glob("*.json")}
    assert before == after


@pytest.mark.slow
def test_tampered_seed_fails_and_leaves_corpus_as_it_was(tmp_path, capsys):
    ws = Workspace(tmp_path)
    out = ws.root / "corpus"
    assert main(ws.args("build")) == 0
    before = _tree(out)
    victim = next((ws.root / "seeds").glob("*.txt"))
    victim.write_bytes(victim.read_bytes().replace("پوتین".encode(), "پوتن".encode(), 1))
    assert victim.read_bytes() != (MINI / "seeds" / victim.name).read_bytes()
    capsys.readouterr()
    status = main(ws.args("build"))
    err = capsys.readouterr().err
    assert status == 1
    assert victim.name in err and "[seed-checksum]" in err
    assert "Traceback" not in err
    assert _tree(out) == before


def test_build_error_names_every_problem(tmp_path):
    seeds, annotations = copy_inputs(tmp_path)
    for name in ("001_4f304316c7061693.txt", "003_6bdf49eb73ba74a2.txt"):
        (seeds / name).write_text("دستکاری", encoding="utf-8")
    with pytest.raises(BuildError) as err:
        build(seeds, annotations, tmp_path / "corpus", CARD)
    assert [i.check for i in err.value.incidents] == ["seed-checksum", "seed-checksum"]


def test_seeds_are_byte_copies_of_the_shared_seeds():
    shared = REPO.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this clone")
    for path in sorted(shared.glob("*.txt")):
        assert (SEEDS / path.name).read_bytes() == path.read_bytes()
    assert any(SEEDS.iterdir())
