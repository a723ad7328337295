"""The pipeline's large, long-lived objects: built once per process, with the collector paused.

hazm's Normalizer (its word list and its Lemmatizer's table of 420 000 verb forms),
the ZWNJ lexicon and hazm's own import are about a million small objects that
live as long as the process. While they are built, every 700 allocations start a
collection, and the older generations, which hold all of them, are walked again
and again. Measured with ``time.process_time`` on this 2-core machine, three runs
each: importing hazm, building the Normalizer and the ZWNJ lexicon took 4.0–5.0 s
of CPU with the collector on, 2.6–3.0 s with it paused. Once built, the objects are
moved to the permanent generation (:func:`gc.freeze`), so the collections that run
during the per-document work do not walk them either.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


@contextmanager
def collector_paused(*, freeze: bool = True) -> Iterator[None]:
    """Pause the cyclic garbage collector; freeze what was built, then resume it.

    Args:
        freeze: move what is alive afterwards to the permanent generation (for
            objects that live as long as the process); off for a block of work
            whose leftovers must still be collected.

    Nested uses are safe: only the outermost one resumes the collector.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if freeze:
                gc.freeze()
            gc.enable()


def built_once(build: Callable[[], T]) -> Callable[[], T]:
    """Cache a zero-argument constructor for the process, run with the collector paused."""

    @functools.cache
    @functools.wraps(build)
    def once() -> T:
        with collector_paused():
            return build()

    return once
