"""The corpus folder is the user's: what the build does not write is kept exactly, or refused.

Permissions mean nothing to root, and CI runs as root: tests about them run the
build as ``nobody`` (``setpriv`` from util-linux) on a workspace that user owns.
The immutable flag (``chattr +i``) and a read-only bind mount (``mount --bind -o
ro`` in an ``unshare -m`` namespace) are tried where the machine allows them,
and skipped with the reason where it does not.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from helpers import NOBODY, REPO, Workspace, make_socket, reported, seed_prepared_cache
from sokhan.stages import prepared

DEPTH = 1_200  # deeper than Python's recursion limit of 1 000


@pytest.fixture(autouse=True)
def _remove_deep_trees(tmp_path):
    """pytest's own clean-up recurses and cannot remove a tree deeper than 1 000 folders."""
    yield
    from sokhan.publication.swap import remove_tree

    for entry in tmp_path.iterdir():  # a glob would recurse too
        if (entry.name == "corpus" or entry.name.startswith(".corpus.")) and entry.is_dir():
            remove_tree(entry / "deep")


def _snapshot(root: Path) -> dict[str, tuple]:
    """Every entry below ``root`` with kind, mode, inode, mtime and bytes; links by target."""
    out: dict[str, tuple] = {}
    stack = [root]
    while stack:
        folder = stack.pop()
        for entry in os.scandir(folder):
            info = entry.stat(follow_symlinks=False)
            rel = Path(entry.path).relative_to(root).as_posix()
            data: bytes | str = b""
            if stat.S_ISREG(info.st_mode) and info.st_mode & 0o444:
                data = Path(entry.path).read_bytes()
            elif stat.S_ISLNK(info.st_mode):
                data = str(Path(entry.path).readlink())
            out[rel] = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode),
                        None if stat.S_ISDIR(info.st_mode) else info.st_ino,
                        info.st_mtime_ns, data)
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
    return out


def _user_entries(corpus: Path) -> None:
    """The kinds of entry a user may keep in a corpus folder."""
    (corpus / "notes.txt").write_text("mine\n", encoding="utf-8")
    (corpus / "empty").mkdir()
    deep = corpus / "deep"
    deep.mkdir()
    os.chdir(deep)  # relative paths keep each call short however deep the tree
    try:
        for _ in range(DEPTH):
            Path("d").mkdir()
            os.chdir("d")
        Path("bottom.txt").write_text("deep down\n", encoding="utf-8")
    finally:
        os.chdir(REPO)
    (corpus / "data" / "mine.csv").write_text("a,b\n", encoding="utf-8")  # beside the data
    (corpus / "data" / "sentences" / "extra.parquet").write_bytes(b"user bytes")
    (corpus / "link").symlink_to("notes.txt")
    (corpus / "broken").symlink_to("no/such/file")
    (corpus / "loop").symlink_to("loop")
    os.mkfifo(corpus / "pipe")
    make_socket(corpus / "sock")
    ro = corpus / "readonly"
    ro.mkdir()
    (ro / "kept.txt").write_text("read-only\n", encoding="utf-8")
    (ro / "kept.txt").chmod(0o444)
    os.utime(ro, ns=(1_000_000_000, 1_000_000_000))
    ro.chmod(0o555)
    (corpus / "secret.txt").write_text("secret\n", encoding="utf-8")
    (corpus / "secret.txt").chmod(0o000)
    (corpus / ".corpus.staging-1").mkdir()  # named like a leftover, but not the build's


def _built(tmp_path: Path, capsys) -> Workspace:
    ws = Workspace(tmp_path)
    status, err = ws.run("build", capsys)
    assert status == 0, err
    return ws


def _generated(snapshot: dict[str, tuple]) -> set[str]:
    manifest_files = {"README.md", "LICENSE.md", "build-manifest.json", "croissant.json"}
    # data/, data/<config>/ and figures/: the build's folders, and the files in them
    folders = {k for k, v in snapshot.items()
               if v[0] == stat.S_IFDIR and (k in ("data", "figures") or (k.startswith("data/")
                                                                         and k.count("/") == 1))}
    return folders | {k for k in snapshot if k in manifest_files
                      or (k.startswith("data/") and k.endswith("-00001.parquet"))
                      or (k.startswith("figures/") and k.endswith(".png"))}


def _no_leftovers(root: Path) -> None:
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".corpus.")) == [], \
        "a temporary folder or marker was left beside the corpus"


