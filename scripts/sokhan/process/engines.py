"""Engines: turn blocks of records into shards (:func:`~sokhan.process.shard.process_shard`).

Every engine yields the blocks' shards in input order while keeping only a
bounded number of blocks in flight, so memory stays flat however long the
input is, and the output cannot depend on which worker finished first.

- ``local``: one worker runs in this process; more run in a process pool.
- ``dask``: a ``distributed`` cluster, a fresh ``LocalCluster`` (processes, one
  thread each) or the scheduler at a given address (:mod:`sokhan.process.dask_engine`,
  which needs ``sokhan[dask]``).

A worker that dies (killed by the system when out of memory, a crash in a C
extension, ``os._exit``) does not end the run. The batch it held is retried one
record at a time, each record alone, and its shard is made here from those
records' outcomes (:func:`~sokhan.process.shard.shard_of`), so the records that
did not kill it give the same bytes as in a run without the fault; a record that kills its worker
again is refused with the check id ``record-worker-died``. The local pool,
broken by a death, is replaced by a fresh one; a Dask cluster replaces its
workers itself (its nannies). Dask also retries a task on its own before it
gives up on it (``KilledWorker``): the ``LocalCluster`` made here allows no
such retry, so a record is tried exactly as often as on the local pool (with
its batch, then alone); a scheduler given by address keeps its own
``distributed.scheduler.allowed-failures`` (Dask's default: 3 retries per try).
More than :data:`MAX_DEATHS_IN_A_ROW` deaths in a row, with no batch or record
finished between them, mean the workers cannot run at all: :class:`WorkersLost`
ends the run (check id ``workers-lost``). On Dask a death counts when Dask gives
up on a task (``KilledWorker``); a cluster left with no worker at all waits for
one, as Dask does.

With one local worker the records run in this process: a record that kills the
process ends the run like any kill (the output folder is left as it was).
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from sokhan.process.document import Outcome, Problem, process_batch
from sokhan.process.inputs import InputRecord
from sokhan.process.shard import Shard, process_shard, shard_of

if TYPE_CHECKING:
    from sokhan.process.drafts import Drafter

#: Batches in flight per worker: enough to keep a worker busy while the next
#: result is collected, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 2
#: Worker deaths in a row (nothing finished between them) that a run survives.
MAX_DEATHS_IN_A_ROW = 4
#: The check id of a record that killed its worker twice.
WORKER_DIED = "record-worker-died"

Batch = list[InputRecord]

#: The function that gives a batch's outcomes, in a worker: a block's, before its
#: shard is made there, or one record's, retried alone. A seam for tests, which
#: swap it for one that kills its worker on chosen records (the local pool forks,
#: so a swap in this process reaches its workers; Dask pickles the function by
#: name, so there it must be importable in the workers).
batch_function = process_batch


class WorkersLost(RuntimeError):
    """More than :data:`MAX_DEATHS_IN_A_ROW` worker deaths in a row: the run cannot go on."""


def warm_up(drafter: Drafter | None = None) -> None:
    """Construct the pipeline's expensive objects once in a fresh worker process.

    Arrow's first table is made here too: unless the command skipped it
    (:func:`~sokhan.publication.parquet.skip_pandas_probe`), Arrow's first
    conversion imports pandas (0.25 s), which forked workers then inherit instead
    of each importing it before its first shard.
    """
    from sokhan.publication.parquet import PROCESS_PARQUET_OPTIONS, arrow_table, parquet_bytes
    from sokhan.stages.normalise import normalise

    normalise("سلام")
    parquet_bytes(arrow_table("documents", []), PROCESS_PARQUET_OPTIONS)
    if drafter is not None:
        from sokhan.process import drafts

        drafts.warm_up(drafter)


#: The drafter of this pool worker process, set once by :func:`_pool_worker`, so it
#: is pickled once per worker rather than once per batch.
_worker_drafter: Drafter | None = None


def _pool_worker(drafter: Drafter | None) -> None:
    global _worker_drafter
    _worker_drafter = drafter
    warm_up(drafter)


def _pool_shard(batch: Batch) -> Shard:
    return process_shard(batch, _worker_drafter, batch_function)


def _pool_outcomes(batch: Batch) -> list[Outcome]:
    return batch_function(batch, _worker_drafter)


def died(rec: InputRecord, engine: str) -> Outcome:
    """The outcome of a record whose worker died with its batch and again with it alone."""
    shown = rec.id if isinstance(rec.id, str) else None
    return Outcome(rec.index, shown, problems=[Problem(
        rec.index, rec.where, shown, WORKER_DIED,
        f"the {engine} worker processing this record died twice, once with its batch and "
        "once with the record alone; expected a record a worker can process (the system "
        "may have killed it for lack of memory)")])


class Engine:
    """Submits batches and collects their outcomes, surviving workers that die."""

    name = ""
    #: What waiting for a task raises when its worker died.
    deaths: tuple[type[BaseException], ...] = ()

    def __init__(self, drafts: bool) -> None:
        self.in_a_row = 0
        self.drafts = drafts  # whether shards carry the drafts config

    def submit(self, batch: Batch, alone: bool = False) -> Any:
        """Start a block's shard, or (``alone``) a batch's outcomes, in a worker."""
        raise NotImplementedError

    def wait(self, task: Any) -> Any:
        """What ``task`` returned; raises one of :attr:`deaths` when its worker died."""
        raise NotImplementedError

    def recover(self, task: Any) -> None:
        """After ``task``'s worker died: count the death, make the workers usable again."""
        self.count_death()

    def count_death(self) -> None:
        """Count one death; raise :class:`WorkersLost` past :data:`MAX_DEATHS_IN_A_ROW`."""
        self.in_a_row += 1
        if self.in_a_row > MAX_DEATHS_IN_A_ROW:
            raise WorkersLost(f"{self.in_a_row} {self.name} worker deaths in a row with no "
                              "record processed between them")

    def shard(self, batch: Batch, task: Any) -> Shard:
        """``task``'s shard; when its worker died, made here from each record tried alone."""
        try:
            found = self.wait(task)
        except self.deaths:
            self.recover(task)
            return shard_of(len(batch), [self.alone(rec) for rec in batch], self.drafts)
        self.in_a_row = 0
        return found

    def alone(self, rec: InputRecord) -> Outcome:
        """``rec``'s outcome, tried alone; :func:`died` when its worker dies again."""
        task = self.submit([rec], alone=True)
        try:
            (found,) = self.wait(task)
        except self.deaths:
            self.recover(task)
            return died(rec, self.name)
        self.in_a_row = 0
        return found

    def ordered(self, batches: Iterable[Batch], in_flight: int) -> Iterator[Shard]:
        """The batches' shards in input order, with at most ``in_flight`` batches submitted."""
        pending: deque[tuple[Batch, Any]] = deque()
        for batch in batches:
            pending.append((batch, self.submit(batch)))
            if len(pending) >= in_flight:
                yield self.shard(*pending.popleft())
        while pending:
            yield self.shard(*pending.popleft())


