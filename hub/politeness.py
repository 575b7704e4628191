"""Per-repository politeness: no repository gets more than N requests at once.

With a Redis broker the limit holds across every worker process: a counting semaphore
in Redis whose slots are leases, renewed every few seconds while a request is in flight,
so a worker killed with SIGKILL frees its slot within ``LEASE_SECONDS``. In process it
is a plain semaphore per repository.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any

_local_semaphores: dict[int, threading.BoundedSemaphore] = {}
_local_lock = threading.Lock()
LEASE_SECONDS = 20


def _local(repository_id: int, limit: int) -> Callable[[], AbstractContextManager]:
    with _local_lock:
        sem = _local_semaphores.setdefault(repository_id, threading.BoundedSemaphore(limit))

    @contextmanager
    def slot() -> Iterator[None]:
        with sem:
            yield

    return slot


# Atomically: drop expired leases, and take a slot if fewer than the limit are held.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0
"""


def _redis(url: str, repository_id: int, limit: int) -> Callable[[], AbstractContextManager]:
    import redis

    client = redis.Redis.from_url(url)
    acquire = client.register_script(_ACQUIRE)
    key = f"chair:politeness:{repository_id}"

    @contextmanager
    def slot() -> Iterator[None]:
        token = uuid.uuid4().hex
        while not acquire(keys=[key], args=[time.time(), limit, time.time() + LEASE_SECONDS, token,
                                            LEASE_SECONDS * 2]):
            time.sleep(0.05)
        stop = threading.Event()

        def renew() -> None:  # the lease's expiry moves on while the request runs
            while not stop.wait(LEASE_SECONDS / 4):
                client.zadd(key, {token: time.time() + LEASE_SECONDS}, xx=True)

        renewer = threading.Thread(target=renew, name="chair-politeness-lease", daemon=True)
        renewer.start()
        try:
            yield
        finally:
            stop.set()
            client.zrem(key, token)

    return slot


def repository_limiter(settings: Mapping[str, Any], repository_id: int | None) -> Callable[[], AbstractContextManager] | None:
    """A factory of context managers, each holding one request slot of the repository."""
    if repository_id is None:
        return None
    limit = max(1, int(settings["REPOSITORY_CONCURRENCY"]))
    broker = str(settings["BROKER_URL"])
    if broker.startswith(("redis://", "rediss://")):
        return _redis(broker, repository_id, limit)
    return _local(repository_id, limit)