@pytest.mark.slow
def test_every_user_entry_is_kept_exactly(tmp_path, capsys):
    ws = _built(tmp_path, capsys)
    corpus = tmp_path / "corpus"
    _user_entries(corpus)
    (tmp_path / ".corpus.staging-1").mkdir()  # a user's folder beside it, named like ours
    (tmp_path / ".corpus.previous-1").mkdir()
    before = _snapshot(corpus)
    beside = _snapshot(tmp_path / ".corpus.staging-1"), _snapshot(tmp_path / ".corpus.previous-1")
    ann = tmp_path / "annotations" / "mini_001.json"
    doc = json.loads(ann.read_text(encoding="utf-8"))
    del doc["mentions"][-1]  # the next build changes the data files
    ann.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    status, err = ws.run("build", capsys)
    assert status == 0, err
    after = _snapshot(corpus)
    generated = _generated(before)
    assert {k: v for k, v in after.items() if k not in generated} == {
        k: v for k, v in before.items() if k not in generated}
    assert any(after[k][4] != before[k][4] for k in generated)  # the build did write
    assert (_snapshot(tmp_path / ".corpus.staging-1"),
            _snapshot(tmp_path / ".corpus.previous-1")) == beside
    assert (tmp_path / ".corpus.staging-1").is_dir() and (tmp_path / ".corpus.previous-1").is_dir()
    (corpus / "readonly").chmod(0o755)  # let pytest clean up


@pytest.mark.slow
def test_a_data_file_of_the_previous_build_goes_and_a_users_stays(tmp_path, capsys):
    ws = _built(tmp_path, capsys)
    corpus = tmp_path / "corpus"
    old = corpus / "data" / "old" / "train-00000-of-00001.parquet"
    old.parent.mkdir()
    old.write_bytes(b"written by an earlier build")
    mine = corpus / "data" / "old" / "mine.parquet"
    mine.write_bytes(b"the user's")
    manifest = json.loads((corpus / "build-manifest.json").read_text(encoding="utf-8"))
    import hashlib

    manifest["files"]["data/old/train-00000-of-00001.parquet"] = hashlib.sha256(
        old.read_bytes()).hexdigest()
    (corpus / "build-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert ws.run("build", capsys)[0] == 0
    assert not old.exists()  # its manifest proves the build wrote it
    assert mine.read_bytes() == b"the user's"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("make", "entry"),
    [
        # a folder where the build writes the card
        (lambda c: (c / "README.md").unlink() or (c / "README.md").mkdir(), "README.md"),
        # a link where the build writes its manifest: the link would be lost
        (lambda c: (c / "croissant.json").unlink() or (c / "croissant.json").symlink_to(
            "README.md"), "croissant.json"),
        # the data folder is a link to the user's own folder
        (lambda c: shutil.rmtree(c / "data") or (c / "data").symlink_to("/tmp"), "data"),
        # a pipe where a Parquet file goes
        (lambda c: (c / "data/documents/train-00000-of-00001.parquet").unlink() or os.mkfifo(
            c / "data/documents/train-00000-of-00001.parquet"),
         "data/documents/train-00000-of-00001.parquet"),
        # a file where a folder of the data goes
        (lambda c: shutil.rmtree(c / "data/quotes") or (c / "data/quotes").write_text("x"),
         "data/quotes"),
    ],
)
def test_a_user_entry_where_the_build_writes_is_refused(make, entry, tmp_path, capsys):
    ws = _built(tmp_path, capsys)
    corpus = tmp_path / "corpus"
    make(corpus)
    before = _snapshot(corpus)
    status, err = ws.run("build", capsys)
    assert status == 1
    assert [(i["check"], i["path"]) for i in reported(err)] == [
        ("corpus-conflict", str(corpus / entry))]
    assert _snapshot(corpus) == before
    _no_leftovers(tmp_path)


