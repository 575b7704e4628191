"""``chair people relink|show``: link creators to researchers (a backfill), and show one researcher."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from hub.cli.common import UserError, emit_json, json_option, pass_hub, table

if TYPE_CHECKING:
    from hub.context import Hub


def register(cli: click.Group) -> None:
    @cli.group()
    def people() -> None:
        """Researchers: creators linked into people across members."""

    @people.command("relink")
    @click.option("--all", "everything", is_flag=True, help="Re-link the creators of every record of the hub.")
    @click.option("--repository", "repository_id", type=int, default=None,
                  help="Re-link one repository's records (and their neighbours).")
    @json_option
    @pass_hub
    def people_relink(hub: Hub, everything, repository_id, as_json):
        """Link creators to researchers, then refresh the showcase (harvests do both incrementally; run this
        once on a deployment upgraded from before researchers existed)."""
        from sqlalchemy import select

        from hub.models import Record, Repository
        from hub.people.linking import link_all
        from hub.people.researchers import drop_orphans
        from hub.pipeline.dispatch import follow, run_from
        from hub.pipeline.graph import PipelineStage
        from hub.pipeline.stages import relinked

        if everything == (repository_id is not None):
            raise UserError("give either --all or --repository ID")
        with hub.db.session() as session:
            query = select(Record.id).order_by(Record.id)
            if repository_id is not None:
                if session.get(Repository, repository_id) is None:
                    raise UserError(f"no repository {repository_id}")
                query = query.where(Record.repository_id == repository_id)
            ids = list(session.scalars(query))
        orphans = 0
        if everything:  # the whole hub at once: every block read once, not each chunk's neighbourhood
            with hub.db.session() as session:
                got = link_all(session, hub.settings.PEOPLE_BUCKET_CAP)
                orphans = drop_orphans(session)
            first = relinked(got, given=len(ids))
            reports = [first, *follow(hub, first)]
        else:
            reports = run_from(hub, PipelineStage.PEOPLE, ids)
        if as_json:
            return emit_json({"records": len(ids), "orphans_deleted": orphans,
                              "stages": [{"stage": r.stage.value, "given": r.given, "counts": dict(r.counts),
                                          "errors": dict(r.errors), "note": r.note} for r in reports]})
        for report in reports:
            click.echo(report.note if report.note and not report.errors else report.line())
        if orphans:
            click.echo(f"{orphans} researchers without authorships deleted")

    @people.command("show")
    @click.argument("researcher_id", type=int)
    @json_option
    @pass_hub
    def people_show(hub: Hub, researcher_id, as_json):
        """Show a researcher: names, members, ORCID, and each authorship with the evidence linking it."""
        from sqlalchemy import select

        from hub.models import Institution, Researcher
        from hub.people.researchers import authorships_of_researcher

        with hub.db.session() as session:
            row = session.get(Researcher, researcher_id)
            if row is None:
                raise UserError(f"no researcher {researcher_id}")
            slugs = dict(session.execute(select(Institution.id, Institution.slug)
                                         .where(Institution.id.in_(row.institutions or [-1]))).all())
            authorships = authorships_of_researcher(session, researcher_id)
            data: dict[str, Any] = {"id": row.id, "name": row.name, "name_zh": row.name_zh, "name_latin": row.name_latin,
                    "orcid": row.orcid, "members": [slugs.get(i, str(i)) for i in row.institutions or []],
                    "disciplines": row.disciplines or [], "records": row.records, "works": row.works,
                    "first_year": row.first_year, "last_year": row.last_year, "authorships": authorships}
        if as_json:
            return emit_json(data)
        names = " / ".join(dict.fromkeys(n for n in (data["name"], data["name_zh"], data["name_latin"]) if n))
        click.echo(f"researcher {data['id']}: {names}" + (f"  orcid:{data['orcid']}" if data["orcid"] else ""))
        years = f"{data['first_year']}-{data['last_year']}" if data["first_year"] else "-"
        click.echo(f"members: {', '.join(data['members']) or '-'}; disciplines: "
                   f"{', '.join(data['disciplines']) or '-'}; {data['records']} records, {data['works']} works, "
                   f"years {years}")
        rows = [[a["record_id"], a["member"], a["name"], a["orcid"] or "-", a["score"],
                 "; ".join(f"{e['with']} {'+'.join(e['evidence'])} ({e['score']})" for e in a["evidence"]) or "-"]
                for a in authorships]
        click.echo(table(rows, ["record", "member", "name", "orcid", "score", "evidence"]))
