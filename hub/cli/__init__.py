"""The ``chair`` command line: one group, one module per concern.

Whatever stops a command prints one clear line (``Error: ...``, see :mod:`hub.cli.errors`) and
exits non-zero (``chair --traceback`` shows the traceback instead); listing and summary commands
take ``--json``.
"""

from __future__ import annotations

import importlib
import sys

import click

from hub.cli.common import HubGroup, pass_hub  # noqa: F401 - re-exported for command modules

COMMAND_MODULES = (
    "hub.cli.db",
    "hub.cli.network",
    "hub.cli.harvest",
    "hub.cli.serve",
    "hub.cli.doctor",
    "hub.cli.demo",
    "hub.cli.users",
    "hub.cli.sso",
    "hub.cli.schedule",
    "hub.cli.files",
    "hub.cli.index",
    "hub.cli.works",
    "hub.cli.people",
    "hub.cli.showcase",
    "hub.cli.resourcesync",
    "hub.cli.dumps",
    "hub.cli.tokens",
)


@click.group(cls=HubGroup)
@click.option("--instance", type=click.Path(file_okay=False), envvar="CHAIR_INSTANCE_PATH",
              help="Instance folder (settings file, SQLite database, local objects). Default: ./instance")
@click.option("--traceback", "show_traceback", is_flag=True,
              help="Show the Python traceback of a failure instead of its one-line message.")
@click.pass_context
def cli(ctx: click.Context, instance: str | None, show_traceback: bool) -> None:
    """CHAIR Hub: harvest, store, search and republish member repositories."""
    ctx.ensure_object(dict)
    ctx.obj.setdefault("instance", instance)
    ctx.obj.setdefault("traceback", show_traceback)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(cli)


def main() -> None:
    """Console-script entry point (``chair``); a plugin that fails to load is one line too."""
    from hub.cli.errors import explain
    from hub.plugins import get_plugin_manager

    try:
        get_plugin_manager().hook.register_commands(cli=cli)
    except Exception as exc:
        if "--traceback" in sys.argv[1:]:
            raise
        explain(exc).show()
        sys.exit(1)
    cli(prog_name="chair")
