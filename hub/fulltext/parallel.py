"""The files stage across repositories at once, each repository kept to its politeness limit.

:func:`fetch_records` splits the records by repository and gives each repository its own
*lanes*: threads that take the repository's records one after another, each lane with its own
HTTP client (one connection, reused from file to file). A repository gets
``REPOSITORY_CONCURRENCY`` lanes (the limit of requests in flight to it, which its shared limiter
enforces anyway), or a single lane when ``HARVEST_REQUEST_DELAY`` asks for a pause between its
requests (the pause is kept per client, so one lane keeps it for the whole repository). At most
``FILES_WORKERS`` lanes run at once in the process; lanes are started repository by repository in
turn, so that with more repositories than workers each one still gets a lane before any gets two.

A lane takes its repository's records ``BATCH`` at a time through
:func:`hub.fulltext.batch.fetch_batch` (what :func:`hub.fulltext.pipeline.process_record_files`
does for one record, in two transactions per batch; never raising for a bad file). An unexpected
error (the database away) stops its lane and is raised once every lane has ended, as the
one-by-one loop raised it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hub.models import Record

if TYPE_CHECKING:
    from hub.context import Hub

BATCH = 10  # records a lane takes at once: two transactions per batch (hub.fulltext.batch)


@dataclass
class Lane:
    """One thread's share of a repository's records (the queue is shared by the repository's lanes)."""

    repository_id: int
    queue: deque[int]
    lanes: int = 1  # how many lanes share the queue

    def take(self) -> list[int]:
        """The next batch: up to BATCH records, fewer so that the repository's other lanes get some too."""
        size = max(1, min(BATCH, len(self.queue) // self.lanes))
        return [self.queue.popleft() for _ in range(min(size, len(self.queue)))]


def lanes_per_repository(settings: Any) -> int:
    """How many records of one repository are worked on at once (see the module doc)."""
    if float(settings.get("HARVEST_REQUEST_DELAY") or 0.0) > 0:
        return 1
    return max(1, int(settings.get("REPOSITORY_CONCURRENCY") or 1))


def plan_lanes(by_repository: dict[int, list[int]], per_repository: int) -> list[Lane]:
    """The lanes to run, in the order they start: every repository's first lane, then the second ones..."""
    queues = {repo: deque(ids) for repo, ids in by_repository.items() if ids}
    shares = {repo: min(per_repository, len(queue)) for repo, queue in queues.items()}
    rounds = [[Lane(repo, queue, shares[repo]) for repo, queue in queues.items() if shares[repo] > number]
              for number in range(per_repository)]
    return [lane for lanes in rounds for lane in lanes]


def repositories_of(hub: Hub, record_ids: Sequence[int]) -> dict[int, list[int]]:
    """repository id -> its records among ``record_ids`` (in the given order); unknown ids are left out."""
    ids = list(dict.fromkeys(record_ids))
    owner: dict[int, int] = {}
    with hub.db.session() as session:
        for start in range(0, len(ids), 500):
            owner.update((record_id, repository_id) for record_id, repository_id in session.execute(
                select(Record.id, Record.repository_id).where(Record.id.in_(ids[start:start + 500]))))
    grouped: dict[int, list[int]] = {}
    for record_id in ids:
        if record_id in owner:
            grouped.setdefault(owner[record_id], []).append(record_id)
    return grouped


def fetch_records(hub: Hub, record_ids: Sequence[int], *, retry_failed: bool = False, recheck: bool = True):
    """The files stage for these records, repositories in parallel; one merged
    :class:`~hub.fulltext.pipeline.FilesReport`."""
    from hub.fulltext.batch import fetch_batch
    from hub.fulltext.pipeline import FilesReport

    report = FilesReport()
    lanes = plan_lanes(repositories_of(hub, record_ids), lanes_per_repository(hub.settings))
    if not lanes:
        return report
    workers = min(len(lanes), max(1, int(hub.settings.get("FILES_WORKERS") or 1)))
    lock = threading.Lock()

    def run(lane: Lane) -> None:
        got = FilesReport()
        http = hub.http(lane.repository_id)
        try:
            while True:
                with lock:
                    if not lane.queue:
                        break
                    batch = lane.take()
                got.merge(fetch_batch(hub, batch, http, retry_failed=retry_failed, recheck=recheck))
        finally:
            http.close()
            with lock:
                report.merge(got)

    if workers == 1:
        for lane in lanes:
            run(lane)
        return report
    with ThreadPoolExecutor(workers, thread_name_prefix="chair-files") as pool:
        for future in [pool.submit(run, lane) for lane in lanes]:
            future.result()
    return report