class _LocalPool(Engine):
    """A process pool, replaced by a fresh one when a worker's death breaks it."""

    name = "local"
    deaths = (BrokenProcessPool, CancelledError)

    def __init__(self, workers: int, drafter: Drafter | None) -> None:
        super().__init__(drafter is not None)
        self.workers, self.drafter = workers, drafter
        self.generation = 0
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        self.generation += 1
        return ProcessPoolExecutor(max_workers=self.workers, initializer=_pool_worker,
                                   initargs=(self.drafter,))

    def _replace(self) -> None:
        # no cancel_futures: the broken pool fails every task of its own, each then tried
        # alone; a cancelled one would only be a second way to say the same
        self.pool.shutdown(wait=True)
        self.count_death()  # once per broken pool, however many of its tasks failed
        self.pool = self._new_pool()

    def submit(self, batch: Batch, alone: bool = False) -> tuple[int, Any]:
        while True:
            try:
                return self.generation, self.pool.submit(
                    _pool_outcomes if alone else _pool_shard, batch)
            except BrokenProcessPool:  # broke before its failed task was collected
                self._replace()

    def wait(self, task: tuple[int, Any]) -> Any:
        return task[1].result()

    def recover(self, task: tuple[int, Any]) -> None:
        if task[0] == self.generation:  # tasks of a pool already replaced count no more
            self._replace()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def run_local(batches: Iterable[Batch], workers: int,
              drafter: Drafter | None = None) -> Iterator[Shard]:
    """Process batches here (one worker) or in a pool of ``workers`` processes."""
    if workers <= 1:
        for batch in batches:
            yield process_shard(batch, drafter, batch_function)
        return
    if multiprocessing.get_start_method() == "fork":
        # Built once here, the pipeline's objects are inherited by every forked
        # worker instead of built again in each (about 3 CPU s per worker), and,
        # frozen, the collector never writes to their pages, so they stay shared.
        warm_up(drafter)
        gc.freeze()
    engine = _LocalPool(workers, drafter)
    try:
        yield from engine.ordered(batches, workers * IN_FLIGHT_PER_WORKER)
    finally:
        engine.close()
