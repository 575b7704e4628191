"""Read ahead: fetch the next page of a source while the current one is imported.

A harvest alternates between waiting on the repository and normalising/storing a page;
running the source's iterator one page ahead in a thread overlaps the two. Pages still
arrive in order and are committed one by one, so checkpoints mean what they meant: a
page read ahead but not yet committed is simply read again after a crash.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetch(source: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Iterate ``source`` in a background thread, at most ``depth`` items ahead of the consumer."""
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in source:
                while not stop.is_set():
                    try:
                        slots.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            slots.put(_Failure(exc))

    thread = threading.Thread(target=produce, name="chair-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        close = getattr(source, "close", None)
        thread.join(timeout=5)
        if close is not None and not thread.is_alive():
            close()
