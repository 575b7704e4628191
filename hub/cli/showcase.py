"""``chair showcase rebuild|status``: the showcase's figures from scratch, and what its tables hold."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

from hub.cli.common import emit_json, json_option, pass_hub, table

if TYPE_CHECKING:
    from hub.context import Hub

PLAIN_EVERY = 5.0  # seconds between two progress lines


def register(cli: click.Group) -> None:
    @cli.group()
    def showcase() -> None:
        """Showcase figures: disciplines, researchers and collaboration (kept up to date after each harvest)."""

    @showcase.command("rebuild")
    @click.option("--quiet", is_flag=True, help="No progress lines (on stderr), only the summary.")
    @json_option
    @pass_hub
    def showcase_rebuild(hub: Hub, quiet, as_json):
        """Recompute every record's facts and every figure from scratch (a backfill, in one transaction).

        The showcase stage keeps the figures up to date after each harvest; this is for a hub that
        harvested before the showcase existed, or to check the figures against a full recompute."""
        from hub.showcase.rebuild import rebuild_all

        last = [time.perf_counter()]

        def progress(what: str, done: int, total: int) -> None:
            now = time.perf_counter()
            if not (quiet or as_json) and (now - last[0] >= PLAIN_EVERY or done == total):
                last[0] = now
                click.echo(f"showcase rebuild: {what} {done:,} of {total:,}", err=True)

        with hub.db.session() as session:
            result = rebuild_all(session, progress=progress)
        if as_json:
            return emit_json({"counts": result.counts, "duration": round(result.duration, 3)})
        click.echo(result.line())

    @showcase.command("status")
    @json_option
    @pass_hub
    def showcase_status(hub: Hub, as_json):
        """Rows in each showcase table (facts, contributions, aggregates) and the records that should have facts."""
        from hub.showcase.rebuild import live_count, table_counts

        with hub.db.session() as session:
            counts = table_counts(session)
            live = live_count(session)
        if as_json:
            return emit_json({"tables": counts, "live_records": live})
        click.echo(table([[name, f"{n:,}"] for name, n in counts.items()], ["table", "rows"]))
        facts = counts.get("record_facts", 0)
        click.echo(f"{facts:,} of {live:,} live records have facts"
                   + ("" if facts == live else " (run `chair showcase rebuild` if no harvest is running)"))
