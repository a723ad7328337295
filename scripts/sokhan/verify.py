"""``sokhan validate``: check inputs and the published corpus, writing nothing.

It runs the whole pipeline in memory (so every seed, annotation and record
check runs) and compares each file a build would publish with the one in the
corpus folder, byte for byte.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sokhan.build import Progress, assemble, generate, stage
from sokhan.checks.incidents import Incident, shown_path
from sokhan.publication.card import read_card_template


def verify(seeds_dir: Path, annotations_dir: Path, out_dir: Path, card: Path,
           progress: Progress | None = None, *,
           allow_unannotated: bool = False) -> list[Incident]:
    """Every difference between the corpus folder and a fresh build.

    Raises:
        BuildError: when the inputs themselves are bad.
    """
    corpus = assemble(seeds_dir, annotations_dir, progress,
                      allow_unannotated=allow_unannotated)
    with stage("Parquet, card, Croissant, manifest", progress):
        fresh = generate(corpus, read_card_template(card))
    with stage("compare", progress):
        return _compare(fresh, out_dir)


def _compare(fresh: dict[str, bytes], out_dir: Path) -> list[Incident]:
    incidents = []
    for rel, data in sorted(fresh.items()):
        path = out_dir / rel
        problem = _differs(path, data)
        if problem:
            incidents.append(Incident(shown_path(path), "", "corpus-stale",
                                      f"{problem}; expected the bytes a build writes "
                                      "(run sokhan build)"))
    data_dir = out_dir / "data"
    if data_dir.is_dir() and not data_dir.is_symlink():
        for rel, info in _walk(data_dir):
            path = data_dir / rel
            if isinstance(info, OSError):
                incidents.append(Incident(shown_path(path), "", "corpus-stale",
                                          f"a folder that cannot be read ({info.strerror or info})"
                                          "; expected the build's data files only"))
            elif f"data/{rel}" not in fresh and not stat.S_ISDIR(info.st_mode):
                incidents.append(Incident(shown_path(path), "", "corpus-stale",
                                          "not written by the build; expected no such file"))
    return incidents


def _walk(root: Path):
    """``(relative path, lstat or error)`` of every entry below ``root``, without recursion."""
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(root / rel if rel else root) as entries:
                found = sorted((e.name, e.stat(follow_symlinks=False)) for e in entries)
        except OSError as err:
            yield rel, err
            continue
        for name, info in found:
            child = f"{rel}/{name}" if rel else name
            yield child, info
            if stat.S_ISDIR(info.st_mode):
                stack.append(child)


def _differs(path: Path, data: bytes) -> str | None:
    """Why the file at ``path`` is not ``data``, or None; reads it only when sizes agree."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return "missing"
    except OSError as err:
        return f"cannot be examined ({err.strerror or err})"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if info.st_size != len(data):
        return f"{info.st_size} bytes where a fresh build has {len(data)}"
    try:
        same = path.read_bytes() == data
    except OSError as err:
        return f"cannot be read ({err.strerror or err})"
    return None if same else "differs from a fresh build"
