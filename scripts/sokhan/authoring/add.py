"""``sokhan add``: copy a new article into the seeds folder and list it in the manifest.

Doc id rule: ``NNN_<h>``, where ``NNN`` is one more than the highest three-digit
prefix in the manifest (zero-padded to three digits) and ``<h>`` the first 16 hex
digits of the SHA-256 of the article's bytes. The five original ids have the same
shape but their hex part is not a hash of their bytes (it matches no SHA-256,
SHA-1, MD5 or BLAKE2 prefix of them); it is kept, and only new ids follow the rule.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

from sokhan.annotate.run import write_atomically
from sokhan.authoring.metadata import derive
from sokhan.checks.incidents import BuildError, Incident, shown_path
from sokhan.stages.seeds import MANIFEST, read_article_file, read_manifest

_NUMBERED = re.compile(r"^([0-9]{3})_")


def next_doc_id(existing: list[str], data: bytes) -> str:
    """The doc id of a new article, by the rule in this module's docstring."""
    numbers = [int(m.group(1)) for i in existing if (m := _NUMBERED.match(i))]
    return f"{max(numbers, default=-1) + 1:03d}_{hashlib.sha256(data).hexdigest()[:16]}"


def manifest_entry(doc_id: str, data: bytes) -> dict:
    """The manifest entry of a new article: checksum, size and the derivable metadata."""
    return {"doc_id": doc_id, "file": f"{doc_id}.txt",
            "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
            **derive(data.decode("utf-8"))}


def to_fill_in(entry: dict) -> list[str]:
    """The manifest fields still ``null`` (to fill in by hand)."""
    return [key for key, value in entry.items() if value is None]


def add(article: Path, seeds_dir: Path) -> dict:
    """Copy ``article`` into ``seeds_dir`` byte for byte and append its manifest entry.

    Returns:
        the new manifest entry.

    Raises:
        BuildError: the article fails a seed check, the manifest is bad, or the
            article is already a seed (``seed-duplicate``); nothing is written then.
    """
    data = read_article_file(article)
    manifest, incidents = read_manifest(seeds_dir)
    if incidents:
        raise BuildError(incidents)
    digest = hashlib.sha256(data).hexdigest()
    for k, e in enumerate(manifest["seeds"]):
        if e["sha256"] == digest:
            raise BuildError([Incident(shown_path(article), "", "seed-duplicate",
                                       f"same bytes (sha256 {digest}) as {e['file']}, manifest "
                                       f"entry {k}; expected an article not yet in the seeds")])
    entry = manifest_entry(next_doc_id([e["doc_id"] for e in manifest["seeds"]], data), data)
    target = seeds_dir / entry["file"]
    if target.exists() or target.is_symlink():
        raise BuildError([Incident(shown_path(target), "", "seed-duplicate",
                                   "a file of that name is already in the seeds folder; "
                                   "expected a new name")])
    shutil.copyfile(article, target)
    if target.read_bytes() != data:  # the article changed while it was copied
        target.unlink()
        raise BuildError([Incident(shown_path(article), "", "seed-checksum",
                                   "changed while it was copied; expected stable bytes")])
    manifest["seeds"].append(entry)
    try:
        write_atomically(seeds_dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return entry
