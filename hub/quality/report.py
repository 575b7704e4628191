"""The metadata quality report of one repository, and the suggestions the hub offers back.

:func:`build_report` reads every live record of a repository once and gives a :class:`QualityReport`:
completeness of each field (records filling it, and the share), counts of invalid values, the
records missing what OpenAIRE requires, and per record its findings with bilingual advice.

Suggestions come from works (other copies of the same work held elsewhere in the network): a DOI
another member's copy carries while this record has none, and a full-text link found in another
copy while this record has none. :func:`to_csv` and :meth:`QualityReport.to_dict` are the downloads.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.exports import safe_row
from hub.models import Institution, Record, Repository, WorkMember, utcnow
from hub.quality.checks import OPENAIRE_REQUIRED, Field, Finding, Problem, check_record


class SuggestionKind(StrEnum):
    """What the hub found elsewhere for a record."""

    DOI = "doi"
    FULLTEXT = "fulltext"


SUGGESTION_ADVICE: dict[SuggestionKind, tuple[str, str]] = {
    SuggestionKind.DOI: ("Another member's copy of this work carries this DOI: check it and add it.",
                         "其他成员馆收录的同一成果带有此 DOI，请核实后补充。"),
    SuggestionKind.FULLTEXT: ("Another copy of this work links a full text: check whether you may link or "
                              "deposit it.", "同一成果的其他副本提供了全文链接，请确认能否链接或存缴全文。"),
}


@dataclass
class Suggestion:
    """A value the hub found in another copy of the same work."""

    kind: SuggestionKind
    value: str
    source_record_id: int
    source_institution: str

    def to_dict(self) -> dict[str, Any]:
        en, zh = SUGGESTION_ADVICE[self.kind]
        return {"kind": self.kind.value, "value": self.value, "source_record_id": self.source_record_id,
                "source_institution": self.source_institution, "advice_en": en, "advice_zh": zh}


@dataclass
class RecordQuality:
    """Findings and suggestions of one record."""

    record_id: int
    source_identifier: str
    title: str
    findings: list[Finding] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def openaire_ok(self) -> bool:
        return not any(f.required for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "source_identifier": self.source_identifier, "title": self.title,
                "openaire_ok": self.openaire_ok, "findings": [f.to_dict() for f in self.findings],
                "suggestions": [s.to_dict() for s in self.suggestions]}


@dataclass
class QualityReport:
    """The quality of one repository's metadata."""

    repository_id: int
    repository_name: str
    records: int = 0
    present: Counter = field(default_factory=Counter)  # Field -> records filling it
    invalid: Counter = field(default_factory=Counter)  # Field -> records with an invalid value
    openaire_failing: int = 0
    items: list[RecordQuality] = field(default_factory=list)  # records with findings or suggestions
    created_at: str = ""

    def completeness(self) -> dict[str, float]:
        """Field -> share of records filling it (0..1)."""
        return {f.value: (self.present[f] / self.records if self.records else 0.0) for f in Field}

    def to_dict(self) -> dict[str, Any]:
        """The JSON download."""
        return {
            "repository_id": self.repository_id, "repository_name": self.repository_name,
            "created_at": self.created_at, "records": self.records, "openaire_failing": self.openaire_failing,
            "fields": [{"field": f.value, "present": self.present[f], "invalid": self.invalid[f],
                        "completeness": round(self.completeness()[f.value], 4),
                        "openaire_required": f in OPENAIRE_REQUIRED} for f in Field],
            "records_concerned": [item.to_dict() for item in self.items],
        }


