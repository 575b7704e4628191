"""The embedded extractor: pure-Python parsing in a guarded child process.

A hanging or memory-hungry parse (a broken PDF, a decompression bomb) must not take the
hub down. Each extraction runs in a long-lived child process (a fresh interpreter started
with ``subprocess``, talking over a pipe pair, its address space capped by
``EXTRACT_MEMORY_LIMIT``); the parent waits at most
``EXTRACT_TIMEOUT`` seconds for the answer, then kills the child and starts a fresh one
for the next file. A child that dies (out of memory) fails only the file it was reading.

Several files are extracted at once by a bounded pool of such children (:class:`RunnerPool`,
``EXTRACT_WORKERS`` of them), each reading one file at a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from storage.extract.base import ExtractErrorKind, ExtractionError, ExtractionResult, Extractor


def child_entry(read_fd: int, write_fd: int, memory_limit: int) -> None:
    """Entry point of the child interpreter: wrap the pipe ends and serve jobs until told to stop."""
    _child_main(Connection(read_fd, writable=False), Connection(write_fd, readable=False), memory_limit)


def _child_main(conn: Connection, out: Connection, memory_limit: int) -> None:
    """Loop of the child: receive (path, mime type), send ("ok", result) or ("error", kind, message)."""
    import resource

    if memory_limit > 0:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_limit if hard == resource.RLIM_INFINITY else min(memory_limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    from storage.extract.formats import extract_path

    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        job_id, path, mime_type = job
        try:
            out.send((job_id, "ok", asdict(extract_path(Path(path), mime_type))))
        except ExtractionError as exc:
            out.send((job_id, "error", exc.kind.value, exc.message))
        except MemoryError:
            out.send((job_id, "error", ExtractErrorKind.RESOURCE.value,
                      f"extraction needed more than EXTRACT_MEMORY_LIMIT={memory_limit} bytes"))
        except Exception as exc:  # any parser bug fails this file only
            out.send((job_id, "error", ExtractErrorKind.FAILED.value, f"{type(exc).__name__}: {exc}"[:1000]))


class GuardedRunner:
    """One child process doing extractions one at a time, killed and replaced when it overruns."""

    def __init__(self, memory_limit: int) -> None:
        self.memory_limit = memory_limit
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._send: Connection | None = None
        self._lock = threading.Lock()
        self._jobs = 0

    def _start(self) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
        code = ("import sys; from storage.extract.embedded import child_entry; "
                f"child_entry({to_child_r}, {from_child_w}, {self.memory_limit})")
        self._process = subprocess.Popen([sys.executable, "-c", code], pass_fds=(to_child_r, from_child_w),
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env,
                                         close_fds=True)
        os.close(to_child_r)
        os.close(from_child_w)
        self._send = Connection(to_child_w, readable=False)
        self._conn = Connection(from_child_r, writable=False)

    @property
    def pid(self) -> int | None:
        """The child's process id (None before the first job or after it was stopped)."""
        return self._process.pid if self._process is not None and self._alive() else None

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(5)
        for conn in (self._conn, getattr(self, "_send", None)):
            if conn is not None:
                conn.close()
        self._process = self._conn = self._send = None

    def run(self, path: Path, mime_type: str, timeout: float) -> dict[str, Any]:
        """Extract in the child; raise :class:`ExtractionError` on error, overrun or death of the child."""
        with self._lock:
            if not self._alive():
                self._kill()
                self._start()
            self._jobs += 1
            job_id = self._jobs
            deadline = time.monotonic() + timeout
            assert self._send is not None and self._conn is not None  # started above
            try:
                self._send.send((job_id, str(path), mime_type))
                while True:  # answers carry the job id: a stale answer is never taken for this one
                    if not self._conn.poll(max(0.0, deadline - time.monotonic())):
                        self._kill()
                        raise ExtractionError(ExtractErrorKind.TIMEOUT, "extraction took longer than "
                                              f"EXTRACT_TIMEOUT={timeout:g}s and was stopped")
                    answer = self._conn.recv()
                    if answer[0] == job_id:
                        break
            except (EOFError, OSError, BrokenPipeError) as exc:
                code = self._process.wait(5) if self._process is not None else None
                self._kill()
                raise ExtractionError(ExtractErrorKind.RESOURCE,
                                      f"the extraction process died (exit code {code}): likely out of memory "
                                      f"(EXTRACT_MEMORY_LIMIT={self.memory_limit})") from exc
        if answer[1] == "ok":
            return answer[2]
        raise ExtractionError(ExtractErrorKind(answer[2]), answer[3])

    def close(self) -> None:
        """Stop the child process."""
        with self._lock:
            if self._alive() and self._send is not None and self._process is not None:
                try:
                    self._send.send(None)
                    self._process.wait(2)
                except (OSError, BrokenPipeError, subprocess.TimeoutExpired):
                    pass
            self._kill()


