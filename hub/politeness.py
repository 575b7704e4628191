"""Per-repository politeness: no repository gets more than N requests at once.

With a Redis broker the limit holds across every worker process (a counting semaphore
in Redis with expiring leases, so a killed worker cannot hold a slot for ever); in
process it is a plain semaphore per repository.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

_local_semaphores: dict[int, threading.BoundedSemaphore] = {}
_local_lock = threading.Lock()
LEASE_SECONDS = 300


def _local(repository_id: int, limit: int) -> Callable[[], AbstractContextManager]:
    with _local_lock:
        sem = _local_semaphores.setdefault(repository_id, threading.BoundedSemaphore(limit))

    @contextmanager
    def slot() -> Iterator[None]:
        with sem:
            yield

    return slot


def _redis(url: str, repository_id: int, limit: int) -> Callable[[], AbstractContextManager]:
    import redis

    client = redis.Redis.from_url(url)
    key = f"chair:politeness:{repository_id}"

    @contextmanager
    def slot() -> Iterator[None]:
        token = uuid.uuid4().hex
        while True:
            now = time.time()
            pipe = client.pipeline()
            pipe.zremrangebyscore(key, 0, now - LEASE_SECONDS)  # leases of dead workers expire
            pipe.zadd(key, {token: now})
            pipe.zrank(key, token)
            pipe.expire(key, LEASE_SECONDS)
            _, _, rank, _ = pipe.execute()
            if rank is not None and rank < limit:
                break
            client.zrem(key, token)
            time.sleep(0.05)
        try:
            yield
        finally:
            client.zrem(key, token)

    return slot


def repository_limiter(settings: dict[str, Any], repository_id: int | None) -> Callable[[], AbstractContextManager] | None:
    """A factory of context managers, each holding one request slot of the repository."""
    if repository_id is None:
        return None
    limit = max(1, int(settings["REPOSITORY_CONCURRENCY"]))
    broker = settings.get("BROKER_URL", "")
    if broker.startswith(("redis://", "rediss://")):
        return _redis(broker, repository_id, limit)
    return _local(repository_id, limit)
