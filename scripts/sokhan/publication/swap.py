"""Atomic replacement of the published corpus folder, keeping every entry the user put there.

The new corpus is assembled in a sibling folder: generated files are written
there and flushed to disk, every other entry of the old corpus (the gold
annotations, the user's own files, folders, links, pipes, devices) is
hard-linked, never copied or rewritten, and its folders are recreated with their
modes and times. Then the two folders are exchanged in one ``renameat2`` call,
so a build that fails, is killed or loses power at any moment leaves either the
old corpus or the new one, never a mixture.

What cannot be kept exactly is refused before anything changes: an entry the
build cannot read or hard-link (``corpus-keep``), or a user's entry where the
build writes a file (``corpus-conflict``). A folder beside the corpus is removed
only when a marker file proves that a build made it (a staging folder, or the
backup of the two-rename swap), so no run deletes or moves anything else.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sokhan.checks.incidents import BuildError, Incident, shown_path
from sokhan.checks.jsonfile import MAX_JSON_BYTES, load_object

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
#: Beside each folder a build makes next to the corpus: ``<folder>`` + this suffix.
MARKER = ".sokhan-owned"
#: The first line of a marker file; a file without it proves nothing.
_MARKER_TEXT = "made by sokhan build (process {pid}); safe to delete once that build is gone\n"
#: The build manifest of the previous build: it names the data files that build wrote.
_MANIFEST = "build-manifest.json"


def _real(target: Path) -> Path:
    """The corpus folder with symbolic links resolved, so a linked one is replaced in place."""
    return Path(os.path.realpath(target))


def _marker(folder: Path) -> Path:
    return folder.with_name(folder.name + MARKER)


def _claim(folder: Path) -> None:
    """Write the marker that proves ``folder`` is the build's, before the folder exists."""
    _write_file(_marker(folder), _MARKER_TEXT.format(pid=os.getpid()).encode())
    fsync_dir(folder.parent)


def _owned(folder: Path) -> bool:
    """Whether a marker written by a build stands beside ``folder``."""
    marker = _marker(folder)
    try:
        info = marker.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > 200:
            return False
        return marker.read_text(encoding="utf-8").startswith("made by sokhan build (process ")
    except (OSError, UnicodeDecodeError):
        return False


def _release(folder: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        _marker(folder).unlink()


def staging_dir(target: Path) -> Path:
    """A fresh, empty sibling folder for a new corpus, with the marker that proves it is ours.

    Also puts back a corpus that a killed fallback swap (see :func:`exchange`)
    left under its backup name, and removes staging folders of builds that are
    no longer running.

    Raises:
        NotADirectoryError: when ``target`` exists and is not a folder.
        FileExistsError: when the staging name is taken by something no build made.
    """
    target = _real(target)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "exists and is not a folder", str(target))
    recover(target)
    staging = target.with_name(f".{target.name}.staging-{os.getpid()}")
    if staging.exists() or staging.is_symlink():
        if not _owned(staging):
            raise FileExistsError(errno.EEXIST, "exists and was not made by sokhan build; "
                                  "move it away", str(staging))
        remove_tree(staging)
    target.parent.mkdir(parents=True, exist_ok=True)
    _claim(staging)
    try:
        staging.mkdir()
    except BaseException:
        _release(staging)
        raise
    return staging


def discard(staging: Path) -> None:
    """Remove a staging folder of this build and its marker (a refused or failed run)."""
    remove_tree(staging)
    if not staging.exists():
        _release(staging)


def recover(target: Path) -> None:
    """Undo what a killed build left beside ``target``; a no-op after a clean build.

    Only folders with a build's marker are touched; a user's folder that happens
    to be named like one is left alone.
    """
    target = _real(target)
    parent = target.parent
    if not parent.is_dir():
        return
    for previous in sorted(parent.glob(f".{target.name}.previous-*")):
        if previous.name.endswith(MARKER) or not _owned(previous) or _alive(previous):
            continue
        if not target.exists() and not target.is_symlink():
            previous.rename(target)
            _release(previous)
    for staging in sorted(parent.glob(f".{target.name}.staging-*")):
        if staging.name.endswith(MARKER) or not _owned(staging) or _alive(staging):
            continue
        discard(staging)
    for marker in sorted(parent.glob(f".{target.name}.*{MARKER}")):
        folder = marker.with_name(marker.name.removesuffix(MARKER))
        if not folder.exists() and not folder.is_symlink() and not _alive(folder):
            marker.unlink(missing_ok=True)  # killed between the marker and its folder


