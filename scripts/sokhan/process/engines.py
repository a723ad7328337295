"""Engines: run :func:`~sokhan.process.shard.process_shard` over batches, in order.

Every engine yields the batches' results in input order while keeping only a
bounded number of batches in flight, so memory stays flat however long the
input is, and the output cannot depend on which worker finished first.

- ``local``: one worker runs in this process; more run in a process pool.
- ``dask``: a ``distributed`` cluster, a fresh ``LocalCluster`` (processes, one
  thread each) or the scheduler at a given address. Needs ``sokhan[dask]``.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from sokhan.process.inputs import InputRecord
from sokhan.process.shard import Shard, process_shard

if TYPE_CHECKING:
    from sokhan.process.drafts import Drafter

#: Batches in flight per worker: enough to keep a worker busy while the next
#: result is collected, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 2

Batch = list[InputRecord]


def warm_up(drafter: Drafter | None = None) -> None:
    """Construct the pipeline's expensive objects once in a fresh worker process."""
    from sokhan.stages.normalise import normalise

    normalise("سلام")
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


def _pool_batch(batch: Batch) -> Shard:
    return process_shard(batch, _worker_drafter)


def _ordered(submit: Callable[[Batch], Any], result: Callable[[Any], Shard],
             batches: Iterable[Batch], in_flight: int) -> Iterator[Shard]:
    pending: deque = deque()
    for batch in batches:
        pending.append(submit(batch))
        if len(pending) >= in_flight:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


def run_local(batches: Iterable[Batch], workers: int,
              drafter: Drafter | None = None) -> Iterator[Shard]:
    """Process batches here (one worker) or in a pool of ``workers`` processes."""
    if workers <= 1:
        for batch in batches:
            yield process_shard(batch, drafter)
        return
    if multiprocessing.get_start_method() == "fork":
        # Built once here, the pipeline's objects are inherited by every forked
        # worker instead of built again in each (about 3 CPU s per worker), and,
        # frozen, the collector never writes to their pages, so they stay shared.
        warm_up(drafter)
        gc.freeze()
    with ProcessPoolExecutor(max_workers=workers, initializer=_pool_worker,
                             initargs=(drafter,)) as pool:
        yield from _ordered(lambda b: pool.submit(_pool_batch, b), lambda f: f.result(),
                            batches, workers * IN_FLIGHT_PER_WORKER)


def run_dask(batches: Iterable[Batch], workers: int, scheduler: str | None = None,
             drafter: Drafter | None = None) -> Iterator[Shard]:
    """Process batches on Dask: a new ``LocalCluster`` or the scheduler at ``scheduler``."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:  # the optional extra is not installed
        raise RuntimeError("--engine dask needs the optional extra: pip install "
                           "'sokhan[dask]'") from err
    with contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))
            workers = max(len(client.scheduler_info().get("workers", {})), 1)
        else:
            cluster = stack.enter_context(LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        client.run(warm_up, drafter)
        # the drafter goes to every worker once; tasks then name it by its future
        shared = None if drafter is None else client.scatter(drafter, broadcast=True)
        # pure=False: two equal batches are still two tasks; order comes from the deque
        yield from _ordered(lambda b: client.submit(process_shard, b, shared, pure=False),
                            lambda f: f.result(), batches, workers * IN_FLIGHT_PER_WORKER)
