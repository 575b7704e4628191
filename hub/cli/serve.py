"""``chair serve``, ``chair worker``, ``chair beat`` and ``chair plugins``: run the hub's processes."""

from __future__ import annotations

import click

from hub.cli.common import UserError, emit_json, get_hub, json_option, pass_hub, table
from hub.context import Hub


def refuse_unsafe_secret_key(hub: Hub) -> None:
    """Stop with one line naming the setting when CHAIR_SECRET_KEY is the development key or empty."""
    from hub.signing import secret_key_problem

    problem = secret_key_problem(hub.settings)
    if problem:
        raise UserError(problem)


def register(cli: click.Group) -> None:
    @cli.command()
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    @click.option("--debug", is_flag=True)
    @click.pass_context
    def serve(ctx, host, port, debug):
        """Serve the web application (portal, API, OAI-PMH, admin); use gunicorn in production."""
        from hub.app import create_app
        from hub.scheduling.runner import start_if_enabled

        refuse_unsafe_secret_key(get_hub(ctx))
        app = create_app(hub=get_hub(ctx))
        start_if_enabled(app.extensions["chair"])  # CHAIR_SCHEDULER_ENABLED: harvest on schedule in-process
        click.echo(f"serving on http://{host}:{port}/")
        app.run(host=host, port=port, debug=debug, use_reloader=False, threaded=True)

    @cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    @click.option("--concurrency", "-c", default=2, show_default=True, type=int)
    @click.option("--queues", "-Q", default="harvest,files,extract,index", show_default=True)
    @click.pass_context
    def worker(ctx, concurrency, queues):
        """Run a Celery worker on CHAIR_BROKER_URL (extra arguments go to Celery)."""
        from hub.tasks import celery_app

        refuse_unsafe_secret_key(get_hub(ctx))
        if not get_hub(ctx).settings.get("BROKER_URL"):
            raise click.ClickException("CHAIR_BROKER_URL is not set: without a broker, tasks run in-process")
        celery_app.worker_main(["worker", f"--concurrency={concurrency}", f"--queues={queues}",
                                "--loglevel=INFO", *ctx.args])

    @cli.command()
    @pass_hub
    @json_option
    def plugins(hub: Hub, as_json):
        """List loaded plugins and the platforms they provide."""
        from hub.plugins import describe

        infos = describe(hub.pm)
        if as_json:
            return emit_json([i.__dict__ for i in infos])
        click.echo(table([[i.name, ", ".join(i.platforms) or "-", ", ".join(i.hooks)] for i in infos],
                         ["plugin", "platforms", "hooks"]))
