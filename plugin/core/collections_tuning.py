"""Fewer garbage-collection passes during bulk work.

A roster import allocates millions of short-lived containers (cells, parsed records, rows for the
database); with the interpreter's default thresholds the cyclic collector runs every 700 of them
and scans the young generation again and again, about a seventh of an import's time. Raising the
first threshold for the duration still collects (each pass just waits for more allocations); but
objects alive at such a pass (the batch in hand) are promoted and, once dead, would wait for a
rare full collection, so the bulk loop calls :func:`between_batches` when a batch is done, which
collects the young generations only (cheap), keeping memory bounded; the thresholds are restored
afterwards. The setting is the process's: other
threads collect less often meanwhile, which costs them nothing but a little memory.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations between two passes over the youngest generation during bulk work (default 700).
BULK_THRESHOLD = 50_000

_lock = threading.Lock()
_holders = 0
_saved: tuple[int, int, int] | None = None


def between_batches() -> None:
    """Collect what the batch just done left in the young generations (not the whole heap)."""
    gc.collect(1)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect less often inside the block (nested and concurrent blocks share one setting)."""
    global _holders, _saved
    with _lock:
        if _holders == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(BULK_THRESHOLD, _saved[1], _saved[2])
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
