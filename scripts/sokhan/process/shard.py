"""The map step of ``sokhan process``: a block of input records into finished Parquet.

A worker turns one block of consecutive input records into the Parquet bytes of
each config for each split the block holds, and the tallies the reduce step
(:class:`~sokhan.process.output.ShardWriter`) adds up. The main process then only
writes those bytes, counts and reports: encoding rows to Arrow and compressing
them with zstd, the costly part of writing, runs in the workers, so two workers
are not held back by one writer. The bytes are returned, not written by the
worker, so a Dask worker on another machine needs no access to the output folder.

A block is always the same records (:func:`shard_records` consecutive input
positions, a number set by the input's size, whatever the engine or the worker
count), so the shards, and their bytes, are too.
"""

from __future__ import annotations

import gc
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING

import pyarrow as pa

from sokhan.process.document import Outcome, Problem, process_batch
from sokhan.process.drafts import CONFIG as DRAFTS
from sokhan.process.drafts import parquet_bytes as drafts_parquet
from sokhan.process.inputs import InputRecord
from sokhan.publication.parquet import PROCESS_PARQUET_OPTIONS, arrow_table, parquet_bytes
from sokhan.stages.resources import collector_paused

if TYPE_CHECKING:
    from sokhan.process.drafts import Drafter

#: The most input records per shard (and per task shipped to a worker): few enough
#: that a worker holds little, enough that a crawl of 100 000 articles makes 625
#: shards of a few hundred KB each, not tens of thousands of files. A shard's Arrow
#: columns are built whole before they are written (in one row group: five row
#: groups of 50 records made the file 2.2 times larger), and so set a worker's peak:
#: over 4 000 synthetic articles, one worker peaked at 279 MB with shards of 63
#: records, 285 MB with 160 and 304 MB with 250, whose sentence files took 15.8, 9.8
#: and 8.1 MB.
SHARD_RECORDS = 160
#: Shards a smaller input is still cut into, so that workers share it evenly. Cut
#: into blocks of 250, 1 000 synthetic articles made four tasks of 2.2–2.8 s each,
#: and the second of two workers ended 0.9 s after the first (of a 6.2 s run).
MIN_SHARDS = 16
#: The fewest records per shard: a handful of articles make one shard, not a file each.
MIN_SHARD_RECORDS = 25
#: Records whose sentence rows are turned into Arrow together, within a block. Rows
#: as Python lists take several times the memory of their Arrow columns; converted
#: every 50 records, a block of 160 holds at most 50 records' rows, so a worker's
#: peak memory hardly depends on the block's size (the Parquet bytes are the same:
#: Arrow's chunks do not change how the sentences are written).
ARROW_RECORDS = 50
CONFIGS = ("documents", "sentences")


