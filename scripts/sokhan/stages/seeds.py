"""Seed stage: read the seed articles and verify them against the manifest.

This is an I/O edge: it returns verified :class:`~sokhan.records.SeedFile`
records or raises :class:`~sokhan.checks.incidents.BuildError` listing every problem.
Seeds are byte-exact copies of their sources, so the stage never repairs one:
anything it cannot take as it is (see ``docs/checks.md``) is refused with the
line and column of the first occurrences.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sokhan.checks.incidents import (
    BuildError,
    Incident,
    Unreadable,
    byte_location,
    read_bounded,
    shown_path,
)
from sokhan.checks.jsonfile import load_object
from sokhan.checks.schemas import schema_incidents
from sokhan.checks.unicode import describe, hazards, nfc_problem, string_incidents
from sokhan.records import SeedFile

MANIFEST = "manifest.json"
#: Larger seeds are refused unread. The longest article is 7 KB, 35 times less;
#: a seed of this size with 6 600 mentions builds in about 8 s and 570 MB
#: (tests/test_hazards.py), and time and memory grow linearly with it.
MAX_SEED_BYTES = 256 * 1024
#: Longer lines (paragraphs) are refused; the longest real one has 514 characters.
MAX_LINE_CHARS = 20_000
#: More lines are refused: every line costs hazm a fixed ~70 µs however short it is.
MAX_LINES = 10_000
#: Occurrences of one problem reported per seed before the rest are only counted.
MAX_REPORTED = 5


def read_manifest(seeds_dir: Path) -> tuple[dict, list[Incident]]:
    """Load and check ``seeds/manifest.json``: JSON, schema, strings, unique entries."""
    path = seeds_dir / MANIFEST
    shown = shown_path(path)
    manifest, incidents = load_object(path, "manifest-json", "the seed manifest")
    if incidents or manifest is None:
        return {}, incidents
    assert isinstance(manifest, dict)  # JSON parsed without incidents
    incidents = (schema_incidents(manifest, "seed-manifest", shown, "manifest-schema")
                 or string_incidents(manifest, shown))
    if incidents:
        return {}, incidents
    seen: dict[tuple[str, str], int] = {}
    for k, entry in enumerate(manifest["seeds"]):
        for key in ("doc_id", "file"):
            if (key, entry[key]) in seen:
                incidents.append(Incident(
                    shown, f"/seeds/{k}/{key}", "manifest-duplicate",
                    f"{entry[key]!r} is also entry {seen[(key, entry[key])]}; expected unique",
                ))
            seen.setdefault((key, entry[key]), k)
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
                shown_path(path), "", "seed-unlisted",
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
    shown = shown_path(path)

    def refuse(check: str, message: str, where: str = "", at: str = shown):
        return None, [Incident(at, where, check, message)]

    if path.is_symlink():
        # realpath never raises, even on a loop; a loop or a dangling link
        # resolves to a path that is not a file.
        target = Path(os.path.realpath(path))
        if not target.is_relative_to(Path(os.path.realpath(seeds_dir))):
            return refuse("seed-symlink", f"links to {target}, outside {shown_path(seeds_dir)}; "
                                          "expected a regular file in the seeds folder")
        if not target.is_file():
            return refuse("seed-symlink", f"links to {target}, which is not a file "
                                          "(broken link or loop); expected a regular file")
    data = read_bounded(path, MAX_SEED_BYTES)
    if isinstance(data, Unreadable):
        if data.kind == "missing":
            return refuse("seed-missing", f"{entry['file']} is listed but not found in "
                                          f"{shown_path(seeds_dir)}",
                          f"/seeds/{k}/file", shown_path(seeds_dir / MANIFEST))
        if data.kind == "too-large":
            return refuse("seed-too-large", f"{data.message} bytes per seed (not read)")
        return refuse("seed-unreadable", f"{data.message}; expected the article's text")
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry["sha256"] or len(data) != entry["size"]:
        return refuse("seed-checksum",
                      f"sha256 {digest} and size {len(data)}; expected sha256 "
                      f"{entry['sha256']} and size {entry['size']} from {MANIFEST}")
    incidents = list(check_seed_bytes(shown, data))
    if incidents:
        return None, incidents
    text = data.decode("utf-8")
    return SeedFile(entry["doc_id"], entry["file"], text, digest, len(data), entry), []


def read_article_file(path: Path) -> bytes:
    """An article file's bytes (``sokhan add``, ``sokhan annotate``), checked like a seed.

    Raises:
        BuildError: with the seed checks' incidents when the file is unreadable or bad.
    """
    shown = shown_path(path)
    data = read_bounded(path, MAX_SEED_BYTES)
    if isinstance(data, Unreadable):
        check = {"missing": "seed-missing", "too-large": "seed-too-large"}.get(
            data.kind, "seed-unreadable")
        raise BuildError([Incident(shown, "", check, f"{data.message}; expected the article's "
                                                     "text (UTF-8, one paragraph a line)")])
    incidents = list(check_seed_bytes(shown, data))
    if incidents:
        raise BuildError(incidents)
    return data


def check_seed_bytes(shown: str, data: bytes):
    """Yield an incident for every encoding, size or character hazard in a seed.

    Locations are ``line L column C``, both 1-based, the column counted in
    characters (code points).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        yield Incident(shown, "line 1 column 1", "seed-bom",
                       "starts with a UTF-8 byte-order mark (EF BB BF); expected none")
    if b"\r" in data:
        line, count = data.count(b"\n", 0, data.index(b"\r")) + 1, data.count(b"\r")
        yield Incident(shown, f"line {line}", "seed-crlf",
                       f"{count} CR character(s), the first here; expected LF line ends only")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        yield Incident(shown, byte_location(data, err.start), "seed-encoding",
                       f"byte 0x{data[err.start]:02x} at offset {err.start} is not UTF-8 "
                       f"({err.reason}); expected UTF-8")
        return
    if not text.strip():
        yield Incident(shown, "", "seed-empty", "no text; expected at least one paragraph")
        return
    lines = text.split("\n")
    # a final line end ends the last line; it does not start one more
    n_lines = len(lines) - text.endswith("\n")
    if n_lines > MAX_LINES:
        yield Incident(shown, f"line {MAX_LINES + 1}", "seed-too-large",
                       f"{n_lines} lines; the build accepts at most {MAX_LINES} per seed")
    long_lines = [(n, len(line)) for n, line in enumerate(lines, start=1)
                  if len(line) > MAX_LINE_CHARS]
    for n, length in long_lines[:MAX_REPORTED]:
        yield Incident(shown, f"line {n}", "seed-too-large",
                       f"{length} characters; the build accepts at most {MAX_LINE_CHARS} per line")
    yield from _more(shown, "seed-too-large", len(long_lines), "lines are too long")
    if long_lines or n_lines > MAX_LINES:
        return  # the scans below are linear, but there is no point in them now
    yield from _character_incidents(shown, lines)