def _suggestions(session: Session, repository_id: int,
                 records: dict[int, dict[str, Any]]) -> dict[int, list[Suggestion]]:
    """DOIs and full-text links other members' copies of the same works hold, for records lacking them."""
    lacking = [r for r, info in records.items() if not info["doi"] or not info["fulltext"]]
    if not lacking:
        return {}
    from hub.works.store import chunks

    works: dict[int, int] = {}
    for batch in chunks(lacking):
        works.update(session.execute(select(WorkMember.record_id, WorkMember.work_id)
                                     .where(WorkMember.record_id.in_(batch), WorkMember.work_id.is_not(None))).all())
    others: dict[int, list[Any]] = {}
    for batch in chunks(sorted(set(works.values()))):
        rows = session.execute(
            select(WorkMember.work_id, Record.id, Record.meta, Record.fulltext_links, Institution.slug)
            .join(Record, Record.id == WorkMember.record_id)
            .join(Repository, Repository.id == Record.repository_id)
            .join(Institution, Institution.id == Repository.institution_id)
            .where(WorkMember.work_id.in_(batch), Record.deleted.is_(False),
                   Record.repository_id != repository_id)).all()
        for row in rows:
            others.setdefault(row.work_id, []).append(row)
    found: dict[int, list[Suggestion]] = {}
    for record_id, work_id in works.items():
        mine = records[record_id]
        for other in others.get(work_id, []):
            meta = other.meta or {}
            if not mine["doi"] and meta.get("doi"):
                found.setdefault(record_id, []).append(
                    Suggestion(SuggestionKind.DOI, meta["doi"], other.id, other.slug))
                mine["doi"] = meta["doi"]
            links = [link.get("url") for link in (other.fulltext_links or []) if link.get("url")]
            links += [f.get("url") for f in meta.get("files", []) if f.get("url") and f.get("access") == "open"]
            if not mine["fulltext"] and links:
                found.setdefault(record_id, []).append(
                    Suggestion(SuggestionKind.FULLTEXT, links[0], other.id, other.slug))
                mine["fulltext"] = True
    return found


def build_report(session: Session, repository_id: int) -> QualityReport:
    """The quality report of a repository (LookupError when there is no such repository)."""
    repo = session.get(Repository, repository_id)
    if repo is None:
        raise LookupError(f"no repository {repository_id}")
    report = QualityReport(repository_id, repo.name or repo.base_url, created_at=utcnow().isoformat())
    rows = session.execute(select(Record.id, Record.source_identifier, Record.meta, Record.fulltext_links)
                           .where(Record.repository_id == repository_id, Record.deleted.is_(False))
                           .order_by(Record.id).execution_options(yield_per=2000))
    items: dict[int, RecordQuality] = {}
    lacking: dict[int, dict[str, Any]] = {}
    for row in rows:
        meta = row.meta or {}
        has_fulltext = bool(row.fulltext_links or meta.get("files"))
        present, findings = check_record(meta, has_fulltext)
        report.records += 1
        report.present.update(present)
        report.invalid.update(f.field for f in findings if f.problem is Problem.INVALID)
        titles = meta.get("titles") or []
        item = RecordQuality(row.id, row.source_identifier, titles[0]["value"] if titles else "", findings)
        if not item.openaire_ok:
            report.openaire_failing += 1
        if findings:
            items[row.id] = item
        if not meta.get("doi") or not has_fulltext:
            lacking[row.id] = {"doi": meta.get("doi", ""), "fulltext": has_fulltext, "item": item}
    for record_id, suggestions in _suggestions(session, repository_id, lacking).items():
        item = items.setdefault(record_id, lacking[record_id]["item"])
        item.suggestions = suggestions
    report.items = [items[k] for k in sorted(items)]
    return report


CSV_COLUMNS = ("record_id", "source_identifier", "title", "field", "problem", "value", "openaire_required",
               "advice_en", "advice_zh")


def to_csv(report: QualityReport) -> str:
    """The CSV download: one row per finding or suggestion (UTF-8 with a BOM, for spreadsheet programs;
    harvested text cannot start a formula, see hub.exports)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in report.items:
        for finding in item.findings:
            en, zh = finding.advice
            writer.writerow(safe_row([item.record_id, item.source_identifier, item.title, finding.field.value,
                                      finding.problem.value, finding.value, "yes" if finding.required else "no",
                                      en, zh]))
        for suggestion in item.suggestions:
            data = suggestion.to_dict()
            writer.writerow(safe_row([item.record_id, item.source_identifier, item.title, suggestion.kind.value,
                                      "suggestion", f"{suggestion.value} ({suggestion.source_institution})", "no",
                                      data["advice_en"], data["advice_zh"]]))
    return out.getvalue()
