"""``chair files``: download pending full texts, show where they stand, manage the quarantine, collect garbage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from sqlalchemy import func, select

from hub.cli.common import emit_json, json_option, pass_hub, table
from hub.fulltext.states import ExtractState
from hub.models import Record, RecordFile, StoredFile

if TYPE_CHECKING:
    from hub.context import Hub


def files_status(hub: Hub) -> dict:
    """Counts of records, links and stored files by state, and bytes stored."""
    with hub.db.session() as session:
        records = dict(session.execute(select(Record.fulltext_state, func.count()).where(
            Record.deleted.is_(False)).group_by(Record.fulltext_state)).all())
        links = dict(session.execute(select(RecordFile.state, func.count()).group_by(RecordFile.state)).all())
        stored = dict(session.execute(select(StoredFile.extract_state, func.count())
                                      .group_by(StoredFile.extract_state)).all())
        size = session.scalar(select(func.coalesce(func.sum(StoredFile.size), 0)))
        ocr = session.scalar(select(func.count()).where(StoredFile.needs_ocr.is_(True)))
    return {"records": {k.value: v for k, v in records.items()}, "links": {k.value: v for k, v in links.items()},
            "files": {k.value: v for k, v in stored.items()}, "bytes_stored": int(size or 0), "needs_ocr": ocr}


def register(cli: click.Group) -> None:
    @cli.group()
    def files() -> None:
        """Full texts: download, status, quarantine, garbage collection."""

    @files.command("fetch")
    @click.option("--repo", "repository_id", type=int, help="Only records of this repository.")
    @click.option("--retry-failed", is_flag=True, help="Also retry downloads that failed before.")
    @json_option
    @pass_hub
    def fetch(hub: Hub, repository_id, retry_failed, as_json):
        """Download pending full texts, then extract them and index their records (or queue that for the
        workers), with the files waiting for extraction from before."""
        from hub.fulltext.pipeline import pending_extractions, pending_records
        from hub.pipeline.dispatch import follow, run_stage
        from hub.pipeline.graph import PipelineStage

        waiting = pending_extractions(hub)
        ids = pending_records(hub, repository_id, retry_failed)
        report = run_stage(hub, PipelineStage.FILES, ids, retry_failed=retry_failed, recheck=False)
        extractions = len(set(report.files) | set(waiting))
        after = follow(hub, report, carry={PipelineStage.EXTRACT: waiting})
        data = dict(report.counts, records=len(ids), extraction_queued=extractions)
        if as_json:
            return emit_json(data)
        for line in [report.line(), *(r.line() for r in after)]:
            click.echo(line)

    @files.command("status")
    @json_option
    @pass_hub
    def status(hub: Hub, as_json):
        """Counts of records, links and stored files by state."""
        data = files_status(hub)
        if as_json:
            return emit_json(data)
        for group in ("records", "links", "files"):
            click.echo(f"{group}: " + (", ".join(f"{k} {v}" for k, v in sorted(data[group].items())) or "none"))
        click.echo(f"stored: {data['bytes_stored'] / 1e6:,.1f} MB; needing OCR: {data['needs_ocr']}")

    @files.group("quarantine")
    def quarantine() -> None:
        """Files whose extraction failed EXTRACT_MAX_ATTEMPTS times."""

    @quarantine.command("list")
    @json_option
    @pass_hub
    def quarantine_list(hub: Hub, as_json):
        """List quarantined files with their last error."""
        with hub.db.session() as session:
            rows: list[dict[str, Any]] = [{"sha256": s.sha256, "size": s.size, "mime_type": s.mime_type, "attempts": s.extract_attempts,
                     "kind": s.extract_error_kind, "error": s.extract_error}
                    for s in session.scalars(select(StoredFile).where(
                        StoredFile.extract_state == ExtractState.QUARANTINED).order_by(StoredFile.created_at))]
        if as_json:
            return emit_json(rows)
        click.echo(table([[r["sha256"], r["mime_type"], r["size"], r["attempts"], r["kind"], r["error"][:60]]
                          for r in rows], ["sha256", "type", "size", "tries", "kind", "error"]))

    @quarantine.command("release")
    @click.argument("sha256")
    @click.option("--now", "extract_now", is_flag=True, help="Extract at once instead of queueing.")
    @pass_hub
    def quarantine_release(hub: Hub, sha256, extract_now):
        """Release a quarantined file: its extraction is tried again."""
        from hub.fulltext.extract import release
        from hub.pipeline.dispatch import run_from, submit
        from hub.pipeline.graph import PipelineStage

        release(hub, sha256)
        if extract_now:  # here and now, whatever the broker; then its records indexed
            reports = run_from(hub, PipelineStage.EXTRACT, [sha256])
            state = next((k for k, n in reports[0].counts.items() if n), "gone")
            click.echo(f"{sha256}: {state}")
        else:
            click.echo(f"{sha256}: released, extraction {submit(hub, 'extract', [sha256])}")

    @files.command("gc")
    @click.option("--orphans", is_flag=True, help="Also delete store objects no table row knows.")
    @json_option
    @pass_hub
    def gc(hub: Hub, orphans, as_json):
        """Delete stored files that no record holds any more."""
        from hub.fulltext.objects import collect_garbage

        data = collect_garbage(hub, orphan_objects=orphans)
        emit_json(data) if as_json else click.echo(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in data.items()))