class RunnerPool:
    """At most ``size`` guarded children for one memory limit, each lent to one extraction at a time.

    Extractions run side by side, one per child (the bounded pool of isolated workers): a thread
    borrows an idle child, or starts one while fewer than ``size`` exist, or waits for one to come
    back. A poison file still kills only the child that read it (:class:`GuardedRunner`).
    """

    def __init__(self, memory_limit: int, size: int) -> None:
        self.memory_limit = memory_limit
        self.size = max(1, size)
        self._idle: list[GuardedRunner] = []
        self._all: list[GuardedRunner] = []
        self._free = threading.Condition()

    def resize(self, size: int) -> None:
        """Let the pool grow to ``size`` children (a smaller size stops the extra idle ones)."""
        with self._free:
            self.size = max(1, size)
            while len(self._all) > self.size and self._idle:
                runner = self._idle.pop()
                self._all.remove(runner)
                runner.close()
            self._free.notify_all()

    @contextmanager
    def borrow(self) -> Iterator[GuardedRunner]:
        """One child for the duration of the block (waits while all ``size`` are busy)."""
        with self._free:
            while not self._idle and len(self._all) >= self.size:
                self._free.wait()
            if self._idle:
                runner = self._idle.pop()
            else:
                runner = GuardedRunner(self.memory_limit)
                self._all.append(runner)
        try:
            yield runner
        finally:
            with self._free:
                if len(self._all) > self.size:
                    self._all.remove(runner)
                    runner.close()
                else:
                    self._idle.append(runner)
                self._free.notify()

    def children(self) -> list[int]:
        """Process ids of the children alive now (tests and benchmarks look at them)."""
        with self._free:
            return [r.pid for r in self._all if r.pid is not None]

    def close(self) -> None:
        """Stop every child of the pool (idle ones at once; busy ones when their job ends)."""
        with self._free:
            runners, self._all, self._idle = list(self._all), [], []
        for runner in runners:
            runner.close()


_pools: dict[int, RunnerPool] = {}
_pools_lock = threading.Lock()


def pool_for(memory_limit: int, size: int = 1) -> RunnerPool:
    """The process-wide pool of children for a memory limit, grown to at least ``size`` children."""
    with _pools_lock:
        pool = _pools.get(memory_limit)
        if pool is None:
            pool = _pools[memory_limit] = RunnerPool(memory_limit, size)
        elif pool.size != size:
            pool.resize(size)
        return pool


def close_pools() -> None:
    """Stop every extraction child of this process (a benchmark's child waits for them to end)."""
    with _pools_lock:
        pools = list(_pools.values())
    for pool in pools:
        pool.close()


class EmbeddedExtractor(Extractor):
    """PDF (pypdf), HTML (lxml), plain text and Office/EPUB/ZIP text members, in a guarded child."""

    name = "embedded"

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        self.memory_limit = int(settings["EXTRACT_MEMORY_LIMIT"])
        self.in_flight = max(1, int(settings["EXTRACT_WORKERS"]))

    def _extract(self, path: Path, mime_type: str) -> ExtractionResult:
        with pool_for(self.memory_limit, self.in_flight).borrow() as runner:
            data = runner.run(path, mime_type, self.timeout)
        return ExtractionResult(**data)

    def describe(self) -> str:
        import pypdf

        return f"embedded pure-Python extraction (pypdf {pypdf.__version__}, lxml); no OCR"
