"""Celery for real: two worker processes on Redis harvest four repositories into PostgreSQL.

One worker is killed with SIGKILL mid-harvest; its task comes back after the visibility
timeout, the other worker resumes the interrupted run from its checkpoint, and every
record ends up stored exactly once with every run in a correct final state.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict

import pytest
import redis
from sqlalchemy import func, select

from hub.context import Hub
from hub.http import HttpClient
from hub.models import HarvestRun, Record
from hub.politeness import repository_limiter
from hub.samples.catalog import demo_repositories
from hub.samples.server import make_app
from hub.states import RunState
from hub.tasks import make_celery
from tests.conftest import fresh_pg_database
from tests.core.servers import serve_app
from tests.harvest.conftest import expected_identifiers, register, stored_identifiers

pytestmark = pytest.mark.services

BROKER = os.environ.get("CHAIR_TEST_BROKER_URL", "")


class Tracker:
    """WSGI middleware: slows every request and records the most requests in flight per repository."""

    def __init__(self, app, delay: float) -> None:
        self.app, self.delay = app, delay
        self.lock = threading.Lock()
        self.active: dict[str, int] = defaultdict(int)
        self.peak: dict[str, int] = defaultdict(int)

    def __call__(self, environ, start_response):
        slug = environ["PATH_INFO"].strip("/").split("/")[0]
        with self.lock:
            self.active[slug] += 1
            self.peak[slug] = max(self.peak[slug], self.active[slug])
        try:
            time.sleep(self.delay)
            return list(self.app(environ, start_response))
        finally:
            with self.lock:
                self.active[slug] -= 1


@pytest.fixture
def broker_url():
    url = BROKER.rsplit("/", 1)[0] + "/7"  # a database of its own, emptied before and after
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()


@pytest.fixture
def pg_hub(pg_template, tmp_path):
    url, drop = fresh_pg_database(pg_template)
    hub = Hub.create(overrides={"DATABASE_URL": url, "ALLOW_PRIVATE_ADDRESSES": True, "SEARCH_URL":
                                f"sqlite:///{tmp_path / 'search.db'}", "STORAGE_URL": f"file://{tmp_path / 'o'}"},
                     instance_path=tmp_path)
    yield hub
    hub.db.dispose()
    drop()


def start_worker(name: str, hub: Hub, broker: str, tmp_path, queues: str = "harvest") -> subprocess.Popen:
    env = {**os.environ, "CHAIR_DATABASE_URL": hub.settings["DATABASE_URL"], "CHAIR_BROKER_URL": broker,
           "CHAIR_ALLOW_PRIVATE_ADDRESSES": "1", "CHAIR_BROKER_VISIBILITY_TIMEOUT": "6",
           "CHAIR_SECRET_KEY": "worker-test-key",
           "CHAIR_REPOSITORY_CONCURRENCY": "1", "CHAIR_INSTANCE_PATH": str(tmp_path),
           "CHAIR_SEARCH_URL": hub.settings["SEARCH_URL"], "CHAIR_STORAGE_URL": hub.settings["STORAGE_URL"]}
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-c", "from hub.cli import main; main()", "worker", "--concurrency", "1",
         "--queues", queues, "-n", f"{name}@%h"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def test_two_workers_one_killed_every_record_exactly_once(pg_hub, broker_url, tmp_path):
    repos = demo_repositories(600)[:4]
    for repo in repos:
        repo.duplicates_of = None
    app = make_app(repos)
    tracker = Tracker(app, delay=0.15)
    workers = []
    with serve_app(tracker) as url:
        app.server_url = url.rstrip("/")
        ids = [register(pg_hub, app.server_url, repo) for repo in repos]
        workers = [start_worker(name, pg_hub, broker_url, tmp_path) for name in ("w1", "w2")]
        producer = make_celery({"BROKER_URL": broker_url})
        for repo_id in ids:
            producer.send_task("hub.tasks.harvest", args=(repo_id, False))

        victim = None
        deadline = time.monotonic() + 120
        while victim is None and time.monotonic() < deadline:
            time.sleep(0.2)
            with pg_hub.db.session() as session:
                for run in session.scalars(select(HarvestRun).where(HarvestRun.state == RunState.RUNNING,
                                                                    HarvestRun.pages >= 2)):
                    victim = run
        assert victim is not None, "no harvest got going: " + (tmp_path / "w1.log").read_text()[-2000:]
        # Kill the worker whose pool process runs the victim's harvest: its whole process group.
        pid = int(victim.worker.rsplit(":", 1)[1])
        killed = next(w for w in workers if os.getpgid(pid) == w.pid)
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait()

        deadline = time.monotonic() + 240
        done = False
        while not done and time.monotonic() < deadline:
            time.sleep(0.5)
            with pg_hub.db.session() as session:
                latest = {repo_id: session.scalars(select(HarvestRun).where(HarvestRun.repository_id == repo_id)
                                                   .order_by(HarvestRun.id.desc()).limit(1)).first()
                          for repo_id in ids}
                done = all(run is not None and run.state == RunState.SUCCEEDED for run in latest.values())
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=30)

    logs = "".join((tmp_path / f"{n}.log").read_text()[-3000:] for n in ("w1", "w2"))
    with pg_hub.db.session() as session:
        runs = [(r.id, r.repository_id, r.state.value, r.pages, r.seen, r.worker, r.message)
                for r in session.scalars(select(HarvestRun).order_by(HarvestRun.id))]
    assert done, f"harvests did not all finish: runs {runs}\n" + logs
    with pg_hub.db.session() as session:
        resumed = session.get(HarvestRun, victim.id)
        assert resumed.state == RunState.SUCCEEDED
        assert resumed.seen >= repos[0].records, "the interrupted run was resumed to the end"
        states = set(session.scalars(select(HarvestRun.state)))
        total = session.scalar(select(func.count()).select_from(Record))
    assert states <= {RunState.SUCCEEDED}
    for repo_id, repo in zip(ids, repos, strict=True):
        assert stored_identifiers(pg_hub, repo_id) == expected_identifiers(repo)
    assert total == sum(repo.records for repo in repos)
    assert max(tracker.peak.values()) <= 1, f"politeness limit broken: {dict(tracker.peak)}"


def test_redis_limiter_bounds_requests_per_repository_across_clients(tmp_path, broker_url):
    """Six clients (as if in six workers) share one repository's limit of two requests in flight."""
    settings = {"BROKER_URL": broker_url, "REPOSITORY_CONCURRENCY": 2, "ALLOW_PRIVATE_ADDRESSES": True,
                "USER_AGENT": "test", "HTTP_CONNECT_TIMEOUT": 5.0, "HTTP_READ_TIMEOUT": 10.0, "HTTP_MAX_RETRIES": 0,
                "HTTP_BACKOFF_BASE": 0.01, "HTTP_BACKOFF_MAX": 0.01, "HTTP_MAX_RETRY_AFTER": 1.0,
                "HARVEST_MAX_PAGE_BYTES": 10_000, "HARVEST_REQUEST_DELAY": 0.0}

    def ok(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    tracker = Tracker(ok, delay=0.1)
    with serve_app(tracker) as url:
        def fetch() -> None:
            client = HttpClient(settings, limiter=repository_limiter(settings, 42))
            for _ in range(4):
                client.get(url + "repo42/x")

        threads = [threading.Thread(target=fetch) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert tracker.peak["repo42"] == 2
