"""The optional ``drafts`` layer of ``sokhan process``: the pre-annotator's proposals.

With ``--drafts``, every published article also gets one row in the config
``drafts``: the draft annotation file :mod:`sokhan.annotate` would write for it
(the TEAM contract: the annotation-file shape, raw offsets into the record's
text, a ``draft`` block with ``status: "draft"`` and the proposed registry
entries), as JSON text. The rows are machine-made and say so in every row
(``status``, ``tool``); they are never written as, or beside, gold annotation
files, and the ``documents`` and ``sentences`` configs stay unannotated.

The pre-annotator learns from the gold annotations (registry and CRF), so the
:class:`Drafter` is made once in the main process and shipped to the workers;
its source digest goes into the run's manifest.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from sokhan.annotate import VERSION
from sokhan.checks.schemas import schema_incidents
from sokhan.publication.parquet import PROCESS_PARQUET_OPTIONS
from sokhan.publication.parquet import parquet_bytes as shard_parquet

if TYPE_CHECKING:  # the pre-annotator (CRF, CLDR) is imported only when drafts are made
    from sokhan.annotate.gazetteer import Entry
    from sokhan.annotate.names import Model

CONFIG = "drafts"
TOOL = "sokhan annotate"
#: A draft's doc id must be an annotation doc id (it names a file once accepted).
DOC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
#: The drafts config's columns; ``draft`` is the whole draft file as JSON text.
SCHEMA = pa.schema([
    pa.field("doc_id", pa.string()),
    pa.field("status", pa.string()),
    pa.field("tool", pa.string()),
    pa.field("version", pa.string()),
    pa.field("mentions", pa.int32()),
    pa.field("quotes", pa.int32()),
    pa.field("proposed_entities", pa.int32()),
    pa.field("draft", pa.string()),
])


@dataclass(frozen=True)
class Drafter:
    """What the pre-annotator needs for every article: the registry and the trained model."""

    entries: tuple[Entry, ...]
    model: Model
    source: dict  # what it was made from, for the manifest

    def row(self, raw: str, doc_id: str, where: str) -> tuple[dict | None, list[tuple[str, str]]]:
        """The drafts row of one article, or the (check, message) problems of its draft."""
        from sokhan.annotate import draft

        result = draft.annotate(raw, doc_id, self.entries, self.model)
        found = schema_incidents(result, "annotation", where, "annotation-schema")
        if found:  # a bug of the pre-annotator, not bad input; never publish an invalid draft
            return None, [(i.check, f"draft {i.where}: {i.message}") for i in found[:3]]
        return {
            "doc_id": doc_id,
            "status": result["draft"]["status"],
            "tool": result["draft"]["tool"],
            "version": result["draft"]["version"],
            "mentions": len(result["mentions"]),
            "quotes": len(result["quotes"]),
            "proposed_entities": len(result["draft"]["proposed_entities"]),
            # the very text `sokhan annotate ARTICLE --out DRAFT.json` writes
            "draft": draft.dumps(result),
        }, []


def make_drafter(annotations: Path, seeds: Path) -> Drafter:
    """Read the registry, train on the gold articles, and load the world names once.

    Raises:
        BuildError: the registry or a gold file is unusable (their usual check ids).
    """
    from sokhan.annotate import draft, names
    from sokhan.annotate.run import gold_examples, read_registry

    entries = read_registry(annotations)
    examples = gold_examples(annotations, seeds)
    model = names.train(examples, entries)
    draft.load()
    digest = hashlib.sha256()
    for path in sorted(annotations.glob("*.json")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return Drafter(entries, model, {
        "tool": TOOL, "version": VERSION, "status": "draft",
        "gold_articles": len(examples), "registry_entities": len(entries),
        "annotations_sha256": digest.hexdigest(),
    })


def warm_up(drafter: Drafter) -> None:
    """Load the pre-annotator's word lists in a fresh worker process."""
    from sokhan.annotate import draft

    draft.load()
    drafter.row("آقای علی گفت: امروز.", "warm-up", "warm-up")


def parquet_bytes(rows: list[dict]) -> bytes:
    """One shard of the drafts config, written with the process shards' fixed options."""
    return shard_parquet(pa.Table.from_pylist(rows, schema=SCHEMA), PROCESS_PARQUET_OPTIONS)


def loads(row: dict) -> dict:
    """The draft file held by a drafts row."""
    return json.loads(row["draft"])
