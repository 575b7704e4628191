"""Harvest health: the dashboard's rows, derived interrupted runs and resume, and the notice sent
(by e-mail to a local SMTP sink and to a local webhook) when a repository goes from ok to failing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hub.health.dashboard import network_health, summary
from hub.health.status import update_health
from hub.models import HarvestRun, Health, RepositoryStatus, utcnow
from hub.pipeline.harvest import harvest
from hub.states import RunKind, RunState
from tests.admin.sinks import smtp_sink, webhook_receiver


def add_run(hub, repo_id: int, state: RunState, days_ago: float = 0, worker: str = "elsewhere:1") -> int:
    with hub.db.session() as session:
        at = utcnow() - timedelta(days=days_ago)
        run = HarvestRun(repository_id=repo_id, kind=RunKind.INCREMENTAL, state=state, created_at=at,
                         started_at=at, heartbeat_at=at, finished_at=None if state == RunState.RUNNING else at,
                         checkpoint={"list": {"token": "t"}} if state != RunState.SUCCEEDED else {}, worker=worker)
        session.add(run)
        session.flush()
        return run.id


def test_dashboard_rows_flag_failing_and_silent(hub, network):
    with hub.db.session() as session:
        from hub.models import Repository

        session.get(Repository, network.xiling_repo).schedule = "1d"
        session.get(Repository, network.xiling_repo).created_at = utcnow() - timedelta(days=40)
    add_run(hub, network.donghai_repo, RunState.SUCCEEDED, days_ago=2)
    add_run(hub, network.donghai_repo, RunState.FAILED, days_ago=1)
    add_run(hub, network.xiling_repo, RunState.SUCCEEDED, days_ago=20)
    with hub.db.session() as session:
        rows = {r.repository_id: r for r in network_health(session, hub.settings)}
        only_xiling = network_health(session, hub.settings, {network.xiling})
    donghai, xiling = rows[network.donghai_repo], rows[network.xiling_repo]
    assert donghai.failing and not donghai.silent and donghai.error_rate == 0.5
    assert xiling.silent and not xiling.failing and xiling.next_run is not None
    assert xiling.next_run <= utcnow()  # a day after a run 20 days ago: overdue
    assert [r.repository_id for r in only_xiling] == [network.xiling_repo]
    assert summary(list(rows.values()))["failing"] == 1


def test_dashboard_page_renders_for_hub_staff(app, hub, network, signed_in):
    add_run(hub, network.donghai_repo, RunState.FAILED)
    page = signed_in("staff").get("/admin/").get_data(as_text=True)
    assert "Network health" in page and 'class="failing' in page


def test_dead_worker_run_shows_interrupted_and_resumes(app, hub, network, signed_in):
    run_id = add_run(hub, network.donghai_repo, RunState.RUNNING, days_ago=1, worker="gone-host:1")
    client = signed_in("dh-admin")
    progress = client.get(f"/admin/runs/{run_id}/progress.json").get_json()
    assert progress["state"] == "interrupted" and progress["resumable"]
    assert "Resume from checkpoint" in client.get(f"/admin/runs/{run_id}").get_data(as_text=True)


def test_notice_on_ok_to_failing_only(hub, network, site):
    with smtp_sink() as sink, webhook_receiver() as (hook_url, bodies):
        hub.configure(NOTIFY_ENABLED=True, SMTP_URL=f"smtp://127.0.0.1:{sink.port}", NOTIFY_WEBHOOK_URL=hook_url)
        summary = harvest(hub, network.donghai_repo).summary
        assert summary.state == RunState.SUCCEEDED
        with hub.db.session() as session:
            assert session.get(RepositoryStatus, network.donghai_repo).health == Health.OK
        assert not sink.messages and not bodies  # unknown -> ok sends nothing
        add_run(hub, network.donghai_repo, RunState.FAILED)
        with hub.db.session() as session:
            lines = update_health(session, hub.settings)
        assert any("ok -> failing" in line for line in lines)
        assert len(sink.messages) == 1 and len(bodies) == 1
        message = sink.messages[0]
        assert message["To"] == "ir@donghai.example"
        assert "Donghai IR" in message["Subject"]
        assert "处理建议" in message.get_content()
        assert bodies[0]["event"] == "repository.failing"
        assert bodies[0]["repository"]["id"] == network.donghai_repo
        # Still failing: no second notice.
        add_run(hub, network.donghai_repo, RunState.FAILED)
        with hub.db.session() as session:
            update_health(session, hub.settings)
            assert session.get(RepositoryStatus, network.donghai_repo).last_notice.startswith("e-mail sent")
        assert len(sink.messages) == 1 and len(bodies) == 1


def test_notices_off_by_default(hub, network):
    assert hub.settings["NOTIFY_ENABLED"] is False
    add_run(hub, network.donghai_repo, RunState.SUCCEEDED)
    with hub.db.session() as session:
        update_health(session, hub.settings)
    add_run(hub, network.donghai_repo, RunState.FAILED)
    with hub.db.session() as session:
        lines = update_health(session, hub.settings)
        status = session.scalar(select(RepositoryStatus).where(RepositoryStatus.repository_id == network.donghai_repo))
    assert lines == [f"repository {network.donghai_repo}: ok -> failing"]
    assert status.last_notice == "" and status.health == Health.FAILING


def test_a_held_sweep_stands_out_on_the_dashboard_and_its_run_page_warns(app, hub, network, signed_in):
    """A full harvest that found most records unlisted keeps them and says so where staff look."""
    from hub.models import ItemError
    from hub.states import NoticeKind, Stage

    run_id = add_run(hub, network.donghai_repo, RunState.SUCCEEDED)
    with hub.db.session() as session:
        session.add(RepositoryStatus(repository_id=network.donghai_repo, health=Health.OK, last_notice="",
                                     sweep_held=25, sweep_held_run_id=run_id))
        session.add(ItemError(run_id=run_id, repository_id=network.donghai_repo, stage=Stage.GATHER,
                              kind=NoticeKind.SWEEP_HELD, message="25 of 30 live records (83%) were not listed"))
    with hub.db.session() as session:
        rows = {r.repository_id: r for r in network_health(session, hub.settings)}
    assert rows[network.donghai_repo].stands_out and rows[network.donghai_repo].sweep_held == 25
    assert summary(list(rows.values()))["sweeps_held"] == 1
    client = signed_in("staff")
    page = client.get("/admin/").get_data(as_text=True)
    assert "deletions held" in page and "25\n        unlisted, deletion held" in page
    run_page = client.get(f"/admin/runs/{run_id}").get_data(as_text=True)
    assert 'class="warning"' in run_page and "25 of 30 live records (83%) were not listed" in run_page
