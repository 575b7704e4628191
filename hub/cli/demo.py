"""``chair demo`` and ``chair sample-repos``: the sample member repositories, harvested and served.

``chair demo`` is the project's run command on embedded defaults: it starts the
fictional DSpace- and EPrints-style repositories on loopback, registers their members (each
repository asked first, as any registration asks), harvests them (with their full texts and search
index) and serves the portal, printing how to sign in to its admin area.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from hub.cli.common import get_hub
from hub.models import Institution, Repository

if TYPE_CHECKING:
    from hub.context import Hub

# The platform plugin that reads each sample style best, falling back to generic OAI-PMH.
STYLE_PLATFORMS = {"dspace": "dspace", "eprints": "eprints"}


def register_samples(hub: Hub, repos, server_url: str) -> list[int]:
    """Register the sample members and repositories (idempotent); returns repository ids.

    Each repository is registered as people register one (:func:`hub.registration.register_repository`):
    asked first whether it answers (one that does not stops the demo with the reason), named by its
    own Identify ``repositoryName``."""
    from hub.members import add_institution
    from hub.plugins import platforms
    from hub.registration import register_repository

    available = platforms(hub.pm)
    ids = []
    with hub.db.session() as session:
        for sample in repos:
            inst = sample.institution
            if session.scalar(select(Institution).where(Institution.slug == inst.slug)) is None:
                add_institution(session, inst.slug, inst.name_en, inst.name_zh, inst.region, inst.website,
                                inst.contact_email)
            url = sample.base_url(server_url)
            repo = session.scalar(select(Repository).where(Repository.base_url == url))
            if repo is None:
                platform = STYLE_PLATFORMS.get(sample.style.value, "oai")
                registration = register_repository(session, hub, member=inst.slug,
                                                   platform=platform if platform in available else "oai",
                                                   base_url=url)
                repo = registration.repository
                click.echo(f"repository {repo.id} registered: {repo.name} ({repo.platform}; "
                           f"{registration.probe.detail})")
            ids.append(repo.id)
    return ids


def chair_command() -> str:
    """How to call this installation's ``chair``: the console script running now (``.venv/bin/chair``
    after ``scripts/demo``), or plain ``chair``."""
    script = Path(sys.argv[0])
    return str(script.resolve()) if script.name == "chair" and script.exists() else "chair"


def instance_environment(hub: Hub) -> tuple[str, str]:
    """The variables that point another ``chair`` at this hub's database (its instance folder, and the
    database URL when it is not the instance's own file), and a note when a password was left out."""
    from hub.redaction import redact_url

    folder = Path(hub.settings["INSTANCE_PATH"])
    words = [f"CHAIR_INSTANCE_PATH={shlex.quote(str(folder.resolve()))}"]
    url, note = str(hub.settings["DATABASE_URL"]), ""
    if url != f"sqlite:///{folder / 'chair.db'}":
        shown = redact_url(url)
        words.append(f"CHAIR_DATABASE_URL={shlex.quote(shown)}")
        note = " (put the database user and password, user:password, in place of ***)" if shown != url else ""
    return " ".join(words), note


def sign_in_lines(hub: Hub, portal_url: str) -> list[str]:
    """How to sign in to the demo's admin area: its address and the command that adds an administrator
    to this demo's own database (its instance folder spelt out, so the command works from anywhere)."""
    from hub.models import Role, User

    environment, note = instance_environment(hub)
    command = f"{environment} {shlex.quote(chair_command())} user add admin@example.org --role hub-admin"
    with hub.db.session() as session:
        admins = list(session.scalars(select(User.username).where(User.role == Role.HUB_ADMIN,
                                                                  User.active.is_(True)).order_by(User.username)))
    admin_url = f"{portal_url.rstrip('/')}/admin/"
    after = [f"  {note.strip()}"] if note else []  # on its own line: the command stays one a shell can run
    if admins:
        return [f"admin area at {admin_url} (sign in as {', '.join(admins)}); another administrator:",
                f"  {command}", *after]
    return [f"admin area at {admin_url}: first add an administrator (the command asks for the password; "
            "--password-stdin reads it from standard input):", f"  {command}", *after]


def register(cli: click.Group) -> None:
    @cli.command("sample-repos")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=8390, show_default=True, type=int)
    @click.option("--records", type=int, default=None, help="Records in every repository (default: the catalog's).")
    @click.option("--fault", "faults", multiple=True, help="Inject a fault, e.g. 'page=3:http503:retry-after=1:times=2'.")
    def sample_repos(host, port, records, faults):
        """Serve the fictional member repositories (DSpace and EPrints styles) on loopback."""
        from hub.samples.server import main as serve_samples

        serve_samples(host, port, records, list(faults))

    @cli.command()
    @click.option("--host", default="127.0.0.1", show_default=True, help="Portal host.")
    @click.option("--port", default=5000, show_default=True, type=int, help="Portal port.")
    @click.option("--samples-port", default=8390, show_default=True, type=int)
    @click.option("--records", type=int, default=None, help="Records in every sample repository.")
    @click.option("--fault", "faults", multiple=True, help="Inject a fault into the sample repositories.")
    @click.option("--no-serve", is_flag=True, help="Harvest and stop, without serving the portal.")
    @click.pass_context
    def demo(ctx, host, port, samples_port, records, faults, no_serve):
        """Start the sample repositories, register and harvest them, and serve the portal."""
        from hub.pipeline.harvest import harvest
        from hub.samples.catalog import demo_repositories
        from hub.samples.faults import attach_faults
        from hub.samples.server import serve as serve_samples
        from hub.signing import demo_secret_key, secret_key_problem

        hub = get_hub(ctx)
        hub.configure(ALLOW_PRIVATE_ADDRESSES=True)  # the samples live on loopback
        if secret_key_problem(hub.settings):  # no key of the operator's: the demo's own, kept in the instance
            hub.configure(SECRET_KEY=demo_secret_key(hub.settings.INSTANCE_PATH), SECRET_KEY_FALLBACKS="")
        repos = demo_repositories(records)
        attach_faults(repos, list(faults))
        server, _thread, server_url = serve_samples(repos, host="127.0.0.1", port=samples_port)
        click.echo(f"sample repositories at {server_url}/")
        for repo_id in register_samples(hub, repos, server_url):
            outcome = harvest(hub, repo_id)
            summary = outcome.summary
            c = summary.counts
            click.echo(f"repository {repo_id}: {summary.state.value}, {c.get('seen', 0)} seen, "
                       f"{c.get('new', 0)} new, {c.get('deleted', 0)} deleted, {c.get('failed', 0)} failed"
                       + (f" - {summary.message}" if summary.message else ""))
            for line in outcome.lines():
                click.echo(f"  {line}")
        from hub.exchange.dumps.build import build_dumps

        click.echo(f"bulk dumps for /data: {build_dumps(hub).line()}")
        if no_serve:
            server.shutdown()
            return
        from hub.app import create_app
        from hub.scheduling.runner import start_if_enabled

        app = create_app(hub=hub)
        start_if_enabled(hub)  # CHAIR_SCHEDULER_ENABLED: harvest on schedule in-process
        click.echo(f"portal at http://{host}:{port}/  (Ctrl-C to stop)")
        for line in sign_in_lines(hub, f"http://{host}:{port}/"):
            click.echo(line)
        app.run(host=host, port=port, use_reloader=False, threaded=True)
