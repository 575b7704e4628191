"""The ``chair`` command line: one group, one module per concern.

A user error prints one clear line (``Error: ...``) and exits non-zero; listing and
summary commands take ``--json``.
"""

from __future__ import annotations

import importlib

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
    "hub.cli.schedule",
    "hub.cli.files",
    "hub.cli.index",
    "hub.cli.works",
    "hub.cli.resourcesync",
    "hub.cli.dumps",
)


@click.group(cls=HubGroup)
@click.option("--instance", type=click.Path(file_okay=False), envvar="CHAIR_INSTANCE_PATH",
              help="Instance folder (settings file, SQLite database, local objects). Default: ./instance")
@click.pass_context
def cli(ctx: click.Context, instance: str | None) -> None:
    """CHAIR Hub: harvest, store, search and republish member repositories."""
    ctx.ensure_object(dict)
    ctx.obj.setdefault("instance", instance)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(cli)


def main() -> None:
    """Console-script entry point (``chair``)."""
    from hub.plugins import get_plugin_manager

    get_plugin_manager().hook.register_commands(cli=cli)
    cli(prog_name="chair")
