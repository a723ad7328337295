"""Wiring of ``sokhan process``: read, check the output folder, map, write, swap."""

from __future__ import annotations

import hashlib
import itertools
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sokhan.checks.incidents import BuildError, Incident
from sokhan.checks.outdir import CHECK, output_incidents
from sokhan.process.engines import WorkersLost, run_local
from sokhan.process.inputs import InputRecord, count_records, input_format, read_records
from sokhan.process.output import MANIFEST, REPORT, ShardWriter
from sokhan.process.shard import MIN_SHARDS, SHARD_RECORDS, Shard, shard_records
from sokhan.publication.swap import discard, exchange, staging_dir


@dataclass(frozen=True)
class Options:
    """What ``sokhan process`` was asked to do."""

    input: Path
    out: Path
    engine: str = "local"
    workers: int = 1
    scheduler: str | None = None
    strict: bool = False
    quiet: bool = False
    #: input records per shard, the unit a worker is given; None: set by the input's
    #: size (:func:`~sokhan.process.shard.shard_records`)
    shard_docs: int | None = None
    drafts: bool = False  # add the pre-annotator's machine-made ``drafts`` config
    annotations: Path = Path("corpus/annotations")  # the registry and gold the drafts learn from
    seeds: Path = Path("seeds")  # the gold articles' texts


def inputs_of(opts: Options) -> dict[str, Path]:
    """What a run reads, by name (for the output guard)."""
    found = {"input": opts.input}
    if opts.drafts:
        found |= {"annotations": opts.annotations, "seeds": opts.seeds}
    return found


def guard_output(out: str | Path, source: Path | dict[str, Path]) -> None:
    """Refuse an output folder that would destroy the input or the user's files.

    Args:
        out: the output folder as the user gave it (a ``str`` keeps ``""`` empty).
        source: the input file or folder, or every input by name (:func:`inputs_of`).

    The folder is replaced whole, so besides the shared guard it must be new, empty,
    or an earlier run's output, recognised by its :data:`~sokhan.process.output.MANIFEST`.

    Raises:
        BuildError: ``output-unsafe`` (:mod:`sokhan.checks.outdir`).
    """
    incidents = output_incidents(out, source if isinstance(source, dict) else {"input": source})
    if incidents:
        raise BuildError(incidents)
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise BuildError([Incident(str(folder), "", CHECK, "exists and is not a folder; "
                                   "expected a folder for the output of sokhan process")])
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MANIFEST).is_file():
        raise BuildError([Incident(str(folder), "", CHECK,
                                   f"is not empty and has no {MANIFEST} (it is not the output "
                                   "of an earlier sokhan process run); expected a new or empty "
                                   "folder, or an earlier run's output, because the whole "
                                   "folder is replaced")])


def _deduplicated(records: Iterator[InputRecord]) -> Iterator[InputRecord]:
    """Mark every record whose id repeats an earlier one's (the first is kept).

    Runs in this process, in input order, so the verdict cannot depend on the
    engine. It holds one set of ids: 100 000 articles cost about 10 MB.
    """
    seen: dict[str, str] = {}
    for rec in records:
        rid = rec.id
        if isinstance(rid, str) and rec.problem is None:
            if rid in seen:
                rec = InputRecord(rec.index, rec.where, rid, None, problem=(
                    "record-duplicate", f"id {rid!r} is also {seen[rid]}; expected unique"))
            else:
                seen[rid] = rec.where
        yield rec


def _batches(records: Iterator[InputRecord], size: int) -> Iterator[list[InputRecord]]:
    while batch := list(itertools.islice(records, size)):
        yield batch


def _shows_progress(opts: Options) -> bool:
    return not opts.quiet and sys.stderr.isatty()


def _progress(total: int):
    """A tqdm bar on a terminal (articles, rate, time left)."""
    from tqdm import tqdm

    return tqdm(total=total, unit="article", desc="sokhan process", dynamic_ncols=True)


def process(opts: Options) -> dict:
    """Run the pipeline over ``opts.input`` into ``opts.out``; return the manifest.

    Raises:
        BuildError: on an unusable input or output folder, or (``--strict``) on the
            first bad record; the output folder is then left as it was.
    """
    kind = input_format(opts.input)
    guard_output(opts.out, inputs_of(opts))
    drafter = None
    if opts.drafts:
        from sokhan.process.drafts import make_drafter

        drafter = make_drafter(opts.annotations, opts.seeds)  # before anything is written
    # the records are counted first, once: an input that cannot be read is refused
    # here, before the staging folder exists. The bar needs them all; the shard size
    # only whether there are fewer than it takes to fill MIN_SHARDS shards.
    bar_shown = _shows_progress(opts)
    counted = count_records(opts.input,
                            at_most=None if bar_shown else SHARD_RECORDS * MIN_SHARDS)
    size = opts.shard_docs or shard_records(counted)
    bar = _progress(counted) if bar_shown else None
    try:
        staging = staging_dir(opts.out)
        writer = ShardWriter(staging, size, None if drafter is None else drafter.source)
    except BaseException:
        if bar is not None:
            bar.close()
        raise
    results: Iterator[Shard] = iter(())
    try:
        # The main process only reads records (and checks ids for duplicates): the
        # pipeline, Arrow and zstd all run in the workers (sokhan.process.shard).
        batches = _batches(_deduplicated(read_records(opts.input)), size)
        results = (
            _dask()(batches, opts.workers, opts.scheduler, drafter) if opts.engine == "dask"
            else run_local(batches, opts.workers, drafter))
        try:
            for shard in results:
                if opts.strict and shard.refused:  # the block's first bad record, in order
                    raise BuildError([Incident(p.where, p.location, p.check,
                                               f"{p.message} (--strict: stopped)")
                                      for p in shard.refused[0]])
                writer.add(shard)
                if bar is not None:
                    bar.update(shard.records)
        except WorkersLost as err:
            raise BuildError([Incident(str(opts.input), "", "workers-lost",
                                       f"{err}; expected workers that stay up (nothing "
                                       "written)")]) from None
        manifest = writer.finish({"path": opts.input.name, "format": kind,
                                  "sha256": _digest(opts.input) if kind != "txt" else None})
        exchange(staging, opts.out)
    except BaseException:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stops the engine's workers before the staging folder goes
        writer.close()
        discard(staging)  # the folder and its marker: nothing of the run is left
        raise
    finally:
        if bar is not None:
            bar.close()
    return manifest


def _dask():
    """:func:`~sokhan.process.dask_engine.run_dask`, once the optional extra is known to be here."""
    try:
        from sokhan.process.dask_engine import run_dask
    except ModuleNotFoundError as err:
        if (err.name or "").partition(".")[0] not in ("dask", "distributed"):
            raise  # not the optional extra: a real error, shown as one
        raise RuntimeError("--engine dask needs the optional extra: pip install "
                           "'sokhan[dask]'") from err
    return run_dask


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def summary(opts: Options, manifest: dict) -> str:
    """The line printed when a run ends."""
    c = manifest["counts"]
    line = (f"processed {opts.input} into {opts.out}: {c['documents']} documents, "
            f"{c['sentences']} sentences, {c['tokens']} tokens")
    if "drafts" in manifest:
        line += f", {manifest['drafts']['rows']} machine-made drafts"
    if c["refused"]:
        checks = ", ".join(f"{k} {v}" for k, v in manifest["problems"].items())
        line += (f"; {c['refused']} record(s) refused ({checks}), listed in "
                 f"{opts.out / REPORT}")
    return line + f"; counts in {opts.out / MANIFEST}"
