"""The ``dask`` engine: blocks of records as tasks on a ``distributed`` cluster.

A fresh ``LocalCluster`` (processes, one thread each) or the scheduler at a
given address. Imported only for ``--engine dask``, so the local engine never
imports ``distributed`` (the optional extra ``sokhan[dask]``). How workers that
die are survived is told in :mod:`sokhan.process.engines`.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import dask
from distributed import Client, KilledWorker, LocalCluster
from distributed.diagnostics.plugin import WorkerPlugin

from sokhan.process import engines
from sokhan.process.document import Outcome
from sokhan.process.engines import IN_FLIGHT_PER_WORKER, Batch, warm_up
from sokhan.process.shard import Shard, process_shard

if TYPE_CHECKING:
    from sokhan.process.drafts import Drafter

#: The drafters of this worker process, by the name of the plugin that set them
#: (:class:`WorkerSetup`): each run names its own, so runs sharing a cluster do not mix.
_drafters: dict[str, Drafter | None] = {}


class WorkerSetup(WorkerPlugin):
    """Warms a worker up and gives it the run's drafter, once per worker.

    Registered with the scheduler, it is set up on every worker of the cluster,
    those that join later included: a worker that a nanny starts in place of one
    that died gets the drafter too. Data scattered to the workers would not: once
    every worker that held it had died, it would be lost, and every task after
    it with it.
    """

    def __init__(self, name: str, drafter: Drafter | None) -> None:
        self.name, self.drafter = name, drafter

    def setup(self, worker: Any) -> None:
        """Called by Dask on each worker, when registered and when a worker joins."""
        warm_up(self.drafter)
        _drafters[self.name] = self.drafter

    def teardown(self, worker: Any) -> None:
        """Called by Dask when the plugin is removed (the run ended) or the worker closes."""
        _drafters.pop(self.name, None)


def _drafter_of(name: str) -> Drafter | None:
    try:
        return _drafters[name]
    except KeyError:  # the plugin is set up before a worker runs tasks; kept to fail plainly
        raise RuntimeError(f"this Dask worker was not set up for the run {name}") from None


def _shard(batch: Batch, name: str, outcomes: Any) -> Shard:
    return process_shard(batch, _drafter_of(name), outcomes)


def _outcomes(batch: Batch, name: str, outcomes: Any) -> list[Outcome]:
    return outcomes(batch, _drafter_of(name))


class _Dask(engines.Engine):
    """Tasks on a Dask cluster, whose nannies restart a worker that died."""

    name = "Dask"
    deaths = (KilledWorker,)

    def __init__(self, client: Client, setup: str, drafts: bool) -> None:
        super().__init__(drafts)
        self.client, self.setup = client, setup

    def submit(self, batch: Batch, alone: bool = False) -> Any:
        # pure=False: two equal batches are still two tasks; order comes from the deque.
        # The batch function is read now, not imported: the tests' seam (engines.py).
        task = _outcomes if alone else _shard
        return self.client.submit(task, batch, self.setup, engines.batch_function, pure=False)

    def wait(self, task: Any) -> Any:
        return task.result()


def run_dask(batches: Iterable[Batch], workers: int, scheduler: str | None = None,
             drafter: Drafter | None = None) -> Iterator[Shard]:
    """Process batches on Dask: a new ``LocalCluster`` or the scheduler at ``scheduler``."""
    with contextlib.ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))
            workers = max(len(client.scheduler_info().get("workers", {})), 1)
        else:
            # the scheduler runs in this process and reads its configuration when made
            with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
                cluster = stack.enter_context(LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True,
                    dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        name = f"sokhan-process-{uuid.uuid4().hex}"
        client.register_plugin(WorkerSetup(name, drafter), name=name)
        # a cluster given by address outlives the run: it should not keep the drafter
        stack.callback(_unregister, client, name)
        yield from _Dask(client, name, drafter is not None).ordered(
            batches, workers * IN_FLIGHT_PER_WORKER)


def _unregister(client: Client, name: str) -> None:
    with contextlib.suppress(Exception):  # the cluster may be gone already
        client.unregister_worker_plugin(name)
