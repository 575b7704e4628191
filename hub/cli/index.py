"""``chair index rebuild|check|records``: build, verify and repair the search index."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from hub.cli.common import emit_json, json_option, pass_hub

if TYPE_CHECKING:
    from hub.context import Hub


def register(cli: click.Group) -> None:
    @cli.group()
    def index() -> None:
        """The search index (backend chosen by CHAIR_SEARCH_URL)."""

    @index.command("rebuild")
    @click.option("--batch-size", default=500, show_default=True, type=int)
    @json_option
    @pass_hub
    def index_rebuild(hub: Hub, batch_size, as_json):
        """Build a new index from the database and swap it in atomically when complete."""
        from hub.pipeline.index import rebuild_index

        interactive = sys.stderr.isatty() and not as_json

        def progress(done: int) -> None:
            if interactive:
                click.echo(f"\r{done:,} documents", nl=False, err=True)

        report = rebuild_index(hub, batch_size=batch_size, progress=progress)
        if interactive:
            click.echo("", err=True)
        if as_json:
            return emit_json(report.__dict__)
        click.echo(f"index rebuilt: {report.documents:,} documents"
                   + (f", {report.caught_up:,} changed meanwhile and indexed again" if report.caught_up else ""))

    @index.command("check")
    @click.option("--fix", is_flag=True, help="Index the missing and stale records and remove the extra ones.")
    @json_option
    @pass_hub
    def index_check(hub: Hub, fix, as_json):
        """Compare the index with the database: missing, extra and stale documents (exit 1 on drift)."""
        from hub.pipeline.index import check_index, index_records

        report = check_index(hub)
        fixed = None
        if fix and not report.ok:
            fixed = index_records(hub, report.missing + report.stale + report.extra)
        if as_json:
            data = report.to_dict()
            if fixed is not None:
                data["fixed"] = fixed.__dict__
            emit_json(data)
        else:
            click.echo(f"database: {report.database:,} live records; index: {report.indexed:,} documents")
            for label, ids in (("missing from the index", report.missing), ("extra in the index", report.extra),
                               ("stale (older version indexed)", report.stale)):
                sample = ", ".join(str(i) for i in ids[:10]) + (" ..." if len(ids) > 10 else "")
                click.echo(f"  {label}: {len(ids):,}" + (f" ({sample})" if ids else ""))
            if fixed is not None:
                click.echo(f"fixed: {fixed.line()}")
            elif report.ok:
                click.echo("index is in step with the database")
        if not report.ok and fixed is None:
            raise SystemExit(1)

    @index.command("records")
    @click.argument("record_ids", nargs=-1, type=int, required=True)
    @pass_hub
    def index_some(hub: Hub, record_ids):
        """Index (or remove) these records now."""
        from hub.pipeline.index import index_records

        click.echo(index_records(hub, record_ids).line())