def _alive(folder: Path) -> bool:
    """Whether the build that named ``folder`` after its process id is still running."""
    try:
        pid = int(folder.name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return True  # not ours to judge: leave it
    return process_running(pid)


def process_running(pid: int) -> bool:
    """Whether another process with id ``pid`` runs (this one's own id: False)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid > 0  # another user's process: not ours to judge
    return True


def remove_tree(folder: Path) -> None:
    """Remove a folder the build made, however deep, even where it holds read-only folders.

    Only ever called on a staging folder or on the old corpus after the exchange,
    whose every kept entry is hard-linked into the new corpus: removing a link
    leaves the file itself in place. An explicit stack, not recursion (Python
    3.11's ``shutil.rmtree`` recurses); what cannot be removed is left, never
    retried forever.
    """
    try:
        info = folder.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return
    if not stat.S_ISDIR(info.st_mode):
        folder.unlink()
        return
    stack, stuck = [folder], set()
    while stack:
        current = stack[-1]
        try:
            entries = _entries(current)
        except OSError:
            stuck.add(current)
            stack.pop()
            continue
        deeper = [Path(e.path) for e in entries
                  if e.is_dir(follow_symlinks=False) and Path(e.path) not in stuck]
        if deeper:
            stack.extend(deeper)
            continue
        for e in entries:
            if not e.is_dir(follow_symlinks=False):
                _retry_writable(current, os.unlink, e.path)
        stack.pop()
        if not _retry_writable(current.parent, os.rmdir, current):
            stuck.add(current)


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return list(it)
    except PermissionError:
        folder.chmod(0o700)  # a read-only folder the build recreated, or the old corpus's
        with os.scandir(folder) as it:
            return list(it)


def _retry_writable(parent: Path, function, path) -> bool:
    """``function(path)``; on a permission error make ``parent`` writable and try once more."""
    try:
        function(path)
        return True
    except FileNotFoundError:
        return True
    except PermissionError:
        with contextlib.suppress(OSError):
            parent.chmod(0o700)
    except OSError:
        return False
    try:
        function(path)
        return True
    except OSError:
        return False


# --- writing and syncing --------------------------------------------------------------------


def _write_file(path: Path, data: bytes) -> None:
    """Write a new file and flush it to disk before it counts as written."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path: Path, data: bytes) -> None:
    """Write one generated file into the staging folder, creating its folders; flushed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_file(path, data)


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (names, links) to disk."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- what the corpus folder holds -----------------------------------------------------------


@dataclass(frozen=True)
class Kept:
    """One entry of the old corpus that the new one keeps."""

    rel: str
    is_dir: bool
    mode: int
    atime_ns: int
    mtime_ns: int


def _scan(root: Path) -> Iterator[tuple[str, os.stat_result | OSError]]:
    """Every entry below ``root`` as ``(relative path, lstat or the error)``, parents first.

    An explicit stack, not recursion: a folder tree of any depth is walked.
    Symbolic links are not followed.
    """
    stack = [""]
    while stack:
        rel = stack.pop()
        folder = root / rel if rel else root
        try:
            with os.scandir(folder) as entries:
                found = sorted((e.name, e.stat(follow_symlinks=False)) for e in entries)
        except OSError as err:
            yield rel, err
            continue
        for name, info in reversed(found):
            child = f"{rel}/{name}" if rel else name
            yield child, info
            if stat.S_ISDIR(info.st_mode):
                stack.append(child)


def _previous_outputs(target: Path) -> dict[str, str]:
    """The data files and figures the previous build wrote, with their sha256 (its manifest).

    A manifest that does not load proves nothing, and every such file is kept.
    """
    manifest, incidents = load_object(target / _MANIFEST, "corpus-stale", "a build manifest")
    files = manifest.get("files") if manifest and not incidents else None
    if not isinstance(files, dict):
        return {}
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}


def _sha256(path: Path) -> str | None:
    try:
        if path.lstat().st_size > MAX_JSON_BYTES * 64:
            return None
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def plan_kept(target: Path, generated: set[str]) -> list[Kept]:
    """Every entry of the corpus folder the new corpus must keep, checked before anything changes.

    ``generated`` holds the paths of the files this build writes. Regular files
    at those paths are the build's and are replaced; so are data files that the
    previous build's manifest lists with the same digest. Everything else is kept.

    Raises:
        BuildError: ``corpus-keep`` for an entry that cannot be read, and
            ``corpus-conflict`` for one standing where the build writes.
    """
    target = _real(target)
    if not target.is_dir():
        return []
    folders = {p.rsplit("/", 1)[0] for p in generated if "/" in p}
    folders |= {f.rsplit("/", k)[0] for f in list(folders) for k in range(1, f.count("/") + 1)}
    previous: dict[str, str] | None = None
    kept: list[Kept] = []
    incidents: list[Incident] = []
    for rel, info in _scan(target):
        shown = shown_path(target / rel) if rel else shown_path(target)
        if isinstance(info, OSError):
            incidents.append(Incident(shown, "", "corpus-keep",
                                      f"a folder of the corpus that cannot be read "
                                      f"({info.strerror or info}); expected every entry to be "
                                      "readable, so the build can keep it: fix its permissions "
                                      "or move it out of the corpus folder"))
            continue
        mode = info.st_mode
        if rel in generated:
            if not stat.S_ISREG(mode):
                incidents.append(_conflict(shown, mode, "a file the build writes"))
            continue
        if rel in folders:
            if not stat.S_ISDIR(mode):
                incidents.append(_conflict(shown, mode, "a folder the build writes into"))
            continue
        if stat.S_ISREG(mode) and rel.startswith(("data/", "figures/")):
            if previous is None:
                previous = _previous_outputs(target)
            if rel in previous and _sha256(target / rel) == previous[rel]:
                continue  # a data file the previous build wrote, no longer generated
        kept.append(Kept(rel, stat.S_ISDIR(mode), stat.S_IMODE(mode), info.st_atime_ns,
                         info.st_mtime_ns))
    if incidents:
        raise BuildError(incidents)
    return kept


def _conflict(shown: str, mode: int, what: str) -> Incident:
    found = ("a folder" if stat.S_ISDIR(mode) else "a symbolic link" if stat.S_ISLNK(mode)
             else "a special file")
    return Incident(shown, "", "corpus-conflict",
                    f"{found} of the user's where the build writes {what}; expected a regular "
                    "file written by the build (or nothing): move it out of the corpus folder")


def link_kept_files(target: Path, staging: Path, kept: list[Kept]) -> None:
    """Hard-link every kept entry of ``target`` into ``staging``; recreate its folders.

    Files, links, pipes and devices are hard-linked (a link is linked as a link,
    never followed); folders are recreated, then given their mode and times,
    deepest first. Everything in ``staging`` is then flushed to disk.

    Raises:
        BuildError: ``corpus-keep`` for an entry that cannot be hard-linked
            (another file system, an immutable file, a read-only mount): it is
            never copied instead.
    """
    target = _real(target)
    for entry in kept:
        dest = staging / entry.rel
        if entry.is_dir:
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(target / entry.rel, dest, follow_symlinks=False)
        except OSError as err:
            raise BuildError([Incident(
                shown_path(target / entry.rel), "", "corpus-keep",
                f"cannot be hard-linked into the new corpus ({err.strerror or err}); expected "
                "an entry the build can link, never copy: on the same file system, not "
                "immutable, its folder writable")]) from None
    root_mode = stat.S_IMODE(target.stat().st_mode) if target.is_dir() else 0o755
    for entry in sorted((e for e in kept if e.is_dir), key=lambda e: -e.rel.count("/")):
        path = staging / entry.rel
        fsync_dir(path)
        os.utime(path, ns=(entry.atime_ns, entry.mtime_ns), follow_symlinks=False)
        path.chmod(entry.mode)
    for folder in staged_folders(staging):
        fsync_dir(folder)
    staging.chmod(root_mode)
    fsync_dir(staging)


def staged_folders(staging: Path) -> list[Path]:
    """The folders of ``staging``, deepest first, walked without recursion."""
    out = []
    stack = [staging]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    out.append(Path(e.path))
                    stack.append(Path(e.path))
    return sorted(out, key=lambda p: -len(p.parts))


def exchange(staging: Path, target: Path) -> None:
    """Swap ``staging`` into ``target`` atomically, then remove the old corpus."""
    target = _real(target)
    if not target.exists():
        os.rename(staging, target)  # noqa: PTH104 -- one atomic rename(2), as documented
        fsync_dir(target.parent)
        _release(staging)
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    rc = libc.renameat2(_AT_FDCWD, os.fsencode(staging), _AT_FDCWD, os.fsencode(target),
                        _RENAME_EXCHANGE) if hasattr(libc, "renameat2") else -1
    if rc != 0:
        # No atomic exchange here (old kernel or filesystem): two renames, with the
        # old corpus kept under a backup name until the new one is in place. A
        # build killed between them leaves no corpus folder; the next build's
        # staging_dir() puts the backup back first (its marker proves it is ours).
        backup = target.with_name(f".{target.name}.previous-{os.getpid()}")
        _claim(backup)
        os.rename(target, backup)  # noqa: PTH104
        os.rename(staging, target)  # noqa: PTH104
        fsync_dir(target.parent)
        _release(staging)
        remove_tree(backup)
        if not backup.exists():
            _release(backup)
        return
    fsync_dir(target.parent)
    # staging now holds the old corpus; the new one is in place whatever happens here
    with contextlib.suppress(OSError):
        remove_tree(staging)
    if not staging.exists():
        _release(staging)


def publish(files: dict[str, bytes], target: Path) -> None:
    """Replace the generated part of ``target`` with ``files``; keep everything else.

    The one sequence every command that writes a corpus-like folder follows: what
    the folder holds besides the generated files is planned first (refused before
    any change if it cannot be kept), the new folder is written beside it, flushed,
    given the kept entries, and swapped in whole; on any failure the staging folder
    goes and ``target`` is as it was.

    Raises:
        BuildError: ``corpus-keep`` / ``corpus-conflict`` from :func:`plan_kept`.
        OSError: when the folder cannot be written.
    """
    kept = plan_kept(target, set(files))
    staging = staging_dir(target)
    try:
        for rel, data in files.items():
            write_file(staging / rel, data)  # flushed: the swap must not publish empty files
        link_kept_files(target, staging, kept)
        exchange(staging, target)
    except BaseException:
        discard(staging)
        raise
