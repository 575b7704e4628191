"""Files and extraction overlap in one process: extraction starts on each finished files chunk, while
the files stage goes on, and the stages after both still wait for both (hub.pipeline.dispatch.Follower)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from hub.pipeline import dispatch
from hub.pipeline.graph import PipelineStage, streamed_from
from hub.pipeline.report import StageReport

FILES, EXTRACT, WORKS, INDEX = PipelineStage.FILES, PipelineStage.EXTRACT, PipelineStage.WORKS, PipelineStage.INDEX


@pytest.fixture
def stages(monkeypatch):
    """Recording stand-ins for the four stage functions (the dispatcher's behaviour is under test, not theirs):
    the files stage waits, before its last chunk, until extraction has seen the first chunk's digest."""
    events: list[tuple[str, object]] = []
    first_extracted = threading.Event()
    lock = threading.Lock()

    def files(hub, ids, **_):
        if ids[0] == 3:  # the last chunk: extraction of chunk 1 must already be under way
            assert first_extracted.wait(10), "extraction did not start while files were still downloading"
        with lock:
            events.append(("files", tuple(ids)))
        return StageReport(FILES, given=len(ids), records=[], files=[f"sha-{i}" for i in ids if i != 2])

    def extract(hub, shas, **_):
        with lock:
            events.append(("extract", tuple(shas)))
        first_extracted.set()
        return StageReport(EXTRACT, given=len(shas), records=[int(s.split("-")[1]) + 100 for s in shas])

    def later(stage):
        def run(hub, ids, **_):
            with lock:
                events.append((stage.value, tuple(sorted(ids))))
            return StageReport(stage, given=len(ids))
        return run

    monkeypatch.setitem(dispatch.STAGES, FILES, files)
    monkeypatch.setitem(dispatch.STAGES, EXTRACT, extract)
    monkeypatch.setitem(dispatch.STAGES, WORKS, later(WORKS))
    monkeypatch.setitem(dispatch.STAGES, INDEX, later(INDEX))
    monkeypatch.setitem(dispatch.CHUNK, FILES, 1)  # one record per files chunk
    return events


def test_extraction_overlaps_the_files_stage_and_later_stages_wait_for_both(stages):
    hub = SimpleNamespace(settings={})
    assert streamed_from(FILES) is EXTRACT
    reports = dispatch._run_here(hub, {FILES: [1, 2, 3], WORKS: [1, 2, 3], INDEX: [1, 2, 3]}, None)
    order = [name for name, _ in stages]
    assert order.index("extract") < order.index("files", 2), "extraction waited for the whole files stage"
    extracted = [sha for name, shas in stages if name == "extract" for sha in shas]
    assert sorted(extracted) == ["sha-1", "sha-3"]  # each new digest once
    assert order[-2:] == ["works", "index"]  # after files and extraction, not during
    index_ids = next(ids for name, ids in stages if name == "index")
    assert index_ids == (1, 2, 3, 101, 103)  # extraction's records joined the index stage's one run
    by_stage = {r.stage: r for r in reports}
    assert by_stage[EXTRACT].given == 2 and by_stage[FILES].given == 3


def test_a_failing_extraction_chunk_is_reported_and_the_files_stage_goes_on(stages, monkeypatch):
    def broken(hub, shas, **_):
        raise RuntimeError("extractor fell over")

    monkeypatch.setitem(dispatch.STAGES, EXTRACT, broken)
    monkeypatch.setitem(dispatch.CHUNK, FILES, 3)  # no waiting on extraction in the stand-in
    reports = dispatch._run_here(SimpleNamespace(settings={}), {FILES: [1, 2, 3]}, None)
    by_stage = {r.stage: r for r in reports}
    assert by_stage[FILES].given == 3
    assert by_stage[EXTRACT].errors == {"RuntimeError": 2}
    assert "extractor fell over" in by_stage[EXTRACT].note


def test_ids_waiting_for_extraction_before_the_files_stage_run_with_it(stages):
    reports = dispatch._run_here(SimpleNamespace(settings={}), {FILES: [1], EXTRACT: ["sha-9", "sha-1"]}, None)
    extracted = sorted(sha for name, shas in stages if name == "extract" for sha in shas)
    assert extracted == ["sha-1", "sha-9"]
    assert [r.stage for r in reports][:2] == [FILES, EXTRACT]
