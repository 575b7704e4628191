"""``chair member`` and ``chair repo``: register members and repositories, check them, pause them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from hub.cli.common import emit_json, json_option, pass_hub, table
from hub.members import add_institution, get_repository, record_counts, set_state
from hub.models import Institution, Repository
from hub.states import RepositoryState

if TYPE_CHECKING:
    from hub.context import Hub


def register(cli: click.Group) -> None:
    @cli.group()
    def member() -> None:
        """Member institutions."""

    @member.command("add")
    @click.argument("slug")
    @click.option("--name-en", default="", help="Name in English.")
    @click.option("--name-zh", default="", help="Name in Chinese.")
    @click.option("--region", default="", help="Province or region.")
    @click.option("--website", default="")
    @click.option("--email", "contact_email", default="", help="Contact e-mail for harvest notices.")
    @json_option
    @pass_hub
    def member_add(hub: Hub, slug, name_en, name_zh, region, website, contact_email, as_json):
        """Register a member institution."""
        with hub.db.session() as session:
            inst = add_institution(session, slug, name_en, name_zh, region, website, contact_email)
            data = {"id": inst.id, "slug": inst.slug}
        emit_json(data) if as_json else click.echo(f"member {slug} added (id {data['id']})")

    @member.command("list")
    @json_option
    @pass_hub
    def member_list(hub: Hub, as_json):
        """List member institutions."""
        with hub.db.session() as session:
            rows = [{"id": i.id, "slug": i.slug, "name_en": i.name_en, "name_zh": i.name_zh, "region": i.region,
                     "repositories": sum(not r.removed for r in i.repositories)}
                    for i in session.scalars(select(Institution).where(Institution.removed_at.is_(None))
                                             .order_by(Institution.slug))]
        if as_json:
            return emit_json(rows)
        click.echo(table([[r["id"], r["slug"], r["name_zh"], r["name_en"], r["region"], r["repositories"]]
                          for r in rows], ["id", "slug", "name (zh)", "name (en)", "region", "repos"]))

    @cli.group()
    def repo() -> None:
        """Member repositories."""

    @repo.command("add")
    @click.argument("url")
    @click.option("--member", required=True, help="Slug of the member institution.")
    @click.option("--platform", default="oai", show_default=True, help="Platform plugin (chair plugins lists them).")
    @click.option("--prefix", "metadata_prefix", default="oai_dc", show_default=True, help="Metadata prefix.")
    @click.option("--set", "sets", multiple=True, help="Harvest only this set (repeatable).")
    @click.option("--exclude-set", "exclude_sets", multiple=True, help="Leave out records of this set (repeatable).")
    @click.option("--name", default="", help="Display name (default: the name the repository gives itself, "
                  "Identify's repositoryName).")
    @click.option("--schedule", default="", help="Interval (6h, 1d) or cron line; empty: manual.")
    @click.option("--options", "options_json", default="", help="Platform options as a JSON object "
                  "(field mapping, feed columns...); validated before saving.")
    @click.option("--paused", is_flag=True, help="Save the repository paused, even when it does not answer "
                  "(fix it, then chair repo check ID and chair repo resume ID).")
    @json_option
    @pass_hub
    def repo_add(hub: Hub, url, member, platform, metadata_prefix, sets, exclude_sets, name, schedule, options_json,
                 paused, as_json):
        """Register the repository at URL (prints its id).

        The source is asked first (OAI-PMH Identify, or the platform's API): one that does not answer
        as a repository is refused with the reason, unless --paused saves it paused anyway."""
        import json

        from hub.cli.common import UserError
        from hub.registration import NotARepository, register_repository

        try:
            options = json.loads(options_json) if options_json else {}
        except ValueError as exc:
            raise click.UsageError(f"--options is not valid JSON: {exc}") from exc
        with hub.db.session() as session:
            try:
                registration = register_repository(session, hub, member=member, platform=platform, base_url=url,
                                                   name=name, paused=paused, metadata_prefix=metadata_prefix,
                                                   sets=sets, exclude_sets=exclude_sets, schedule=schedule,
                                                   options=options)
            except NotARepository as exc:
                raise UserError(f"{exc} (--paused saves it paused anyway)") from exc
            repo = registration.repository
            data = {"id": repo.id, "name": repo.name, "state": repo.state.value,
                    "answers": registration.probe.answers, "probe": registration.probe.detail}
            session.commit()
        if as_json:
            return emit_json(data)
        click.echo(data["id"])
        if registration.paused_unchecked:
            click.echo(f"saved paused: {data['probe']}", err=True)

    @repo.command("list")
    @json_option
    @pass_hub
    def repo_list(hub: Hub, as_json):
        """List repositories with their record counts."""
        with hub.db.session() as session:
            counts = record_counts(session)
            rows = [{"id": r.id, "member": r.institution.slug, "platform": r.platform, "url": r.base_url,
                     "prefix": r.metadata_prefix, "state": r.state.value, "records": counts.get(r.id, (0, 0))[0],
                     "deleted": counts.get(r.id, (0, 0))[1], "high_water_mark": r.high_water_mark}
                    for r in session.scalars(select(Repository).where(Repository.removed_at.is_(None))
                                             .order_by(Repository.id))]
        if as_json:
            return emit_json(rows)
        click.echo(table([[r["id"], r["member"], r["platform"], r["state"], r["records"], r["deleted"], r["url"]]
                          for r in rows], ["id", "member", "platform", "state", "records", "deleted", "url"]))

    @repo.command("check")
    @click.argument("repository_id", type=int)
    @json_option
    @pass_hub
    def repo_check(hub: Hub, repository_id, as_json):
        """Check what the hub can harvest from a repository; the report is stored with it."""
        from hub.checking import store_report
        from hub.harvest.gather import make_platform

        with hub.db.session() as session:
            repo = get_repository(session, repository_id)
            data = store_report(repo, make_platform(repo, hub.pm, hub.http(repository_id)).check())
        if as_json:
            return emit_json(data)
        click.echo(f"repository {repository_id}: {'OK' if data['ok'] else 'problems found'}")
        for key, value in data["facts"].items():
            click.echo(f"  {key}: {value}")
        for finding in data["findings"]:
            mark = "ok " if finding["ok"] else "!! "
            click.echo(f"{mark}{finding['key']}: {finding['detail']}")
            if not finding["ok"] and finding["advice_en"]:
                click.echo(f"     {finding['advice_en']}\n     {finding['advice_zh']}")
        if not data["ok"]:
            raise SystemExit(1)

    for state, verb in ((RepositoryState.PAUSED, "pause"), (RepositoryState.ACTIVE, "resume")):
        _state_command(repo, state, verb)


def _state_command(group: click.Group, state: RepositoryState, verb: str) -> None:
    @group.command(verb, help=f"{verb.capitalize()} scheduled harvesting of a repository.")
    @click.argument("repository_id", type=int)
    @pass_hub
    def command(hub: Hub, repository_id):
        with hub.db.session() as session:
            set_state(session, repository_id, state)
        click.echo(f"repository {repository_id} {state.value}")
