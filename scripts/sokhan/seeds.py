"""Seed stage: read the seed articles and verify them against the manifest.

This is an I/O edge: it returns verified :class:`~sokhan.records.SeedFile`
records or raises :class:`~sokhan.incidents.BuildError` listing every problem.
"""

from __future__ import annotations

import hashlib
import os
import json
import re
from pathlib import Path

from sokhan.incidents import BuildError, Incident
from sokhan.records import SeedFile
from sokhan.validate import schema_incidents

MANIFEST = "manifest.json"
#: Larger seeds are refused: the build holds a document in memory several times.
MAX_SEED_BYTES = 64 * 1024 * 1024
#: Code points that change how text displays or compares without being seen.
_HAZARDS = re.compile("[\u200b\u200d\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def read_manifest(seeds_dir: Path) -> tuple[dict, list[Incident]]:
    """Load and schema-check ``seeds/manifest.json``."""
    path = seeds_dir / MANIFEST
    shown = _shown(path)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, [Incident(shown, "", "manifest-json", "file not found; expected the seed manifest")]
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        where = f"line {err.lineno} column {err.colno}" if hasattr(err, "lineno") else ""
        return {}, [Incident(shown, where, "manifest-json", f"not valid JSON: {err}")]
    incidents = schema_incidents(manifest, "seed-manifest", shown, "manifest-schema")
    if incidents:
        return {}, incidents
    seen: dict[str, int] = {}
    for k, entry in enumerate(manifest["seeds"]):
        for key in ("doc_id", "file"):
            if (key, entry[key]) in seen:
                incidents.append(Incident(
                    shown, f"/seeds/{k}/{key}", "manifest-duplicate",
                    f"{entry[key]!r} is also entry {seen[(key, entry[key])]}; expected unique",
                ))
            seen[(key, entry[key])] = k
        if entry["file"] != entry["doc_id"] + ".txt":
            incidents.append(Incident(
                shown, f"/seeds/{k}/file", "manifest-schema",
                f"found {entry['file']!r}; expected {entry['doc_id'] + '.txt'!r} (doc_id + .txt)",
            ))
    return manifest, incidents


def read_seeds(seeds_dir: Path) -> list[SeedFile]:
    """Read every seed listed in the manifest and verify it byte for byte.

    Raises:
        BuildError: listing every missing, unlisted, altered or malformed seed.
    """
    manifest, incidents = read_manifest(seeds_dir)
    if incidents:
        raise BuildError(incidents)
    listed = {e["file"] for e in manifest["seeds"]}
    for path in sorted(seeds_dir.glob("*.txt")):
        if path.name not in listed:
            incidents.append(Incident(
                _shown(path), "", "seed-unlisted",
                f"{path.name} has no entry in {MANIFEST}; add one with its sha256 and size",
            ))
    seeds = []
    for k, entry in enumerate(manifest["seeds"]):
        seed, found = _read_one(seeds_dir, entry, k)
        incidents.extend(found)
        if seed:
            seeds.append(seed)
    if incidents:
        raise BuildError(incidents)
    return sorted(seeds, key=lambda s: s.doc_id)


def _read_one(seeds_dir: Path, entry: dict, k: int) -> tuple[SeedFile | None, list[Incident]]:
    path = seeds_dir / entry["file"]
    shown = _shown(path)
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(seeds_dir.resolve()):
            return None, [Incident(shown, "", "seed-symlink",
                                   f"links to {target}, outside {seeds_dir}; expected a regular file")]
    if not path.is_file():
        return None, [Incident(_shown(seeds_dir / MANIFEST), f"/seeds/{k}/file", "seed-missing",
                               f"{entry['file']} is listed but not found in {seeds_dir}")]
    size = path.stat().st_size
    if size > MAX_SEED_BYTES:
        return None, [Incident(shown, "", "seed-too-large",
                               f"{size} bytes; expected at most {MAX_SEED_BYTES}")]
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry["sha256"] or len(data) != entry["size"]:
        return None, [Incident(shown, "", "seed-checksum",
                               f"sha256 {digest} and size {len(data)}; expected sha256 "
                               f"{entry['sha256']} and size {entry['size']} from {MANIFEST}")]
    incidents = list(check_seed_bytes(shown, data))
    if incidents:
        return None, incidents
    text = data.decode("utf-8")
    return SeedFile(entry["doc_id"], entry["file"], text, digest, len(data), entry), []


def check_seed_bytes(shown: str, data: bytes):
    """Yield an incident for every encoding or character hazard in a seed."""
    if data.startswith(b"\xef\xbb\xbf"):
        yield Incident(shown, "line 1", "seed-bom", "starts with a UTF-8 byte-order mark; expected none")
    if b"\r" in data:
        line = data[: data.index(b"\r")].count(b"\n") + 1
        yield Incident(shown, f"line {line}", "seed-crlf", "CR line end; expected LF only")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        yield Incident(shown, f"line {line}", "seed-encoding",
                       f"byte 0x{data[err.start]:02x} at offset {err.start} is not UTF-8; expected UTF-8")
        return
    if not text.strip():
        yield Incident(shown, "", "seed-empty", "no text; expected at least one paragraph")
    for pattern, check, what in ((_CONTROL, "seed-nul", "control character"),
                                 (_HAZARDS, "seed-unicode", "invisible formatting character")):
        m = pattern.search(text.lstrip("\ufeff"))
        if m:
            line = text[: m.start()].count("\n") + 1
            yield Incident(shown, f"line {line}", check,
                           f"{what} U+{ord(m.group()):04X}; expected none (remove it from the seed)")


def _shown(path: Path) -> str:
    """A path as shown in messages: relative to the working folder when possible."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
