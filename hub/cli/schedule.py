"""``chair beat``, ``chair schedule list|tick`` and ``chair completeness``: scheduled harvesting."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from hub.cli.common import emit_json, get_hub, json_option, pass_hub, table

if TYPE_CHECKING:
    from hub.context import Hub


def register(cli: click.Group) -> None:
    @cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    @click.pass_context
    def beat(ctx):
        """Run Celery beat: every minute the workers queue the repositories that are due."""
        from hub.scheduling.beat import run_beat

        hub = get_hub(ctx)
        if not hub.settings.get("BROKER_URL"):
            raise click.ClickException("CHAIR_BROKER_URL is not set: without a broker, set CHAIR_SCHEDULER_ENABLED=1 "
                                       "and chair serve runs the scheduler in-process")
        run_beat(hub.settings, list(ctx.args))

    @cli.group()
    def schedule() -> None:
        """Harvest schedules."""

    @schedule.command("list")
    @json_option
    @pass_hub
    def schedule_list(hub: Hub, as_json):
        """Every scheduled repository and when it runs next (UTC)."""
        from hub.models import Repository, utcnow
        from hub.scheduling.runner import previous_start
        from hub.scheduling.schedule import next_run

        now = utcnow()
        with hub.db.session() as session:
            rows = []
            for repo in session.scalars(select(Repository).where(Repository.schedule != "").order_by(Repository.id)):
                when = next_run(repo.schedule, previous_start(session, repo), now)
                rows.append({"id": repo.id, "schedule": repo.schedule, "state": repo.state.value,
                             "next_run": when.isoformat() if when else "invalid schedule"})
        if as_json:
            return emit_json(rows)
        click.echo(table([[r["id"], r["schedule"], r["state"], r["next_run"]] for r in rows],
                         ["id", "schedule", "state", "next run"]))

    @schedule.command("tick")
    @pass_hub
    def schedule_tick(hub: Hub):
        """Run one scheduler tick now (harvest what is due, update health, notify)."""
        from hub.scheduling.runner import tick

        for line in tick(hub):
            click.echo(line)

    @cli.command()
    @click.argument("repository_id", type=int)
    @click.option("--repair", is_flag=True, help="Fetch the missing and stale records with GetRecord and "
                                                  "tombstone the records the source no longer lists.")
    @click.option("--confirm-deletions", is_flag=True, help="With --repair: tombstone them even when they are more "
                                                            "than HARVEST_SWEEP_MAX_SHARE of the repository.")
    @json_option
    @pass_hub
    def completeness(hub: Hub, repository_id, repair, confirm_deletions, as_json):
        """Compare a source's identifiers with the hub's records (missing, stale, extra)."""
        from hub.health.completeness import check_completeness, repair_with_getrecord
        from hub.models import CompletenessReport

        report_id = check_completeness(hub, repository_id)
        with hub.db.session() as session:
            report = session.get(CompletenessReport, report_id)
            data = {"report": report.id, "source": report.source_count, "hub": report.hub_count,
                    "missing": len(report.missing), "stale": len(report.stale), "extra": len(report.extra),
                    "error": report.error}
        if repair and not data["error"]:
            result = repair_with_getrecord(hub, report_id, confirm_deletions=confirm_deletions)
            data["repair"] = {k: v for k, v in result.items() if k != "changed_ids"}
            if result.get("changed_ids"):
                from hub.pipeline.dispatch import submit

                submit(hub, "after_run", repository_id, result["run_id"], list(result["changed_ids"]), wait=True)
        if as_json:
            return emit_json(data)
        click.echo(" ".join(f"{k}={v}" for k, v in data.items() if v != ""))