@pytest.mark.slow
def test_fsync_before_the_swap(tmp_path, capsys, monkeypatch):
    import sokhan.publication.swap

    ws = _built(tmp_path, capsys)
    _user_entries(tmp_path / "corpus")
    synced: list[str] = []
    real_fsync, real_exchange = os.fsync, sokhan.publication.swap.exchange
    seen: dict[str, object] = {}

    def fsync(fd):
        synced.append(str(Path(f"/proc/self/fd/{fd}").readlink()))
        return real_fsync(fd)

    def exchange(staging, target):
        seen["synced"] = set(synced)
        staged = _snapshot(staging)  # os.walk would recurse into the deep tree
        seen["written"] = {str(staging / rel) for rel in _generated(staged)
                           if (staging / rel).is_file()}
        seen["folders"] = {str(staging)} | {str(staging / rel) for rel, v in staged.items()
                                            if v[0] == stat.S_IFDIR}
        return real_exchange(staging, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(sokhan.publication.swap, "exchange", exchange)
    assert ws.run("build", capsys)[0] == 0
    assert len(seen["written"]) >= 10
    assert seen["written"] <= seen["synced"], "a generated file was not flushed before the swap"
    assert seen["folders"] <= seen["synced"], "a folder was not flushed before the swap"
    assert str(tmp_path) in synced[len(seen["synced"]):], "the swap itself was not flushed"
    (tmp_path / "corpus" / "readonly").chmod(0o755)


# --- a killed run's leftovers ---------------------------------------------------------------


def _dead_pid() -> int:
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True).stdout)


@pytest.mark.slow
def test_only_leftovers_with_the_builds_marker_are_removed(tmp_path, capsys):
    ws = _built(tmp_path, capsys)
    dead = _dead_pid()
    ours = tmp_path / f".corpus.staging-{dead}"
    ours.mkdir()
    (ours / "half.parquet").write_bytes(b"half")
    (tmp_path / f".corpus.staging-{dead}.sokhan-owned").write_text(
        f"made by sokhan build (process {dead}); safe to delete once that build is gone\n")
    theirs = tmp_path / f".corpus.staging-{dead + 1}"
    theirs.mkdir()
    (theirs / "keep.txt").write_text("not the build's\n")
    fake = tmp_path / f".corpus.staging-{dead + 2}"
    fake.mkdir()
    (tmp_path / f".corpus.staging-{dead + 2}.sokhan-owned").write_text("anything else\n")
    assert ws.run("build", capsys)[0] == 0
    assert not ours.exists()
    assert not (tmp_path / f".corpus.staging-{dead}.sokhan-owned").exists()
    assert (theirs / "keep.txt").read_text() == "not the build's\n"
    assert fake.is_dir()


# --- real permissions -------------------------------------------------------------------------


@pytest.fixture
def nobody_workspace(tmp_path):
    """A built workspace owned by ``nobody`` in a folder that user can reach, and a runner."""
    if os.geteuid() != 0:
        home = tmp_path
        runner: list[str] = []
    else:
        if not shutil.which("setpriv"):
            pytest.skip("setpriv (util-linux) is needed to run the build as an ordinary user")
        home = Path(tempfile.mkdtemp(prefix="sokhan-nobody-", dir="/tmp"))
        home.chmod(0o755)
        runner = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    ws = Workspace(home / "ws")
    cache = seed_prepared_cache(home / "cache")

    def run(command: str = "build", wrap: list[str] = ()) -> tuple[int, list[dict], str]:
        if os.geteuid() == 0:
            for dirpath, dirnames, filenames in os.walk(home):
                for name in [*dirnames, *filenames, ""]:
                    path = Path(dirpath) / name
                    if not path.is_symlink():
                        os.chown(path, NOBODY, NOBODY)
        out = subprocess.run([*wrap, *runner, sys.executable, "-m", "sokhan.cli",
                              *ws.args(command)], cwd=home, capture_output=True, text=True,
                             env={**os.environ, "HOME": str(home), prepared.ENV: str(cache)},
                             timeout=300, check=False)
        assert "Traceback" not in out.stderr and "internal error" not in out.stderr, out.stderr
        return out.returncode, reported(out.stderr), out.stderr

    assert run()[0] == 0
    yield ws, run
    for dirpath, dirnames, _ in os.walk(home):
        for name in dirnames:
            (Path(dirpath) / name).chmod(0o755)
    if home != tmp_path:
        shutil.rmtree(home)


@pytest.mark.slow
def test_an_unreadable_folder_is_refused_and_nothing_changes(nobody_workspace):
    ws, run = nobody_workspace
    corpus = ws.root / "corpus"
    private = corpus / "private"
    private.mkdir()
    (private / "diary.txt").write_text("mine\n")
    run("build")  # chown first, then take the permission away
    before = _snapshot(corpus)
    private.chmod(0o000)
    status, incidents, _err = run("build")
    assert status == 1
    assert [(i["check"], i["path"]) for i in incidents] == [("corpus-keep", "ws/corpus/private")]
    private.chmod(0o755)
    assert _snapshot(corpus) == before
    _no_leftovers(ws.root)


