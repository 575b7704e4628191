"""A harvest with its follow-ups on the embedded defaults: every stage runs, a record is indexed once."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from hub.cli import cli
from hub.models import Record, StoredFile
from hub.pipeline.graph import PipelineStage
from hub.pipeline.harvest import harvest
from hub.samples.catalog import demo_repositories
from hub.samples.server import serve
from hub.states import FulltextState
from tests.harvest.conftest import register


@pytest.fixture
def copies_site() -> Iterator[tuple[str, list]]:
    """Two demo repositories holding planted duplicates of each other (with their PDFs), on loopback."""
    repos = [r for r in demo_repositories(60) if r.slug in ("donghai", "nanhu")]
    server, _thread, url = serve(repos)
    yield url, repos
    server.shutdown()
    server.server_close()


@pytest.fixture
def indexed(monkeypatch) -> list[Counter]:
    """Every call of the index stage's body, as a count of the record ids it was given."""
    import hub.pipeline.index as index

    calls: list[Counter] = []
    real = index.index_records

    def counting(hub, ids, backend=None):
        ids = list(ids)
        calls.append(Counter(ids))
        return real(hub, ids, backend)

    monkeypatch.setattr(index, "index_records", counting)
    return calls


def test_a_harvest_indexes_each_record_once_after_files_extraction_and_regrouping(hub, copies_site, indexed):
    url, repos = copies_site
    ids = {sample.slug: register(hub, url, sample) for sample in repos}
    first = harvest(hub, ids["donghai"])
    assert [r.stage for r in first.stages] == [PipelineStage.FILES, PipelineStage.EXTRACT, PipelineStage.WORKS,
                                                PipelineStage.INDEX, PipelineStage.PEOPLE, PipelineStage.SHOWCASE]
    with hub.db.session() as session:
        extracted = session.scalar(select(func.count()).select_from(Record).where(
            Record.fulltext_state == FulltextState.EXTRACTED))
    assert extracted > 0 and first.report(PipelineStage.EXTRACT).records  # new texts, to be indexed
    totals = sum(indexed, Counter())
    assert set(totals) == set(first.summary.changed_ids) and max(totals.values()) == 1

    indexed.clear()
    second = harvest(hub, ids["nanhu"])  # copies of donghai's records: those move to shared works
    moved = set(second.report(PipelineStage.WORKS).records) - set(second.summary.changed_ids)
    assert moved, "the planted duplicates regrouped records of the first repository"
    totals = sum(indexed, Counter())
    assert set(totals) == set(second.summary.changed_ids) | moved and max(totals.values()) == 1
    index = second.report(PipelineStage.INDEX)
    assert index.counts["indexed"] + index.counts["removed"] == len(totals)


def test_a_failing_stage_is_reported_and_the_others_still_run(hub, copies_site, monkeypatch):
    import hub.works.grouping as grouping

    url, repos = copies_site
    repo_id = register(hub, url, repos[0])

    def broken(*_args, **_kwargs):
        raise RuntimeError("works are broken today")

    monkeypatch.setattr(grouping, "regroup", broken)
    outcome = harvest(hub, repo_id)
    works = outcome.report(PipelineStage.WORKS)
    assert works.errors == Counter({"RuntimeError": len(outcome.summary.changed_ids)})
    assert "works are broken today" in works.line() or works.note.endswith("works are broken today")
    assert outcome.report(PipelineStage.INDEX).counts["indexed"] > 0  # the harvest's records indexed anyway
    with hub.db.session() as session:
        assert session.scalar(select(func.count()).select_from(StoredFile)) > 0


def test_chair_harvest_prints_one_summary_line_per_stage(hub, copies_site):
    url, repos = copies_site
    repo_id = register(hub, url, repos[0])
    result = CliRunner().invoke(cli, ["harvest", str(repo_id)], obj={"hub": hub,
                                                                      "instance": hub.settings["INSTANCE_PATH"]})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"repository {repo_id}: succeeded, 60 seen")
    stages = [line.strip().split(":")[0] for line in lines[1:] if line.startswith("  ")]
    # "search index" once, not twice; the showcase once over everything its three sources fed it
    assert stages == ["files", "extract", "works", "index", "people", "showcase"], result.output
    assert not any(" 0.0s" in line or " 0.000 s" in line for line in lines), result.output
    assert "\r" not in result.output  # not a terminal: plain lines, no live line or bar
    again = CliRunner().invoke(cli, ["harvest", str(repo_id), "--json"],
                               obj={"hub": hub, "instance": hub.settings["INSTANCE_PATH"]})
    summary = json.loads(again.output)[0]
    assert 0 < summary["duration"] < 60 and summary["duration"] != round(summary["duration"])  # sub-second


def test_a_long_stage_shows_plain_progress_lines_off_a_terminal(hub, copies_site, monkeypatch):
    import hub.cli.progress as progress

    monkeypatch.setattr(progress, "PLAIN_EVERY", 0.0)  # every page and chunk counts as "long"
    url, repos = copies_site
    repo_id = register(hub, url, repos[0])
    result = CliRunner().invoke(cli, ["harvest", str(repo_id)], obj={"hub": hub,
                                                                      "instance": hub.settings["INSTANCE_PATH"]})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"repository {repo_id}: records: page 1, 60 records (60 new, 0 updated, 0 deleted, 0 failed)" in lines[0]
    assert f"repository {repo_id}: files: 50/60" in lines  # chunk by chunk, one plain line each
    summaries = [line.strip().split(":")[0] for line in lines if line.startswith("  ")]
    assert summaries == ["files", "extract", "works", "index", "people", "showcase"], result.output
