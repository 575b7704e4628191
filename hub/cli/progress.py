"""Progress of a harvest's stages on the terminal: a bar (or a live line) on a terminal, plain lines otherwise.

:class:`StageProgress` is handed to :func:`hub.pipeline.harvest.harvest`: ``pages`` sees the
records stage after each committed page, ``stage`` each follow-up stage's chunks. On a terminal
(stderr a TTY) the records stage is one live line and every other stage a ``click.progressbar``;
otherwise a plain line at most every :data:`PLAIN_EVERY` seconds of a stage that runs that long,
so a log stays readable and a short run prints only its summary lines.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from hub.pipeline.graph import PipelineStage

PLAIN_EVERY = 5.0  # seconds between two plain progress lines of one stage
LABELS = {PipelineStage.FILES: "files", PipelineStage.EXTRACT: "extraction", PipelineStage.WORKS: "works",
          PipelineStage.INDEX: "index", PipelineStage.PEOPLE: "researchers", PipelineStage.SHOWCASE: "showcase"}


class StageProgress:
    """Progress of one repository's harvest, stage by stage, written to stderr."""

    def __init__(self, repository_id: int, *, interactive: bool | None = None, quiet: bool = False) -> None:
        self.repository_id = repository_id
        self.interactive = sys.stderr.isatty() if interactive is None else interactive
        self.quiet = quiet
        self.started = time.perf_counter()
        self.last_line = self.started  # the first plain line after PLAIN_EVERY seconds
        self.bar: Any = None
        self.bar_done = 0
        self.live = False

    def _plain(self, text: str, force: bool = False) -> None:
        now = time.perf_counter()
        if force or now - self.last_line >= PLAIN_EVERY:
            self.last_line = now
            click.echo(f"repository {self.repository_id}: {text}", err=True)

    def pages(self, run: Any) -> None:
        """After each committed page of the records stage."""
        if self.quiet:
            return
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        text = (f"records: page {run.pages}, {run.seen} records ({run.new} new, {run.updated} updated, "
                f"{run.deleted} deleted, {run.failed} failed) {run.seen / elapsed:,.0f}/s")
        if self.interactive:
            self.live = True
            click.echo(f"\r{text} ", nl=False, err=True)
        else:
            self._plain(text)

    def end_records(self) -> None:
        """The records stage ended: close its live line."""
        if self.live:
            click.echo("", err=True)
            self.live = False

    def stage(self, stage: PipelineStage, done: int, total: int) -> None:
        """A follow-up stage's progress: ``done`` of ``total`` ids."""
        if self.live:
            self.end_records()
        if self.quiet or not total:
            return
        label = LABELS.get(stage, stage.value)
        if self.interactive:
            if done == 0:
                self.bar = click.progressbar(length=total, label=f"  {label}", file=sys.stderr,
                                             show_pos=True, show_eta=True)
                self.bar.__enter__()
                self.bar_done = 0
            elif self.bar is not None:
                self.bar.update(done - self.bar_done)
                self.bar_done = done
                if done >= total:
                    self.bar.__exit__(None, None, None)
                    self.bar = None
            return
        if done == 0:
            self.last_line = time.perf_counter()  # the first plain line after PLAIN_EVERY seconds
        elif done < total:
            self._plain(f"{label}: {done}/{total}")
