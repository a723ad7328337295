"""``sokhan validate``: check inputs and the published corpus, writing nothing.

It runs the whole pipeline in memory (so every seed, annotation and record
check runs) and compares each file a build would publish with the one in the
corpus folder, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from sokhan.build import assemble, generate
from sokhan.incidents import Incident


def verify(seeds_dir: Path, annotations_dir: Path, out_dir: Path, card: Path) -> list[Incident]:
    """Every difference between the corpus folder and a fresh build.

    Raises:
        BuildError: when the inputs themselves are bad.
    """
    fresh = generate(assemble(seeds_dir, annotations_dir), annotations_dir, card)
    incidents = []
    for rel, data in sorted(fresh.items()):
        path = out_dir / rel
        if not path.is_file():
            incidents.append(Incident(str(path), "", "corpus-stale",
                                      "missing; expected the file a build writes (run sokhan build)"))
        elif path.read_bytes() != data:
            incidents.append(Incident(str(path), "", "corpus-stale",
                                      "differs from a fresh build; expected identical bytes "
                                      "(run sokhan build)"))
    data_dir = out_dir / "data"
    if data_dir.is_dir():
        for path in sorted(data_dir.rglob("*")):
            rel = path.relative_to(out_dir).as_posix()
            if path.is_file() and rel not in fresh:
                incidents.append(Incident(str(path), "", "corpus-stale",
                                          "not written by the build; expected no such file"))
    return incidents
