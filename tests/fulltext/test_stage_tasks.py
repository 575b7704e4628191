"""The stage tasks retry for real: a download that met a 503 is tried again by Celery (eagerly here),
on those records alone, until it is stored or the retries run out."""

from __future__ import annotations

import pytest
from werkzeug.wrappers import Response

import hub.tasks as tasks
from hub.fulltext.states import FileState
from hub.models import RecordFile
from tests.storage.backends import bilingual_pdf


def _flaky(files_server, path: str, failures: int) -> str:
    """Serve a PDF at ``path`` after answering 503 ``failures`` times."""
    data = bilingual_pdf("retry")
    seen = {"n": 0}

    def handler(request):
        seen["n"] += 1
        if seen["n"] <= failures:
            return Response("busy", status=503)
        return Response(data, content_type="application/pdf")

    files_server.routes[path] = handler
    return files_server.base + path


@pytest.fixture(autouse=True)
def eager_tasks(hub, monkeypatch):
    """The tasks run here on the test's hub, retries at once; a retry's outcome is returned, not raised."""
    monkeypatch.setattr(tasks, "worker_hub", lambda: hub)
    monkeypatch.setattr(tasks, "RETRY_DELAY", 0)
    monkeypatch.setitem(tasks.celery_app.conf, "task_eager_propagates", False)


def _state(hub, record_id):
    with hub.db.session() as session:
        return session.query(RecordFile).filter_by(record_id=record_id).one().state


def test_files_task_retries_a_503_until_stored(hub, files_server, make_record):
    hub.configure(HTTP_MAX_RETRIES=0)  # the HTTP client's own retries off: the task's retries act
    flaky = make_record({"url": _flaky(files_server, "/flaky.pdf", failures=2)})
    steady = make_record({"url": files_server.add_file("/steady.pdf", bilingual_pdf("steady"))})
    result = tasks.files.apply(args=([flaky, steady], None))  # eager: each retry runs at once
    assert result.successful(), result.traceback
    assert _state(hub, flaky) is FileState.STORED
    assert len(files_server.hits("/flaky.pdf")) == 3  # 503, retried: 503, retried: 200
    assert len(files_server.hits("/steady.pdf")) == 1  # a retry takes only the records that failed


def test_files_task_gives_up_after_its_retries(hub, files_server, make_record):
    hub.configure(HTTP_MAX_RETRIES=0, FILE_MAX_ATTEMPTS=10)
    rid = make_record({"url": _flaky(files_server, "/down.pdf", failures=100)})
    result = tasks.files.apply(args=([rid], None))
    assert result.successful(), result.traceback  # the last retry's report, the failure kept on the row
    assert len(files_server.hits("/down.pdf")) == 1 + tasks.STAGE_RETRIES
    assert _state(hub, rid) is FileState.FAILED


def test_index_task_retries_while_the_search_engine_is_away(hub, make_record):
    """An Elasticsearch nobody answers at: the index task is tried again, STAGE_RETRIES times, then
    reports the records it could not index (``chair index check --fix`` catches up later)."""
    hub.configure(SEARCH_URL="elasticsearch+http://127.0.0.1:1/chair-away")
    rid = make_record()
    result = tasks.index.apply(args=([rid], None))
    assert result.successful(), result.traceback
    outcome = result.get()
    assert outcome["attempt"] == 1 + tasks.STAGE_RETRIES
    assert outcome["retry"] == 1 and sum(outcome["errors"].values()) == 1
