"""``sokhan release X.Y.Z [--date D]``: set the version and release date everywhere.

The version has one source, ``pyproject.toml`` (``sokhan.__version__`` reads the
installed package's metadata, so a reinstall carries it); ``CITATION.cff`` repeats
it (twice, with the year), and ``sokhan/__init__.py`` holds ``RELEASE_DATE``,
which the card, the build manifest and Croissant read. :func:`bump` rewrites all
of them in memory, requiring each pattern to match exactly as often as expected,
so a file whose layout changed is refused rather than half-edited; a test keeps
the three in agreement.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from sokhan.checks.incidents import BuildError, Incident, shown_path

#: file (relative to the project root) -> (pattern, replacement template, expected count)
EDITS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "pyproject.toml": ((r'(?m)^version = "[^"]*"$', 'version = "{version}"', 1),),
    "scripts/sokhan/__init__.py": (
        (r'(?m)^RELEASE_DATE = "[^"]*"$', 'RELEASE_DATE = "{date}"', 1),
    ),
    "CITATION.cff": (
        (r"(?m)^(\s*)version: .*$", r"\g<1>version: {version}", 2),
        (r"(?m)^(\s*)date-released: .*$", r"\g<1>date-released: {date}", 2),
        (r"(?m)^(\s*)year: .*$", r"\g<1>year: {year}", 1),
    ),
}
_SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
_CURRENT = re.compile(r'(?m)^version = "([^"]*)"$')


def _parse(version: str) -> tuple[int, ...] | None:
    m = _SEMVER.fullmatch(version)
    return tuple(int(g) for g in m.groups()) if m else None


def bump(texts: dict[str, str], version: str, date: str) -> tuple[dict[str, str], list[Incident]]:
    """The files' new texts for ``version`` released on ``date`` (ISO 8601), or why not."""
    incidents = []
    new = _parse(version)
    if new is None:
        incidents.append(Incident("pyproject.toml", "", "release-version",
                                  f"{version!r} is not X.Y.Z; expected a semantic version"))
    try:
        day = datetime.date.fromisoformat(date)
    except ValueError:
        day = None
        incidents.append(Incident("CITATION.cff", "", "release-version",
                                  f"date {date!r}; expected YYYY-MM-DD"))
    current = _CURRENT.search(texts.get("pyproject.toml", ""))
    old = _parse(current.group(1)) if current else None
    if new and old and current and new <= old:
        incidents.append(Incident("pyproject.toml", "", "release-version",
                                  f"{version} is not after the current {current.group(1)}; "
                                  "expected a higher version"))
    if incidents or day is None:
        return {}, incidents
    out = {}
    for name, edits in EDITS.items():
        text = texts[name]
        for pattern, template, count in edits:
            text, n = re.subn(pattern, template.format(version=version, date=date,
                                                       year=day.year), text)
            if n != count:
                incidents.append(Incident(name, "", "release-version",
                                          f"{n} line(s) match {pattern!r}; expected {count}"))
        out[name] = text
    return out, incidents


def release(root: Path, version: str, date: str) -> list[str]:
    """Rewrite the version files under ``root``; returns the files changed.

    Raises:
        BuildError: bad version or date, or a file whose layout is not the expected one.
    """
    texts = {}
    for name in EDITS:
        path = root / name
        if not path.is_file() or path.is_symlink():
            raise BuildError([Incident(shown_path(path), "", "release-version",
                                       "not a regular file; expected the project's version file "
                                       "(is --root the project root?)")])
        texts[name] = path.read_text(encoding="utf-8")
    new, incidents = bump(texts, version, date)
    if incidents:
        raise BuildError(incidents)
    for name, text in new.items():
        (root / name).write_text(text, encoding="utf-8")
    return sorted(new)