def _character_incidents(shown: str, lines: list[str]):
    found: dict[str, list[Incident]] = {"seed-nul": [], "seed-unicode": [], "seed-nfc": []}
    for n, line in enumerate(lines, start=1):
        for col, kind in hazards(line):
            char = line[col]
            if (n, col, char) == (1, 0, "\ufeff") or char == "\r":
                continue  # reported as seed-bom and seed-crlf
            check = "seed-nul" if kind == "control character" else "seed-unicode"
            found[check].append(Incident(
                shown, f"line {n} column {col + 1}", check,
                f"{describe(char)} ({kind}); expected none: the seed must be fixed at its "
                "source, the build does not alter seeds"))
        bad = nfc_problem(line)
        if bad:
            col, before, after = bad
            found["seed-nfc"].append(Incident(
                shown, f"line {n} column {col + 1}", "seed-nfc",
                f"{' + '.join(describe(c) for c in before)} is not in NFC; expected "
                f"{' + '.join(describe(c) for c in after)} (hazm would drop the combining "
                "mark and change the letter)"))
    for check, incidents in found.items():
        yield from incidents[:MAX_REPORTED]
        yield from _more(shown, check, len(incidents), "occurrences")


def _more(shown: str, check: str, count: int, what: str):
    if count > MAX_REPORTED:
        yield Incident(shown, "", check, f"{count - MAX_REPORTED} more {what} not listed")

