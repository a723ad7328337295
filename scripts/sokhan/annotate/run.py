"""The I/O edge of ``sokhan annotate``: read an article and the gold, write a draft.

The article is checked like a seed (encoding, BOM, CR, control and hazardous
characters, size) with the same check ids, the draft is validated against the
annotation schema before it is written, and it is written atomically.
"""

from __future__ import annotations

import glob
import json
import os
import re
from pathlib import Path

from sokhan.annotate import draft, names
from sokhan.annotate.gazetteer import Entry
from sokhan.annotate.text import read_article
from sokhan.checks.incidents import BuildError, Incident, shown_path
from sokhan.checks.jsonfile import load_object
from sokhan.checks.registry import check_registry
from sokhan.checks.schemas import schema_incidents
from sokhan.publication.swap import fsync_dir, process_running, write_file
from sokhan.stages.seeds import read_article_file

_DOC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")


def read_text(path: Path) -> str:
    """The article's raw text, refused with the seed checks' incidents when bad."""
    return read_article_file(path).decode("utf-8")


def read_registry(annotations: Path) -> tuple[Entry, ...]:
    """The registry entries of an annotations folder."""
    path = annotations / "entities.json"
    # the build's checks: a top-level value that is no object, a string that is not NFC,
    # a repeated id or a missing member is refused here too, not guessed around
    value, incidents = load_object(path, "registry-json", "the entity registry")
    registry, found = check_registry(value, shown_path(path))
    incidents += found
    if incidents or registry is None:
        raise BuildError(incidents)
    return tuple(Entry(e.id, e.type, e.name_fa, e.aliases, e.is_group, e.members)
                 for e in registry.entities)


def gold_examples(annotations: Path, seeds: Path) -> list[names.Example]:
    """The gold articles to learn from: every annotation file whose seed exists."""
    out = []
    for path in sorted(annotations.glob("*.json")):
        seed = seeds / f"{path.stem}.txt"
        if path.name == "entities.json" or not seed.is_file():
            continue
        gold, incidents = load_object(path, "annotation-json", "an annotation file")
        if incidents or gold is None:
            raise BuildError(incidents)
        out.append(names.Example(read_article(read_text(seed), path.stem), gold))
    return out


def run(article: Path, out: Path, annotations: Path, seeds: Path,
        doc_id: str | None = None) -> dict:
    """Annotate ``article`` and write the draft to ``out``; returns the draft."""
    raw = read_text(article)
    ident = doc_id or article.stem
    if not _DOC_ID.fullmatch(ident):
        raise BuildError([Incident(shown_path(article), "", "annotation-doc-id",
                                   f"the file name gives doc id {ident!r}; expected ASCII "
                                   "letters, digits, _ and - (pass --doc-id)")])
    entries = read_registry(annotations)
    model = names.train(gold_examples(annotations, seeds), entries)
    result = draft.annotate(raw, ident, entries, model)
    incidents = schema_incidents(result, "annotation", shown_path(out), "annotation-schema")
    if incidents:  # a bug, not bad input; but never write an invalid draft
        raise BuildError(incidents)
    write_atomically(out, draft.dumps(result))
    return result


#: The temporary file :func:`write_atomically` writes beside ``<name>``.
_TEMP = re.compile(r"\.(?P<name>.+)\.sokhan-(?P<pid>[0-9]{1,10})\.tmp")


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all, even when the process is killed.

    The bytes go to a temporary file beside it (``.<name>.sokhan-<pid>.tmp``),
    flushed to disk, then renamed over ``path``, and the folder is flushed: a
    kill or a power cut at any moment leaves the old file or the new one, never
    a part of one, and two calls in a row reach the disk in their order. The
    temporary files of killed runs for the same ``path`` (their process no
    longer running) are removed first; nothing else is.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path)
    tmp = path.with_name(f".{path.name}.sokhan-{os.getpid()}.tmp")
    try:
        tmp.unlink(missing_ok=True)  # this process's own, from a call that failed
        write_file(tmp, text.encode("utf-8"))
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove the temporary files of :func:`write_atomically` for ``path`` left by killed runs."""
    removed = []
    for entry in sorted(path.parent.glob(f".{glob.escape(path.name)}.sokhan-*.tmp")):
        found = _TEMP.fullmatch(entry.name)
        if found is None or found["name"] != path.name or process_running(int(found["pid"])):
            continue
        if entry.is_file() and not entry.is_symlink():
            entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


def summary(result: dict) -> str:
    """One line on what the draft proposes."""
    return (f"{len(result['mentions'])} mentions, {len(result['quotes'])} quotations, "
            f"{len(result['draft']['proposed_entities'])} proposed registry entries")


__all__ = ["json", "run", "summary"]
