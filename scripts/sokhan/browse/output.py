"""Writing the site: the only place the browser touches the disk.

The site replaces its folder atomically (:mod:`sokhan.publication.swap`). Because it
replaces the whole folder, it refuses one that holds anything but a site it
wrote before (recognised by its marker file), on top of the shared
``--out`` guard of :mod:`sokhan.checks.outdir`.
"""

from __future__ import annotations

from pathlib import Path

from sokhan.checks.incidents import BuildError, Incident
from sokhan.checks.outdir import CHECK
from sokhan.publication.swap import (
    discard,
    exchange,
    fsync_dir,
    staged_folders,
    staging_dir,
    write_file,
)

#: Written into every site folder, so a later run knows the folder is its own to replace.
MARKER = ".sokhan-browse"


def foreign_folder(out: Path) -> list[Incident]:
    """An ``output-unsafe`` incident when ``out`` holds files no earlier site wrote."""
    if out.exists() and not out.is_dir():
        return [Incident(str(out), "", CHECK, "exists and is not a folder; expected a folder "
                         "for the site")]
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        return [Incident(str(out), "", CHECK,
                         f"is not empty and has no {MARKER} marker (it is not a site written "
                         "by sokhan browse); expected a new or empty folder, or an earlier site, "
                         "because the whole folder is replaced")]
    return []


def write_site(files: dict[str, bytes], out: Path) -> None:
    """Replace ``out`` with exactly ``files`` (and the marker), atomically.

    Raises:
        BuildError: when ``out`` is a folder this command must not replace.
    """
    incidents = foreign_folder(out)
    if incidents:
        raise BuildError(incidents)
    staging = staging_dir(out)
    try:
        write_file(staging / MARKER, b"written by sokhan browse; the folder is replaced on "
                                     b"every run\n")
        for rel, data in sorted(files.items()):
            write_file(staging / rel, data)  # flushed to disk before the swap
        for folder in staged_folders(staging):
            fsync_dir(folder)
        fsync_dir(staging)
        exchange(staging, out)
    except BaseException:
        discard(staging)  # the staging folder and the marker that proved it ours
        raise