def shard_records(records: int) -> int:
    """Input records per shard for an input of ``records`` records.

    :data:`SHARD_RECORDS`, or fewer so that the input still makes
    :data:`MIN_SHARDS` shards, but never fewer than :data:`MIN_SHARD_RECORDS`. It
    depends on the input alone, never on the engine or the worker count, so the
    shards, and their bytes, do not either.
    """
    return max(MIN_SHARD_RECORDS, min(SHARD_RECORDS, -(-records // MIN_SHARDS)))


@dataclass(frozen=True)
class Shard:
    """One block of records, processed: its files and what the reduce step adds up.

    Attributes:
        records: how many input records the block held (published or refused).
        files: split → config → the shard file's Parquet bytes, for every split
            with at least one published document.
        digests: split → config → the sha256 of those bytes.
        refused: the problems of each refused record, in input order.
        counts: documents, sentences, tokens (and drafts) published.
    """

    records: int
    files: dict[str, dict[str, bytes]] = field(default_factory=dict)
    digests: dict[str, dict[str, str]] = field(default_factory=dict)
    refused: tuple[tuple[Problem, ...], ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    repairs: dict[str, int] = field(default_factory=dict)
    changes: dict[str, int] = field(default_factory=dict)
    ignored: dict[str, int] = field(default_factory=dict)


def process_shard(records: list[InputRecord], drafter: Drafter | None = None,
                  outcomes: Callable[[list[InputRecord], Drafter | None], list[Outcome]]
                  = process_batch) -> Shard:
    """Run every record of a block through the pipeline and write its shard files.

    The block runs with the cyclic collector paused: the pipeline makes almost no
    reference cycles (gen-2 collections found none over 500 articles) but millions
    of short-lived objects, each 700 of which start a collection (measured on 500
    articles, one worker: 7.6 s of CPU with the collector on, 6.6 s paused). What
    the block did leave in cycles is collected right after it (:func:`_freeze_heap`),
    so memory stays bounded by one block.
    """
    parts = (outcomes(records[k : k + ARROW_RECORDS], drafter)
             for k in range(0, len(records), ARROW_RECORDS))
    with collector_paused(freeze=False):
        shard = shard_of(len(records), chain.from_iterable(parts), drafts=drafter is not None)
    _freeze_heap()
    return shard


def _freeze_heap() -> None:
    """Exclude what is alive between shards (the lexicons, hazm's data) from collections.

    The pipeline allocates millions of small objects, and every collection of the
    oldest generation walks all tracked objects, hazm's and the ZWNJ stage's
    ~350 000 among them: measured, 11% of a worker's time on 200 articles, 3% once
    they are frozen. :func:`sokhan.stages.resources.built_once` freezes what it
    builds; this also covers what the first records load lazily (wordfreq's
    spellings, caches). What is garbage is collected first, so nothing is kept that
    would have been freed.
    """
    gc.collect()
    gc.freeze()


def shard_of(records: int, outcomes: Iterable[Outcome], drafts: bool = False) -> Shard:
    """The shard of a block of ``records`` input records from their outcomes (pure).

    Workers call it on a block they process (the outcomes made as they are taken);
    the main process calls it on the outcomes of a block whose records were retried
    one by one after its worker died, and gets the same bytes. The sentence rows of
    every :data:`ARROW_RECORDS` outcomes, counted by input position, become Arrow
    columns at once, so no more rows than theirs are held.
    """
    counts: Counter[str] = Counter()
    repairs: Counter[str] = Counter()
    changes: Counter[str] = Counter()
    ignored: Counter[str] = Counter()
    refused: list[tuple[Problem, ...]] = []
    documents: dict[str, list[dict]] = {}
    sentences: dict[str, list[dict]] = {}  # rows not yet in Arrow, by split
    chunks: dict[str, list[pa.Table]] = {}
    drafted: dict[str, list[dict]] = {}

    def to_arrow() -> None:
        for split, rows in sentences.items():
            if rows:
                chunks.setdefault(split, []).append(arrow_table("sentences", rows))
        sentences.clear()

    for position, o in enumerate(outcomes, start=1):
        if o.problems:
            refused.append(tuple(o.problems))
        else:
            counts["documents"] += 1
            counts["sentences"] += len(o.sentences)
            counts["tokens"] += o.tokens
            repairs.update(o.repairs)
            changes.update(o.changes)
            ignored.update(o.ignored_fields)
            if o.draft is not None:
                counts["drafts"] += 1
                for key in ("mentions", "quotes", "proposed_entities"):
                    counts[f"draft_{key}"] += o.draft[key]
                drafted.setdefault(o.split, []).append(o.draft)
            if o.document is not None:
                documents.setdefault(o.split, []).append(o.document)
            sentences.setdefault(o.split, []).extend(o.sentences)
            chunks.setdefault(o.split, [])
        if position % ARROW_RECORDS == 0:
            to_arrow()
    to_arrow()
    files = {}
    for split in sorted(chunks):
        table = (pa.concat_tables(chunks[split]) if chunks[split]
                 else arrow_table("sentences", []))
        files[split] = {"documents": _parquet(arrow_table("documents", documents.get(split, []))),
                        "sentences": _parquet(table)}
        if drafts:
            files[split][DRAFTS] = drafts_parquet(drafted.get(split, []))
    return Shard(
        records=records,
        files=files,
        digests={s: {c: hashlib.sha256(b).hexdigest() for c, b in f.items()}
                 for s, f in files.items()},
        refused=tuple(refused),
        counts=dict(counts), repairs=dict(repairs), changes=dict(changes), ignored=dict(ignored),
    )


def _parquet(table: pa.Table) -> bytes:
    return parquet_bytes(table, PROCESS_PARQUET_OPTIONS)
