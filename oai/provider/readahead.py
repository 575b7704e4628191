"""Read-ahead of list pages: the next page is prepared while the harvester reads this one.

An OAI-PMH harvest is strictly sequential: a harvester cannot ask for page n+1 before it has
parsed page n, which holds the token. Parsing takes a client about as long as rendering takes
the hub, so server and client are each idle half the time. With ``OAI_READ_AHEAD`` on, the hub
renders page n+1 in a background thread as soon as page n has been sent, and answers the
request for it from that copy.

What is served is exactly what the request would have produced a moment earlier: the same
token, decoded by the same code, with the same keyset cursor and ``until`` bound, so a page
read ahead never skips nor repeats a record (a record changed in between belongs to the next
incremental harvest either way). Only the envelope (``responseDate``) is written at serve time.

Bounds: one page is prepared at a time per process (a page asked for while one is being
prepared is not read ahead), at most ``MAX_PAGES`` pages wait, and a page not asked for within
``TTL`` seconds is dropped. In a web tier of several processes a page is used only when the next
request reaches the process that prepared it (see docker/OPERATIONS.md).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

log = logging.getLogger(__name__)
MAX_PAGES = 16
TTL = 30.0
WAIT = 10.0


@dataclass
class Page:
    """A list page rendered ahead: its chunks (inside the envelope) and the token it ends with."""

    chunks: list[str]
    next_token: str | None


@dataclass
class _Slot:
    ready: threading.Event = field(default_factory=threading.Event)
    page: Page | None = None
    born: float = field(default_factory=time.monotonic)


class ReadAhead:
    """Pages rendered ahead, keyed by the request that will ask for them (verb and token)."""

    def __init__(self, max_pages: int = MAX_PAGES, ttl: float = TTL) -> None:
        self.max_pages = max_pages
        self.ttl = ttl
        self._slots: OrderedDict[tuple[str, str], _Slot] = OrderedDict()
        self._lock = threading.Lock()
        self._busy = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oai-read-ahead")
        self.served = 0  # pages answered from a read-ahead copy (for tests and the health page)

    def schedule(self, verb: str, token: str, render: Callable[[], Page | None]) -> bool:
        """Render the page that ``verb`` + ``token`` will ask for, in the background; False when
        a page is being prepared already (nothing is queued behind it)."""
        key = (verb, token)
        with self._lock:
            self._expire()
            if self._busy or key in self._slots:
                return False
            self._busy = True
            slot = self._slots[key] = _Slot()
            while len(self._slots) > self.max_pages:
                self._slots.popitem(last=False)
        self._executor.submit(self._run, slot, render)
        return True

    def take(self, verb: str, token: str, wait: float = WAIT) -> Page | None:
        """The page read ahead for this request (waiting for it when it is being rendered), or None."""
        with self._lock:
            self._expire()
            slot = self._slots.pop((verb, token), None)
        if slot is None or not slot.ready.wait(wait) or slot.page is None:
            return None
        with self._lock:
            self.served += 1
        return slot.page

    def pending(self) -> int:
        """How many pages wait (rendered or being rendered)."""
        with self._lock:
            return len(self._slots)

    def shutdown(self) -> None:
        """Stop the background thread (pages being rendered are finished, then dropped)."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            self._slots.clear()

    def _run(self, slot: _Slot, render: Callable[[], Page | None]) -> None:
        try:
            slot.page = render()
        except Exception:  # noqa: BLE001 - a page that cannot be read ahead is rendered on request
            log.exception("reading an OAI-PMH page ahead failed")
            slot.page = None
        finally:
            with self._lock:  # free before waking the request, so that it can read the next page ahead
                self._busy = False
            slot.ready.set()

    def _expire(self) -> None:
        limit = time.monotonic() - self.ttl
        for key in [k for k, s in self._slots.items() if s.born < limit]:
            del self._slots[key]
