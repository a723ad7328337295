"""Prepared copies of objects that are slow to build: pickled once, loaded after.

hazm's steps (:mod:`sokhan.stages.hazm_steps`) need hazm imported and its
Normalizer built, 2–3 s of CPU; their pickled copy, 6 MB of tables, word list and
verb forms, loads in 0.13 s without importing hazm (measured with
``time.process_time``). The copy is a pure function of
the pinned packages, so it is kept in a cache folder under a key made of
everything it depends on: the Python version, the versions and data files of the
packages it is built from, the options, and :data:`FORMAT`. A copy that is
missing, unreadable, of another key or of the wrong type is built afresh (and
stored again when the folder is writable); nothing is ever read from a copy made
under another key.

The folder is ``$SOKHAN_CACHE`` if set (``off`` turns the cache off), else
``$XDG_CACHE_HOME/sokhan`` or ``~/.cache/sokhan``. Like any cache of pickles, it
must be writable by its user only.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib.util
import json
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")

#: Bumped whenever what a copy holds changes for the same packages and options.
FORMAT = 1
ENV = "SOKHAN_CACHE"
#: Copies of one object kept under other keys (other checkouts or versions), newest first.
KEEP = 3


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is off."""
    chosen = os.environ.get(ENV)
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sokhan"


def key_of(parts: dict[str, Any], files: Iterable[Path]) -> str:
    """A key for a copy: ``parts`` and the bytes of ``files``, with the Python version."""
    h = hashlib.sha256()
    h.update(json.dumps({**parts, "format": FORMAT, "python": sys.version},
                        sort_keys=True).encode())
    for path in sorted(files):
        h.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:32]


def source_of(module: str) -> Path:
    """The source file of an imported module, for a key that must change with its code."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(module)
    return Path(spec.origin)


def dumps(obj: object) -> bytes:
    """``obj`` pickled as its copy holds it."""
    return pickle.dumps(obj, protocol=5)


def prepared(name: str, key: str, build: Callable[[], T], kind: type[T]) -> T:
    """The object ``build()`` makes, loaded from its prepared copy when there is one."""
    loaded = load(name, key, kind)
    if loaded is not None:
        return loaded
    obj = build()
    store(name, key, obj)
    return obj


def load(name: str, key: str, kind: type[T]) -> T | None:
    """The prepared copy of ``name`` under ``key``, or None (missing, broken, of another type)."""
    folder = cache_dir()
    if folder is None:
        return None
    with contextlib.suppress(Exception):  # a broken copy of any kind: as if there were none
        loaded = pickle.loads((folder / f"{name}-{key}.pickle").read_bytes())
        if isinstance(loaded, kind):
            return loaded
    return None


def store(name: str, key: str, obj: object) -> None:
    """Keep ``obj`` as the prepared copy of ``name`` under ``key`` (when the cache is on)."""
    folder = cache_dir()
    if folder is not None:
        _store(folder / f"{name}-{key}.pickle", name, obj)


def has_copies(name: str) -> bool:
    """Whether the cache holds a copy of ``name`` under any key."""
    folder = cache_dir()
    return folder is not None and any(folder.glob(f"{name}-*.pickle"))


def _store(path: Path, name: str, obj: object) -> None:
    """Write the copy atomically; a cache that cannot be written only costs time."""
    with contextlib.suppress(OSError, pickle.PicklingError, TypeError, AttributeError):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(dumps(obj))
            Path(tmp).replace(path)  # whole or not at all, even beside a concurrent run
        finally:
            with contextlib.suppress(FileNotFoundError):
                Path(tmp).unlink()
        _prune(path)


def _prune(path: Path) -> None:
    """Remove all but the :data:`KEEP` newest copies of ``path``'s object."""
    name = path.name.rsplit("-", 1)[0]
    copies = []
    for other in path.parent.glob(f"{name}-*.pickle"):
        with contextlib.suppress(OSError):
            copies.append((other.stat().st_mtime, other.name, other))
    for _, _, old in sorted(copies, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()


#: Entries a remembered table may grow to; beyond, new answers are not remembered.
MEMO_LIMIT = 200_000


class Memo(Generic[T]):
    """Answers of a slow pure function, remembered across runs under a key.

    Loaded from ``<name>-<key>.pickle`` at first use; answers found in this run are
    added to the copy when the process exits (never by pool workers, which exit
    without running exit handlers). The function must be pure for the key: the key
    names everything its answers depend on.
    """

    def __init__(self, name: str, key: str, compute: Callable[[str], T], kind: type[T]) -> None:
        self._name, self._key, self._compute, self._kind = name, key, compute, kind
        self._known: dict[str, T] | None = None
        self._new: dict[str, T] = {}
        self._folder: Path | None = None

    def __call__(self, arg: str) -> T:
        """The function's answer for ``arg``: remembered, or computed now."""
        if self._known is None:
            # the folder as it is now, not at exit (a test may point it elsewhere meanwhile)
            self._folder = cache_dir()
            known = prepared(self._name, self._key, dict, dict)
            # a copy with answers of another type is not this function's: start afresh
            good = all(isinstance(k, str) and type(v) is self._kind for k, v in known.items())
            self._known = known if good else {}
            atexit.register(self._store)
        if arg in self._known:
            return self._known[arg]
        if arg not in self._new:
            self._new[arg] = self._compute(arg)
        return self._new[arg]

    def _store(self) -> None:
        folder = self._folder
        if folder is None or not self._new or self._known is None:
            return
        merged = {**self._known, **self._new}
        if len(merged) > MEMO_LIMIT:
            return
        _store(folder / f"{self._name}-{self._key}.pickle", self._name, merged)
