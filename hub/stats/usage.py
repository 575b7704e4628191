"""Usage counting: views of record pages and downloads of files, in the manner of COUNTER.

:class:`UsageCounter` is the per-application buffer the web layer feeds (hub.web.usage_hooks
counts a record page or a file download through it). Counting costs a few microseconds: a double
click (the same visitor, record and kind within ``USAGE_DOUBLE_CLICK_SECONDS``) is counted once,
and the event goes to an in-memory buffer that is written in one batch insert when it holds
``USAGE_FLUSH_EVENTS`` events or its oldest event is ``USAGE_FLUSH_SECONDS`` old (by a background
flusher thread), and when the process exits. No Flask here.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from hub.models import Record, Repository, UsageEvent, UsageKind

log = logging.getLogger(__name__)


def visitor_hash(address: str, user_agent: str) -> str:
    """COUNTER's user identity without a login: a truncated hash of the client's address and
    User-Agent (neither is stored raw)."""
    return hashlib.sha256(f"{address}|{user_agent}".encode()).hexdigest()[:16]


class UsageCounter:
    """The per-application buffer of usage events and its double-click memory."""

    def __init__(self, db: Any, settings: Mapping[str, Any]) -> None:
        self.db = db
        self.window = float(settings["USAGE_DOUBLE_CLICK_SECONDS"])
        self.max_events = int(settings["USAGE_FLUSH_EVENTS"])
        self.max_age = float(settings["USAGE_FLUSH_SECONDS"])
        self.lock = threading.Lock()
        self.buffer: list[tuple[str, int, str, datetime]] = []
        self.first_at = 0.0
        self.last_seen: dict[tuple[str, str, int], float] = {}
        self.flusher: threading.Thread | None = None
        self.stopped = threading.Event()
        self.wake = threading.Event()
        atexit.register(self.close)

    def count(self, kind: UsageKind, record_id: int, visitor: str, now: float | None = None) -> bool:
        """Buffer one event unless it is a double click; returns whether it was counted."""
        now = time.time() if now is None else now
        key = (visitor, kind.value, record_id)
        with self.lock:
            last = self.last_seen.get(key)
            self.last_seen[key] = now
            if last is not None and now - last < self.window:
                return False
            if not self.buffer:
                self.first_at = time.monotonic()
            self.buffer.append((kind.value, record_id, visitor, datetime.fromtimestamp(now, UTC).replace(microsecond=0)))
            full = len(self.buffer) >= self.max_events
            if len(self.last_seen) > 100_000:
                self._forget(now)
        self._ensure_flusher()
        if full:
            self.wake.set()  # the flusher writes the batch: the request never waits for the insert
        return True

    def _forget(self, now: float) -> None:
        self.last_seen = {k: t for k, t in self.last_seen.items() if now - t < self.window}

    def _ensure_flusher(self) -> None:
        if self.flusher is None or not self.flusher.is_alive():
            self.flusher = threading.Thread(target=self._flush_loop, name="chair-usage-flush", daemon=True)
            self.flusher.start()

    def _flush_loop(self) -> None:
        while not self.stopped.is_set():
            self.wake.wait(min(self.max_age, 1.0))
            self.wake.clear()
            with self.lock:
                due = bool(self.buffer) and (len(self.buffer) >= self.max_events
                                             or time.monotonic() - self.first_at >= self.max_age)
            if due:
                self.flush()

    def flush(self) -> int:
        """Write the buffered events in one batch; returns how many were written."""
        with self.lock:
            events, self.buffer = self.buffer, []
        if not events:
            return 0
        try:
            with self.db.session() as session:
                ids = {e[1] for e in events}
                owners = {rid: (repo_id, inst_id) for rid, repo_id, inst_id in session.execute(
                    select(Record.id, Record.repository_id, Repository.institution_id)
                    .join(Repository, Repository.id == Record.repository_id).where(Record.id.in_(ids)))}
                rows = [{"kind": kind, "record_id": rid, "visitor": visitor, "at": at,
                         "repository_id": owners.get(rid, (None, None))[0],
                         "institution_id": owners.get(rid, (None, None))[1]}
                        for kind, rid, visitor, at in events if rid in owners]
                if rows:
                    session.execute(insert(UsageEvent), rows)
            return len(rows)
        except Exception:  # usage must never break the portal; the batch is lost and logged
            log.exception("writing %d usage events failed", len(events))
            return 0

    def close(self) -> None:
        """Stop the flusher and write what is left."""
        self.stopped.set()
        self.wake.set()
        self.flush()
