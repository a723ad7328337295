"""The build manifest: versions, inputs, options, counts and output digests of a build."""

from __future__ import annotations

import re
import sys
from importlib.metadata import requires, version

from sokhan import __version__
from sokhan.checks.schemas import SCHEMA_VERSION
from sokhan.publication.parquet import PARQUET_OPTIONS
from sokhan.records import Corpus
from sokhan.stages.normalise import HAZM_OPTIONS
from sokhan.stages.tokenise import TOKENIZER_OPTIONS

#: Libraries whose version can change the built corpus: the package's own
#: dependencies, pinned exactly in pyproject.toml (their one source).
PINNED = tuple(re.split(r"[ ;=<>!~\[]", r, maxsplit=1)[0]
               for r in requires("sokhan") or () if "extra ==" not in r)


def manifest(corpus: Corpus, files: dict[str, str]) -> dict:
    """The build manifest: versions, inputs, options, counts, outputs."""
    return {
        "sokhan_version": __version__,
        "schema_version": SCHEMA_VERSION,
        # major.minor only: a patch release of Python does not change the corpus, and the
        # manifest must not differ between two machines that build identical files
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "libraries": {name: version(name) for name in PINNED},
        "normaliser": {
            "hazm_options": HAZM_OPTIONS,
            "per_line": True,
            "zwnj_repair": "sokhan.zwnj",
        },
        "tokenizer": {"hazm_word_tokenizer_options": TOKENIZER_OPTIONS, "split_dashes": True},
        "parquet": PARQUET_OPTIONS,
        "seeds": [
            {"file": f"seeds/{d.seed.file}", "sha256": d.seed.sha256, "size": d.seed.size}
            for d in corpus.docs
        ],
        "annotations": corpus.annotation_digests,
        "splits": corpus.splits,
        "counts": {c: {s: len(r) for s, r in splits.items()} for c, splits in corpus.rows.items()},
        "tokens": sum(len(s.tokens) for ss in corpus.sentences.values() for s in ss),
        "normalisation_changes": dict(sorted(corpus.changes.items())),
        "zwnj_repairs": dict(sorted(corpus.repairs.items())),
        "skipped": corpus.skipped,
        "files": files,
    }