@pytest.mark.slow
def test_a_read_only_corpus_folder_is_refused_and_nothing_is_left(nobody_workspace):
    ws, run = nobody_workspace
    corpus = ws.root / "corpus"
    before = _snapshot(corpus)
    corpus.chmod(0o555)
    status, incidents, _err = run("build")
    corpus.chmod(0o755)
    assert status == 1
    assert [(i["check"], i["path"]) for i in incidents] == [("corpus-write", "ws/corpus")]
    assert _snapshot(corpus) == before
    _no_leftovers(ws.root)


@pytest.mark.slow
def test_read_only_and_unreadable_files_are_kept(nobody_workspace):
    ws, run = nobody_workspace
    corpus = ws.root / "corpus"
    (corpus / "ro.txt").write_text("read-only\n")
    (corpus / "hidden.txt").write_text("unreadable\n")
    ro = corpus / "shelf"
    ro.mkdir()
    (ro / "book.txt").write_text("kept\n")
    run("validate")  # chowns the new entries to nobody
    (corpus / "ro.txt").chmod(0o444)
    (corpus / "hidden.txt").chmod(0o000)
    ro.chmod(0o555)
    gold = ws.root / "annotations"
    gold.chmod(0o555)  # the gold annotations cannot be written: the build never needs to
    before = _snapshot(corpus)
    gold_before = _snapshot(gold)
    ann = json.loads((gold / "mini_001.json").read_text(encoding="utf-8"))
    assert ann["mentions"]
    status, incidents, err = run("build")
    assert (status, incidents) == (0, []), err
    after = _snapshot(corpus)
    generated = _generated(before)
    assert {k: v for k, v in after.items() if k not in generated} == {
        k: v for k, v in before.items() if k not in generated}
    assert _snapshot(gold) == gold_before
    _no_leftovers(ws.root)


@pytest.mark.slow
def test_a_read_only_bind_mount_is_refused(nobody_workspace):
    ws, run = nobody_workspace
    corpus = ws.root / "corpus"
    probe = subprocess.run(["unshare", "-m", "sh", "-c",
                            f"mount --bind -o ro {corpus} {corpus}"], capture_output=True,
                           check=False)
    if probe.returncode != 0:
        pytest.skip(f"no mount namespace here: {probe.stderr.decode().strip()}")
    before = _snapshot(corpus)
    # the mount lives in a namespace of its own; the build runs inside it
    script = f"mount --bind -o ro {corpus} {corpus} && exec \"$@\""
    status, incidents, _err = run("build", ["unshare", "-m", "sh", "-c", script, "sh"])
    assert status == 1
    assert [(i["check"], i["path"]) for i in incidents] == [("corpus-write", "ws/corpus")]
    assert _snapshot(corpus) == before
    _no_leftovers(ws.root)


def _chattr(flag: str, path: Path) -> bool:
    return subprocess.run(["chattr", flag, str(path)], capture_output=True,
                          check=False).returncode == 0


@pytest.mark.slow
@pytest.mark.parametrize("rel", ["annotations-gold", "notes.txt"])
def test_an_entry_that_cannot_be_hard_linked_is_refused_not_copied(rel, tmp_path, capsys):
    ws = Workspace(tmp_path)
    corpus = tmp_path / "corpus"
    if rel == "annotations-gold":  # the real layout: the gold files live in the corpus
        corpus.mkdir()
        shutil.move(tmp_path / "annotations", corpus / "annotations")
        args = ws.args("build")
        args[args.index("--annotations") + 1] = str(corpus / "annotations")
        ws.args = lambda command="build", out=None, spec=None: [command, *args[1:]]
        rel = "annotations/mini_001.json"
    status, err = ws.run("build", capsys)
    assert status == 0, err
    path = corpus / rel
    if not path.exists():
        path.write_text("mine\n")
    if shutil.which("chattr") is None or not _chattr("+i", path):
        pytest.skip("this file system or user cannot set the immutable flag (chattr +i)")
    try:
        before = _snapshot(corpus)
        status, err = ws.run("build", capsys)
        assert status == 1
        assert [(i["check"], i["path"]) for i in reported(err)] == [("corpus-keep", str(path))]
        assert "cannot be hard-linked" in err
        assert _snapshot(corpus) == before
        _no_leftovers(tmp_path)
    finally:
        _chattr("-i", path)
