"""Monthly usage reports per institution, as CSV (COUNTER-style item report: views = investigations,
downloads = requests), written after the in-memory buffer is flushed."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.exports import safe_row
from hub.models import Institution, Record, Repository, UsageEvent, UsageKind
from hub.stats.aggregates import month_bounds

HEADER = ["record_id", "source_identifier", "repository", "title", "views", "downloads"]


def monthly_rows(session: Session, institution_id: int, month: str) -> list[list[object]]:
    """One row per record of the institution used during ``month`` (YYYY-MM), most used first."""
    start, end = month_bounds(month)
    counts: dict[int, dict[str, int]] = {}
    rows = session.execute(
        select(UsageEvent.record_id, UsageEvent.kind, func.count())
        .where(UsageEvent.institution_id == institution_id, UsageEvent.at >= start, UsageEvent.at < end)
        .group_by(UsageEvent.record_id, UsageEvent.kind))
    for record_id, kind, n in rows:
        counts.setdefault(record_id, {UsageKind.VIEW.value: 0, UsageKind.DOWNLOAD.value: 0})[UsageKind(kind).value] = n
    if not counts:
        return []
    records = {r.id: r for r in session.scalars(select(Record).where(Record.id.in_(list(counts))))}
    repos = dict(session.execute(select(Repository.id, Repository.name)).all())
    out: list[list[Any]] = []
    for record_id, c in counts.items():
        record = records.get(record_id)
        out.append([record_id, record.source_identifier if record else "",
                    repos.get(record.repository_id, "") if record else "", record.title if record else "",
                    c["view"], c["download"]])
    out.sort(key=lambda row: (-(row[4] + row[5]), row[0]))
    return out


def monthly_csv(session: Session, institution: Institution, month: str) -> str:
    """The CSV text of an institution's report for ``month``, with a totals line."""
    rows = monthly_rows(session, institution.id, month)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["# CHAIR usage report", institution.slug, month])
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(safe_row(row))
    writer.writerow(["total", "", "", "", sum(r[4] for r in rows), sum(r[5] for r in rows)])
    return buffer.getvalue()
