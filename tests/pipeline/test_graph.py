"""The stage graph, the dispatcher's plan with a broker, and the rule that no stage imports Celery."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from hub.pipeline.dispatch import CHUNK, carriers, plan, triggered
from hub.pipeline.graph import ORDER, SUBJECTS, TRIGGERS, PipelineStage, Subject, downstream, triggered_by
from hub.pipeline.report import StageReport, format_seconds

FILES, EXTRACT, WORKS, INDEX, IMPORT = (PipelineStage.FILES, PipelineStage.EXTRACT, PipelineStage.WORKS,
                                        PipelineStage.INDEX, PipelineStage.IMPORT)
PEOPLE, SHOWCASE = PipelineStage.PEOPLE, PipelineStage.SHOWCASE


def test_the_graph_is_the_one_the_design_names():
    edges = {(t.source, t.target) for t in TRIGGERS if t.dispatched}
    assert edges == {(IMPORT, FILES), (IMPORT, WORKS), (IMPORT, INDEX), (FILES, EXTRACT), (FILES, INDEX),
                     (EXTRACT, INDEX), (WORKS, INDEX), (IMPORT, PEOPLE), (IMPORT, SHOWCASE), (WORKS, SHOWCASE),
                     (EXTRACT, SHOWCASE), (PEOPLE, SHOWCASE)}
    assert downstream(IMPORT) == {FILES, EXTRACT, WORKS, INDEX, PEOPLE, SHOWCASE}
    assert downstream(INDEX) == set() and downstream(SHOWCASE) == set()
    assert downstream(PEOPLE) == {SHOWCASE}  # a split or join of researchers refreshes the figures only
    for trigger in TRIGGERS:  # every trigger runs forwards in the dispatcher's order
        if trigger.dispatched:
            assert trigger.target in ORDER and (trigger.source not in ORDER
                                                or ORDER.index(trigger.source) < ORDER.index(trigger.target))


def test_a_report_feeds_each_target_the_ids_of_its_subject():
    harvested = StageReport(IMPORT, records=[3, 1, 2])
    assert triggered(harvested) == {FILES: [3, 1, 2], WORKS: [3, 1, 2], INDEX: [3, 1, 2], PEOPLE: [3, 1, 2],
                                    SHOWCASE: [3, 1, 2]}
    assert list(triggered(harvested)) == [FILES, WORKS, INDEX, PEOPLE, SHOWCASE]  # the dispatcher's order
    fetched = StageReport(FILES, records=[1], files=["ab" * 32])
    assert triggered(fetched) == {EXTRACT: ["ab" * 32], INDEX: [1]}  # extraction by digest, index by record
    assert SUBJECTS[EXTRACT] is Subject.FILES and SUBJECTS[SHOWCASE] is Subject.RECORDS
    extracted = StageReport(EXTRACT, records=[7, 8])
    assert triggered(extracted, carry={INDEX: [8, 9]}) == {INDEX: [7, 8, 9], SHOWCASE: [7, 8]}
    assert triggered(StageReport(WORKS, records=[4])) == {INDEX: [4], SHOWCASE: [4]}
    assert triggered(StageReport(PEOPLE, records=[5])) == {SHOWCASE: [5]}
    assert triggered(StageReport(INDEX, records=[1])) == {}
    assert triggered(StageReport(SHOWCASE, records=[1])) == {}


def test_with_a_broker_a_harvest_queues_no_index_task_of_its_own():
    """The harvest's records to index ride with the works task: one index task per record, after works."""
    ids = list(range(1, 5001))
    pending = triggered(StageReport(IMPORT, records=ids))
    # the showcase ids ride with the people task (it runs after the researchers are linked; a regrouping
    # refreshes the records whose work changed again, from the works task)
    assert carriers(pending) == {INDEX: WORKS, SHOWCASE: PEOPLE}
    tasks = plan(pending)
    assert {stage for stage, _, _ in tasks} == {FILES, WORKS, PEOPLE}
    for target in (INDEX, SHOWCASE):
        carried = Counter(i for stage, _, carry in tasks for i in carry.get(target, []))
        assert set(carried) == set(ids) and max(carried.values()) == 1
    works_batches = [batch for stage, batch, _ in tasks if stage is WORKS]
    assert sum(map(len, works_batches)) == len(ids) and max(map(len, works_batches)) <= CHUNK[WORKS]
    assert sum(len(b) for s, b, _ in tasks if s is FILES) == len(ids)


