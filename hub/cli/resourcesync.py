"""``chair resourcesync dump [--member SLUG]``: build the ResourceSync Resource Dumps."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from hub.cli.common import UserError, emit_json, json_option, pass_hub

if TYPE_CHECKING:
    from hub.context import Hub


def register(cli: click.Group) -> None:
    @cli.group()
    def resourcesync() -> None:
        """The hub as a ResourceSync source (/.well-known/resourcesync)."""

    @resourcesync.command("dump")
    @click.option("--member", "slug", default=None, help="Build the dump of this member (default: the whole hub).")
    @click.option("--force", is_flag=True, help="Build a new dump even when nothing changed since the last one.")
    @json_option
    @pass_hub
    def resourcesync_dump(hub: Hub, slug, force, as_json):
        """Build the Resource Dump (zip + manifest) of the hub or of one member into the object store;
        the current one is reused while nothing changed."""
        from oai.resourcesync.dumps import build_dump
        from oai.resourcesync.scopes import HUB, member_scope

        with hub.db.session() as session:
            scope = HUB if slug is None else member_scope(session, slug)
            if scope is None:
                raise UserError(f"no member {slug!r}")
            info = build_dump(hub.settings, session, hub.store, scope, force=force)
        if as_json:
            return emit_json({"set": scope.path, **asdict(info)})
        state = "reused (nothing changed)" if info.reused else "built"
        click.echo(f"{scope.path}: dump {info.name} {state}: {info.resources:,} resources, {info.length:,} bytes, "
                   f"sha-256 {info.sha256}")
