"""``chair dumps build|list``: the bulk JSON-lines dumps (hub.exchange.dumps), built incrementally.

Run ``chair dumps build`` from cron or a systemd timer (daily is plenty): it writes only the parts
that changed since the last build, and nothing at all when nothing changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from hub.cli.common import emit_json, json_option, pass_hub, table

if TYPE_CHECKING:
    from hub.context import Hub


def register(cli: click.Group) -> None:
    @cli.group()
    def dumps() -> None:
        """Bulk dumps (JSON lines, gzip) per member and for the whole hub, served at /data."""

    @dumps.command("build")
    @click.option("--member", "member", default=None, metavar="SLUG",
                  help="Build this member's dump only (default: every member's and the whole hub's).")
    @json_option
    @pass_hub
    def dumps_build(hub: Hub, member, as_json):
        """Build the dumps, reusing every part that did not change."""
        from hub.exchange.dumps.build import build_dumps

        report = build_dumps(hub, member=member)
        if as_json:
            return emit_json(report.to_dict())
        click.echo(report.line())
        for dump in report.dumps:
            click.echo(f"  {dump.name}: {dump.records:,} records, {dump.size:,} bytes"
                       + ("" if dump.changed else " (unchanged)"))

    @dumps.command("list")
    @json_option
    @pass_hub
    def dumps_list(hub: Hub, as_json):
        """The stored dumps with their record count, size, date and sha-256."""
        from hub.exchange.dumps.manifest import list_manifests

        manifests = list_manifests(hub.store)
        if as_json:
            return emit_json([{k: v for k, v in m.to_dict().items() if k not in ("parts", "superseded")}
                              for m in manifests])
        if not manifests:
            click.echo("no dumps yet: run chair dumps build")
            return None
        click.echo(table([[m.file_name, f"{m.records:,}", f"{m.size:,}", m.updated, m.sha256] for m in manifests],
                         ["dump", "records", "bytes", "updated", "sha256"]))
        return None