def test_ids_carried_that_are_none_of_the_carriers_own_go_with_its_last_batch():
    pending = {WORKS: list(range(1, 4001)), INDEX: [1, 4001, 4002]}
    tasks = plan(pending)
    assert [carry[INDEX] for _, _, carry in tasks] == [[1], [4001, 4002]]


def test_report_lines_and_durations():
    report = StageReport(FILES, given=3, counts=Counter(stored=2, failed=1), errors=Counter({"http-503": 1}),
                         duration=0.0421)
    assert report.line() == "files: 3 given, 1 failed, 2 stored, errors http-503 1 in 0.042 s"
    assert format_seconds(12.3456) == "12.35 s" and format_seconds(125) == "2 min 5 s"
    assert StageReport(INDEX, given=9, queued=True).line() == "index: 9 queued for the workers"
    merged = StageReport(WORKS, records=[1, 2])
    merged.merge(StageReport(WORKS, given=2, records=[2, 3], counts=Counter(regrouped=2)))
    assert merged.records == [1, 2, 3] and merged.counts["regrouped"] == 2


STAGE_MODULES = ["hub.pipeline", "hub.pipeline.graph", "hub.pipeline.report", "hub.pipeline.stages",
                 "hub.pipeline.index", "hub.pipeline.dispatch", "hub.pipeline.harvest", "hub.fulltext.pipeline",
                 "hub.fulltext.extract", "hub.fulltext.fetch", "hub.fulltext.records", "hub.works.grouping", "hub.showcase.refresh",
                 "hub.harvest.gather", "hub.harvest.importer", "hub.checking", "hub.scheduling.runner",
                 "hub.scheduling.beat", "hub.health.completeness", "hub.exchange.webhooks.events",
                 "hub.search", "plugins.dspace.platform"]


@pytest.mark.parametrize("module", STAGE_MODULES)
def test_no_stage_module_imports_celery_or_the_tasks(module):
    """Importing a stage (or the dispatcher) loads neither Celery nor hub.tasks: no cycle through the tasks."""
    code = (f"import sys, importlib; importlib.import_module({module!r}); "
            "bad = sorted(m for m in sys.modules if m == 'hub.tasks' or m == 'celery' or m.startswith('celery.')); "
            "print(','.join(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"


def _celery_imports(tree: ast.AST) -> list[int]:
    """Lines importing celery at run time (imports under ``if TYPE_CHECKING:`` are annotations only)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        if any(name == "celery" or name.startswith("celery.") for name in names):
            lines.append(node.lineno)
    return lines


def test_only_the_tasks_module_imports_celery():
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*(root / "hub").rglob("*.py"), *(root / "plugins").rglob("*.py"), *(root / "storage").rglob("*.py")]:
        if path == root / "hub" / "tasks.py":
            continue
        if _celery_imports(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_no_stage_module_asks_for_a_broker():
    """Only the dispatcher (and the tasks, the doctor and the commands that start workers) read BROKER_URL."""
    root = Path(__file__).resolve().parents[2]
    allowed = {"hub/pipeline/dispatch.py", "hub/tasks.py", "hub/config.py", "hub/doctor.py", "hub/cli/serve.py",
               "hub/cli/schedule.py", "hub/politeness.py", "hub/redaction.py", "hub/context.py"}
    readers = sorted(str(p.relative_to(root)) for p in (root / "hub").rglob("*.py")
                     if "BROKER_URL" in p.read_text(encoding="utf-8"))
    assert set(readers) <= allowed, set(readers) - allowed


def test_every_stage_the_dispatcher_runs_has_a_function():
    from hub.pipeline.stages import STAGES

    assert set(STAGES) == set(ORDER)
    assert all(triggered_by(stage) or stage in (INDEX, SHOWCASE) for stage in ORDER)  # the two ends


def test_no_face_starts_a_thread_of_its_own():
    """Views and commands start long work through the dispatcher (a task with a broker, its thread without)."""
    root = Path(__file__).resolve().parents[2]
    offenders = sorted(str(p.relative_to(root)) for folder in ("hub/web", "hub/cli") for p in (root / folder).rglob("*.py")
                       if "Thread(" in p.read_text(encoding="utf-8"))
    assert offenders == []
