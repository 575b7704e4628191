"""A harvest killed with SIGKILL resumes at its checkpoint; a dead worker's run is derived as interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from sqlalchemy import select

from hub.harvest.gather import harvest_repository
from hub.harvest.runs import reconcile_runs
from hub.models import HarvestRun, Record, utcnow
from hub.samples.server import make_app
from hub.states import RunKind, RunState
from tests.core.servers import serve_app
from tests.harvest.conftest import expected_identifiers, register, sample_repos, stored_identifiers


def slow(app, delay: float):
    """WSGI middleware: every OAI request takes ``delay`` seconds."""

    def wrapped(environ, start_response):
        time.sleep(delay)
        return app(environ, start_response)

    return wrapped


def test_sigkilled_harvest_resumes_without_loss_or_duplicates(hub, overrides, tmp_path):
    sample = sample_repos(records=1500)[0]
    app = make_app([sample])
    with serve_app(slow(app, 0.25)) as url:
        app.server_url = url.rstrip("/")
        repo_id = register(hub, app.server_url, sample)
        env = {**os.environ, "CHAIR_INSTANCE_PATH": str(tmp_path / "instance")}
        env.update({f"CHAIR_{k}": str(v) for k, v in overrides.items()})
        proc = subprocess.Popen([sys.executable, "-c", "from hub.cli import main; main()", "harvest", str(repo_id)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        pages = 0
        while time.monotonic() < deadline and pages < 3:
            time.sleep(0.1)
            with hub.db.session() as session:
                run = session.scalars(select(HarvestRun)).first()
                pages = run.pages if run else 0
        assert proc.poll() is None, proc.stdout.read().decode()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with hub.db.session() as session:
            killed = session.scalars(select(HarvestRun)).one()
            assert killed.state == RunState.RUNNING  # as the killed process left it
            pages_done = killed.pages
            stored = session.scalar(select(Record.id).order_by(Record.id.desc()).limit(1))
        assert 3 <= pages_done < 15 and stored

        summary = harvest_repository(hub.db, hub.pm, hub.settings, repo_id)
    assert summary.resumed, "the interrupted run is resumed, not restarted"
    assert summary.state == RunState.SUCCEEDED, summary.message
    assert summary.pages == 15
    assert summary.counts["seen"] == sample.records, "no page was read twice"
    assert stored_identifiers(hub, repo_id) == expected_identifiers(sample)
    with hub.db.session() as session:
        assert session.scalar(select(HarvestRun.id).where(HarvestRun.state != RunState.SUCCEEDED)) is None


def test_running_run_of_a_dead_process_is_interrupted_and_resumable(hub, site):
    repo_id = register(hub, site.url, site.repo("dspace"))
    with hub.db.session() as session:
        session.add(HarvestRun(repository_id=repo_id, kind=RunKind.FULL, state=RunState.RUNNING,
                               worker=f"{os.uname().nodename}:999999", started_at=utcnow(),
                               heartbeat_at=utcnow(), checkpoint={}))
        session.add(HarvestRun(repository_id=repo_id, kind=RunKind.FULL, state=RunState.RUNNING,
                               worker="another-host:1", started_at=utcnow() - timedelta(hours=2),
                               heartbeat_at=utcnow() - timedelta(hours=2), checkpoint={}))
    with hub.db.session() as session:
        assert reconcile_runs(session, hub.settings) == 2
        states = {r.state for r in session.scalars(select(HarvestRun))}
        messages = [r.message for r in session.scalars(select(HarvestRun))]
    assert states == {RunState.INTERRUPTED}
    assert all("stopped without finishing" in m for m in messages)


def test_a_live_run_blocks_a_second_harvest_of_the_same_repository(hub, site):
    repo_id = register(hub, site.url, site.repo("dspace"))
    with hub.db.session() as session:
        session.add(HarvestRun(repository_id=repo_id, kind=RunKind.FULL, state=RunState.RUNNING,
                               worker=f"{os.uname().nodename}:{os.getppid()}", heartbeat_at=utcnow(),
                               started_at=utcnow(), checkpoint={}))
    summary = harvest_repository(hub.db, hub.pm, hub.settings, repo_id)
    assert summary.run_id is None and "being harvested" in summary.message
