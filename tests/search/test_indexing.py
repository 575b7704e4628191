"""Index stage: idempotent bulk indexing, rebuild behind an alias/generation, drift checks, the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from click.testing import CliRunner

from hub.models import Record
from hub.pipeline.dispatch import follow
from hub.pipeline.graph import PipelineStage
from hub.pipeline.index import check_index, index_records, rebuild_index
from hub.pipeline.report import StageReport
from hub.search import SearchRequest, search_backend
from tests.search.conftest import add_member, add_record, attach_text


def _ids(backend, q=""):
    return sorted(h.id for h in backend.search(SearchRequest(q=q, size=100)).hits)


def test_index_records_is_idempotent_and_removes_deleted(search_hub):
    _, repo = add_member(search_hub, "pku", "Peking University", "北京大学")
    a, b = (add_record(search_hub, repo, n, title=f"量子计算 {n}") for n in (1, 2))
    backend = search_backend(search_hub)
    index_records(search_hub, [a, b])
    index_records(search_hub, [a, b])
    assert _ids(backend, "量子计算") == [a, b] and backend.count() == 2
    with search_hub.db.session() as session:
        session.get(Record, b).deleted = True
    report = index_records(search_hub, [a, b, 12345])
    assert (report.indexed, report.deleted) == (1, 2)
    assert _ids(backend) == [a]


def _indexed(reports):
    index = next(r for r in reports if r.stage is PipelineStage.INDEX)
    return index.counts["indexed"], index.counts["removed"]


def test_harvest_and_extract_follow_ups_index_changed_records(search_hub):
    _, repo = add_member(search_hub, "fdu", "Fudan University", "复旦大学")
    rid = add_record(search_hub, repo, 1, title="Superconductivity")
    harvested = StageReport(PipelineStage.IMPORT, records=[rid])
    assert _indexed(follow(search_hub, harvested)) == (1, 0)
    backend = search_backend(search_hub)
    assert _ids(backend, "cuprate") == []
    attach_text(search_hub, rid, "Cuprate superconductors at high pressure.")
    assert _indexed(follow(search_hub, StageReport(PipelineStage.EXTRACT, records=[rid]))) == (1, 0)
    assert _ids(backend, "cuprate") == [rid]


def test_check_finds_missing_extra_and_stale_and_rebuild_repairs(search_hub):
    _, repo = add_member(search_hub, "pku", "Peking University", "北京大学")
    ids = [add_record(search_hub, repo, n, title=f"Record {n}") for n in range(1, 6)]
    index_records(search_hub, ids[:4])
    assert check_index(search_hub).missing == [ids[4]]
    with search_hub.db.session() as session:
        session.get(Record, ids[0]).deleted = True
        session.get(Record, ids[1]).hub_datestamp = datetime(2025, 1, 1, tzinfo=UTC)
    attach_text(search_hub, ids[2], "text extracted after indexing")
    report = check_index(search_hub)
    assert (report.missing, report.extra, sorted(report.stale)) == ([ids[4]], [ids[0]], [ids[1], ids[2]])
    result = rebuild_index(search_hub, batch_size=2)
    assert result.documents == 4
    assert check_index(search_hub).ok
    assert _ids(search_backend(search_hub), "extracted") == [ids[2]]


def test_cli_index_check_and_rebuild(search_hub, monkeypatch):
    from hub.cli import cli

    _, repo = add_member(search_hub, "pku", "Peking University", "北京大学")
    rid = add_record(search_hub, repo, 1, title="CLI record")
    runner = CliRunner()
    obj = {"instance": None, "hub": search_hub}
    drift = runner.invoke(cli, ["index", "check", "--json"], obj=obj)
    assert drift.exit_code == 1 and json.loads(drift.output)["missing_ids"] == [rid]
    fixed = runner.invoke(cli, ["index", "check", "--fix"], obj=obj)
    assert fixed.exit_code == 0 and "fixed: search index: 1 indexed" in fixed.output
    assert runner.invoke(cli, ["index", "check"], obj=obj).exit_code == 0
    rebuilt = runner.invoke(cli, ["index", "rebuild"], obj=obj)
    assert rebuilt.exit_code == 0 and "index rebuilt: 1 documents" in rebuilt.output


def test_doctor_reports_the_search_backend(search_hub):
    from hub.doctor import check_search

    result = check_search(search_hub.settings)
    assert result.ok and "documents" in result.detail
    bad = check_search({**search_hub.settings, "SEARCH_URL": "elasticsearch+http://127.0.0.1:9/chair"})
    assert not bad.ok and "CHAIR_SEARCH_URL" in bad.detail
