"""The output-folder guard: no command may write where it could destroy its inputs.

A command that writes replaces or fills a folder. Pointed at the wrong place
(``--out seeds``, ``--out .``, ``--out ""``, ``--out ~``) it would delete the
very files it reads, or the user's own. Every writing command calls
:func:`output_incidents` before it touches anything, and refuses with the check
id ``output-unsafe`` when the folder:

- is an empty path (``Path("")`` silently means the working folder);
- is the filesystem root or the home folder, or contains the home folder;
- is, contains or lies inside one of the command's input folders or files;
- is a project root (holds ``.git`` or ``pyproject.toml``), or is the working
  folder or one of its parents.

Paths are compared after resolving symbolic links, so a link to the seeds folder
is the seeds folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from sokhan.checks.incidents import Incident

CHECK = "output-unsafe"
#: Entries that mark a project root: writing over one would replace a checkout.
PROJECT_MARKERS = (".git", "pyproject.toml")


def _real(path: str | os.PathLike[str]) -> Path:
    """``path`` made absolute with every symbolic link resolved (it need not exist)."""
    return Path(path).resolve()


def _within(inner: Path, outer: Path) -> bool:
    """Whether ``inner`` is ``outer`` or lies below it."""
    return inner == outer or outer in inner.parents


def output_incidents(
    out: str | os.PathLike[str],
    inputs: Mapping[str, str | os.PathLike[str]],
    *,
    nested: Iterable[str] = (),
) -> list[Incident]:
    """Why ``out`` must not be written, as incidents (none when it is safe).

    Args:
        out: the output folder exactly as the user gave it (a ``str`` keeps ``""``
            apart from ``"."``).
        inputs: what the command reads, by name (``{"seeds": …, "annotations": …}``).
        nested: names of inputs that may sit directly inside ``out`` under their own
            folder name, because the command keeps that folder entry by entry (the
            gold annotations live in ``corpus/annotations``).

    Returns:
        One ``output-unsafe`` incident naming the first reason found, or ``[]``.
    """
    shown = os.fspath(out)

    def refuse(why: str) -> list[Incident]:
        return [Incident(shown or '""', "", CHECK,
                         f"{why}; expected a folder of its own for the command's output, "
                         "outside its inputs")]

    if not shown.strip():
        return refuse("the output folder is an empty path (it would mean the working folder)")
    target = _real(shown)
    if target == target.parent:
        return refuse(f"the output folder {target} is the filesystem root")
    allowed = set(nested)
    for name, path in inputs.items():
        source = _real(path)
        if source == target:
            return refuse(f"the output folder is the {name} input {source}")
        if _within(target, source):
            return refuse(f"the output folder lies inside the {name} input {source}")
        if _within(source, target) and not (name in allowed and source == target / source.name):
            return refuse(f"the output folder {target} contains the {name} input {source}")
    home = _real(Path.home())
    if _within(home, target):
        return refuse(f"the output folder {target} is or contains the home folder {home}")
    if _within(_real(Path.cwd()), target):
        return refuse(f"the output folder {target} is the working folder or one of its parents")
    for marker in PROJECT_MARKERS:
        if (target / marker).exists():
            return refuse(f"the output folder {target} is a project root (it holds {marker})")
    return []
