"""``chair works group|show|split|join`` and ``chair quality report``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from hub.cli.common import UserError, emit_json, json_option, pass_hub, table

if TYPE_CHECKING:
    from hub.context import Hub


def register(cli: click.Group) -> None:
    @cli.group()
    def works() -> None:
        """Works: copies and versions of one work across members."""

    @works.command("group")
    @click.option("--all", "group_everything", is_flag=True, help="Regroup every record of the hub.")
    @click.option("--repo", "repository_id", type=int, default=None, help="Regroup one repository's records "
                  "(and their neighbours).")
    @json_option
    @pass_hub
    def works_group(hub: Hub, group_everything, repository_id, as_json):
        """Group records into works (incremental regrouping runs after every harvest)."""
        from hub.works.grouping import group_all

        if group_everything == (repository_id is not None):
            raise UserError("give either --all or --repo ID")
        cap = hub.settings.WORKS_BUCKET_CAP
        with hub.db.session() as session:
            report = group_all(session, cap, repository_id=repository_id)
        data = {k: v for k, v in report.__dict__.items() if k != "groups"}
        emit_json(data) if as_json else click.echo(report.line())

    @works.command("show")
    @click.argument("work_id", type=int)
    @click.option("--record", "by_record", is_flag=True, help="WORK_ID is a record id: show that record's work.")
    @json_option
    @pass_hub
    def works_show(hub: Hub, work_id, by_record, as_json):
        """Show a work, its copies and the evidence linking them."""
        from hub.works.api import get_work, work_of

        with hub.db.session() as session:
            view = work_of(session, work_id) if by_record else get_work(session, work_id)
        if view is None:
            raise UserError(f"no {'record' if by_record else 'work'} {work_id} in a work")
        if as_json:
            return emit_json({"work_id": view.work_id, "title": view.title, "doi": view.doi,
                              "copies": [c.__dict__ for c in view.copies]})
        click.echo(f"work {view.work_id}: {view.title}" + (f"  doi:{view.doi}" if view.doi else ""))
        rows = [[c.record_id, c.institution_slug, c.version or "-", c.doi or "-", "yes" if c.has_fulltext else "no",
                 "; ".join(f"{e['record']}:{'+'.join(e['evidence'])}({e['score']})" for e in c.evidence) or "-"]
                for c in view.copies]
        click.echo(table(rows, ["record", "member", "version", "doi", "full text", "evidence"]))

    @works.command("split")
    @click.argument("work_id", type=int)
    @click.argument("record_ids", type=int, nargs=-1, required=True)
    @click.option("--note", default="", help="Why (kept with the decision).")
    @pass_hub
    def works_split(hub: Hub, work_id, record_ids, note):
        """Take RECORD_IDS out of WORK_ID for good (kept across re-harvests)."""
        from hub.pipeline.dispatch import follow
        from hub.pipeline.stages import regrouped
        from hub.works.decisions import DecisionError, split

        try:
            with hub.db.session() as session:
                report = split(session, work_id, list(record_ids), note=note)
        except DecisionError as exc:
            raise UserError(str(exc)) from exc
        click.echo(f"split: records {' '.join(map(str, record_ids))} now in work "
                   f"{report.groups.get(record_ids[0])}")
        for line in follow(hub, regrouped(report)):
            click.echo(line.line())

    @works.command("join")
    @click.argument("work_a", type=int)
    @click.argument("work_b", type=int)
    @click.option("--note", default="", help="Why (kept with the decision).")
    @pass_hub
    def works_join(hub: Hub, work_a, work_b, note):
        """Make WORK_A and WORK_B one work for good (kept across re-harvests)."""
        from hub.pipeline.dispatch import follow
        from hub.pipeline.stages import regrouped
        from hub.works.decisions import DecisionError, join

        try:
            with hub.db.session() as session:
                report = join(session, work_a, work_b, note=note)
        except DecisionError as exc:
            raise UserError(str(exc)) from exc
        click.echo(f"joined: work {sorted(set(report.groups.values()))[0]}")
        for line in follow(hub, regrouped(report)):
            click.echo(line.line())

    @cli.group()
    def quality() -> None:
        """Metadata quality reports fed back to members."""

    @quality.command("report")
    @click.argument("repository_id", type=int)
    @click.option("--json", "as_json", is_flag=True, help="The full report as JSON.")
    @click.option("--csv", "as_csv", is_flag=True, help="One row per finding or suggestion, as CSV.")
    @pass_hub
    def quality_report(hub: Hub, repository_id, as_json, as_csv):
        """Completeness, invalid values, OpenAIRE requirements and suggestions of a repository."""
        from hub.quality.report import build_report, to_csv

        try:
            with hub.db.session() as session:
                report = build_report(session, repository_id)
        except LookupError as exc:
            raise UserError(str(exc)) from exc
        if as_json:
            return click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
        if as_csv:
            return click.echo(to_csv(report), nl=False)
        data = report.to_dict()
        click.echo(f"repository {repository_id} ({report.repository_name}): {report.records} records, "
                   f"{report.openaire_failing} missing what OpenAIRE requires")
        click.echo(table([[f["field"], f["present"], f"{f['completeness']:.0%}", f["invalid"],
                           "yes" if f["openaire_required"] else ""] for f in data["fields"]],
                         ["field", "filled", "complete", "invalid", "OpenAIRE"]))
        suggested = sum(len(i.suggestions) for i in report.items)
        click.echo(f"{len(report.items)} records concerned, {suggested} suggestions from other members' copies")
