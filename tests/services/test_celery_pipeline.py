"""The pipeline on Celery for real: a harvest queued on Redis runs its follow-up stages as their own tasks
(files, extract, works, index) in a worker listening on every queue, into PostgreSQL."""

from __future__ import annotations

import os
import signal
import time

from sqlalchemy import func, select

from hub.models import Authorship, Record, RecordFacts, StoredFile, WorkMember
from hub.pipeline.index import check_index
from hub.samples.catalog import demo_repositories
from hub.samples.server import serve
from hub.states import FulltextState
from hub.tasks import make_celery
from tests.harvest.conftest import register
from tests.services.test_celery_workers import broker_url, pg_hub, start_worker  # noqa: F401 - fixtures

QUEUES = "harvest,files,extract,index"


def test_a_queued_harvest_runs_every_stage_as_its_own_task(pg_hub, broker_url, tmp_path):  # noqa: F811
    repos = [r for r in demo_repositories(40) if r.slug in ("donghai", "nanhu")]
    server, _thread, url = serve(repos)
    worker = start_worker("all", pg_hub, broker_url, tmp_path, queues=QUEUES)
    try:
        ids = [register(pg_hub, url, repo) for repo in repos]
        producer = make_celery({"BROKER_URL": broker_url})
        for repo_id in ids:
            producer.send_task("hub.tasks.harvest", args=(repo_id, False))
        deadline = time.monotonic() + 240
        done = False
        while not done and time.monotonic() < deadline:
            time.sleep(1)
            with pg_hub.db.session() as session:
                records = session.scalar(select(func.count()).select_from(Record))
                extracted = session.scalar(select(func.count()).select_from(Record).where(
                    Record.fulltext_state == FulltextState.EXTRACTED))
                grouped = session.scalar(select(func.count()).select_from(WorkMember))
                linked = session.scalar(select(func.count()).where(Authorship.researcher_id.is_not(None)))
                facts = session.scalar(select(func.count()).select_from(RecordFacts))
            drift = check_index(pg_hub)
            done = (records == sum(r.records for r in repos) and extracted > 0 and grouped > 0 and drift.ok
                    and linked > 0 and facts > 0)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        server.shutdown()
        server.server_close()
    log = (tmp_path / "all.log").read_text()
    assert done, (f"records {records}, extracted {extracted}, grouped {grouped}, index {drift.to_dict(5)}, "
                  f"authorships linked {linked}, facts {facts}\n" + log[-3000:])
    for task in ("hub.tasks.harvest", "hub.tasks.files", "hub.tasks.extract", "hub.tasks.works", "hub.tasks.index",
                 "hub.tasks.people", "hub.tasks.showcase"):
        assert f"Task {task}[" in log, f"{task} never ran in the worker\n" + log[-3000:]
    with pg_hub.db.session() as session:
        assert session.scalar(select(func.count()).select_from(StoredFile)) > 0
