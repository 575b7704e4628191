"""A harvest started with a personal API token on a hub with a task queue (issue 17 item 6): the API answers
202 with the Celery task's id, and a real worker (Redis, PostgreSQL from scripts/services) runs that very
task. Without those services the test is skipped (the embedded-defaults answer is in test_api_tokens.py)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from hub.context import Hub
from hub.models import HarvestRun
from tests.conftest import fresh_pg_database
from tests.sso.test_api_tokens import bearer, make_token, members, site  # noqa: F401 - fixtures

PG_URL = os.environ.get("CHAIR_TEST_DATABASE_URL", "")
BROKER = os.environ.get("CHAIR_TEST_BROKER_URL", "")
BROKER_DB = 12  # a Redis database of its own (tests/services use 7), emptied before and after

MISSING = not (PG_URL and BROKER)
# Skipped only in the embedded-defaults pass (CHAIR_TEST_NO_SERVICES); anywhere else a missing service fails.
pytestmark = [pytest.mark.services,
              pytest.mark.skipif(MISSING and bool(os.environ.get("CHAIR_TEST_NO_SERVICES")),
                                 reason="needs PostgreSQL and Redis; CHAIR_TEST_NO_SERVICES run")]


@pytest.fixture(autouse=True)
def _services_present() -> None:
    """Outside the embedded-defaults pass the real services must be there (never a silent skip)."""
    if MISSING:
        pytest.fail("needs CHAIR_TEST_DATABASE_URL and CHAIR_TEST_BROKER_URL: scripts/test starts the services "
                    '(or scripts/services up postgres redis && eval "$(scripts/services env)")')


@pytest.fixture
def broker() -> Iterator[str]:
    import redis

    url = BROKER.rsplit("/", 1)[0] + f"/{BROKER_DB}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()


@pytest.fixture
def hub(pg_template, broker, tmp_path) -> Iterator[Hub]:
    """A hub on PostgreSQL whose faces queue their work on Redis."""
    url, drop = fresh_pg_database(pg_template)
    made = Hub.create(overrides={"DATABASE_URL": url, "BROKER_URL": broker, "ALLOW_PRIVATE_ADDRESSES": True,
                                 "SECRET_KEY": "test-secret", "SEARCH_URL": f"sqlite:///{tmp_path / 'search.db'}",
                                 "STORAGE_URL": f"file://{tmp_path / 'objects'}", "TIKA_URL": ""},
                      instance_path=tmp_path)
    yield made
    made.db.dispose()
    drop()


def test_a_queued_harvest_answers_with_its_task_id_and_the_worker_runs_it(hub, client, members, broker,  # noqa: F811
                                                                         tmp_path):
    from tests.services.test_celery_workers import start_worker

    secret = make_token(hub)
    response = client.post(f"/api/v1/repositories/{members.donghai_repo}/harvest", headers=bearer(secret))
    assert response.status_code == 202, response.get_data(as_text=True)
    body = response.get_json()
    assert body["queued"] is True and body["job"] and body["message"] == f"queued as task {body['job']}"
    worker = start_worker("tokens", hub, broker, tmp_path, queues="harvest")
    try:
        deadline, run = time.monotonic() + 180, None
        while time.monotonic() < deadline:
            with hub.db.session() as session:
                run = session.scalar(select(HarvestRun).where(HarvestRun.repository_id == members.donghai_repo,
                                                              HarvestRun.finished_at.is_not(None)))
                if run is not None and f"hub.tasks.harvest[{body['job']}] succeeded" in \
                        (tmp_path / "tokens.log").read_text():
                    break
            time.sleep(1)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    log = (tmp_path / "tokens.log").read_text()
    assert run is not None and run.state.finished, log[-3000:]
    assert f"hub.tasks.harvest[{body['job']}] succeeded" in log, log[-3000:]
