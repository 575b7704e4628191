"""``chair harvest`` and ``chair runs``: harvest repositories and read their run history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from sqlalchemy import select

from hub.cli.common import emit_json, json_option, pass_hub, table
from hub.cli.progress import StageProgress
from hub.harvest.runs import reconcile_runs
from hub.models import HarvestRun, ItemError, Repository
from hub.pipeline.report import format_seconds
from hub.states import RepositoryState

if TYPE_CHECKING:
    from hub.context import Hub


def records_line(repository_id: int, summary: Any, seconds: float) -> str:
    """The records stage's summary line of one repository's harvest."""
    c = summary.counts
    return (f"repository {repository_id}: {summary.state.value}" + (" (resumed)" if summary.resumed else "")
            + (f", {c.get('seen', 0)} seen, {c.get('new', 0)} new, {c.get('updated', 0)} updated, "
               f"{c.get('unchanged', 0)} unchanged, {c.get('deleted', 0)} deleted, "
               f"{c.get('failed', 0)} failed, {summary.pages} pages" if c else "")
            + f" in {format_seconds(seconds)}"
            + (f", {summary.errors} errors (chair runs {repository_id})" if summary.errors else ""))


def run_time(seconds: float | None) -> str:
    """A run's duration from its stored start and end (kept to the microsecond), as a person reads it."""
    if seconds is None:
        return ""
    return format_seconds(seconds)


def register(cli: click.Group) -> None:
    @cli.command()
    @click.argument("repository_ids", nargs=-1, type=int)
    @click.option("--all", "all_repos", is_flag=True, help="Every active repository.")
    @click.option("--full", is_flag=True, help="Full re-harvest instead of incremental.")
    @click.option("--confirm-deletions", is_flag=True,
                  help="With --full: tombstone the records the source no longer lists even when they are more "
                       "than HARVEST_SWEEP_MAX_SHARE of the repository (after a held sweep).")
    @json_option
    @pass_hub
    def harvest(hub: Hub, repository_ids, all_repos, full, confirm_deletions, as_json):
        """Harvest repositories (resuming unfinished runs), then their files, extraction, works and index;
        exits 1 when one fails."""
        from hub.pipeline.harvest import harvest as run_harvest

        if not repository_ids and not all_repos:
            raise click.UsageError("name repository ids or use --all")
        if confirm_deletions and not full:
            raise click.UsageError("--confirm-deletions goes with --full (only a full harvest sees what is gone)")
        if all_repos:
            with hub.db.session() as session:
                repository_ids = tuple(session.scalars(select(Repository.id).where(
                    Repository.state == RepositoryState.ACTIVE).order_by(Repository.id)))
        summaries = []
        for repo_id in repository_ids:
            shown = StageProgress(repo_id, quiet=as_json)
            outcome = run_harvest(hub, repo_id, full, confirm_deletions=confirm_deletions,
                                  pages=shown.pages, progress=shown.stage)
            shown.end_records()
            summary = outcome.summary
            summaries.append(summary)
            if not as_json:
                click.echo(records_line(repo_id, summary, outcome.records.duration))
                if summary.warnings:
                    for warning in summary.warnings:
                        click.echo(f"  warning: {warning}", err=True)
                elif summary.message:
                    click.echo(f"  {summary.message}")
                for line in outcome.lines():
                    click.echo(f"  {line}")
        if as_json:
            emit_json([s.to_dict() for s in summaries])
        if any(not s.state.finished for s in summaries):
            raise SystemExit(1)

    @cli.command()
    @click.argument("repository_id", type=int, required=False)
    @click.option("--limit", default=20, show_default=True)
    @click.option("--errors", "show_errors", is_flag=True, help="List each run's item errors.")
    @json_option
    @pass_hub
    def runs(hub: Hub, repository_id, limit, show_errors, as_json):
        """Harvest runs, newest first (of one repository when REPOSITORY_ID is given)."""
        with hub.db.session() as session:
            reconcile_runs(session, hub.settings, repository_id)
            query = select(HarvestRun).order_by(HarvestRun.id.desc()).limit(limit)
            if repository_id is not None:
                query = query.where(HarvestRun.repository_id == repository_id)
            rows = []
            for run in session.scalars(query):
                row: dict[str, Any] = {"id": run.id, "repository": run.repository_id, "kind": run.kind.value,
                       "state": run.state.value, **run.counts(), "pages": run.pages,
                       "from": run.from_date, "started": run.started_at, "finished": run.finished_at,
                       "duration": run.duration, "message": run.message}
                if show_errors or as_json:
                    row["errors"] = [{"stage": e.stage.value, "kind": e.kind, "identifier": e.source_identifier,
                                      "message": e.message}
                                     for e in session.scalars(select(ItemError).where(ItemError.run_id == run.id)
                                                              .order_by(ItemError.id).limit(100))]
                rows.append(row)
        if as_json:
            return emit_json(rows)
        click.echo(table([[r["id"], r["repository"], r["kind"], r["state"], r["seen"], r["new"], r["updated"],
                           r["deleted"], r["failed"], run_time(r["duration"]),
                           r["message"][:60]] for r in rows],
                         ["run", "repo", "kind", "state", "seen", "new", "upd", "del", "failed", "time", "message"]))
        if show_errors:
            for r in rows:
                for e in r["errors"]:
                    click.echo(f"run {r['id']} [{e['stage']}/{e['kind']}] {e['identifier']}: {e['message']}")

