"""Downloads of several repositories run side by side; each repository keeps its politeness limit."""

from __future__ import annotations

import threading
import time

import pytest
from werkzeug.wrappers import Request, Response

from hub.fulltext.parallel import lanes_per_repository, plan_lanes
from hub.models import Institution, Record, Repository
from hub.states import FulltextState
from tests.fulltext.conftest import FileServer, run_files
from tests.storage.backends import bilingual_pdf


class Recorder:
    """One repository's file server: records when each request started and ended, and how many overlapped."""

    def __init__(self, name: str, files: int, lock: threading.Lock, shared: dict) -> None:
        self.name, self.lock, self.shared = name, lock, shared
        self.serve_seconds = 0.15
        self.server = FileServer()
        self.spans: list[tuple[float, float]] = []
        self.now = self.peak = 0
        self.urls = []
        for i in range(files):
            data = bilingual_pdf(f"{name} {i}")
            self.server.routes[f"/{name}/{i}.pdf"] = self._handler(data)
            self.urls.append(f"{self.server.base}/{name}/{i}.pdf")

    def _handler(self, data: bytes):
        def handle(request: Request) -> Response:
            with self.lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
                self.shared["now"] += 1
                self.shared["peak"] = max(self.shared["peak"], self.shared["now"])
                started = time.monotonic()
            time.sleep(self.serve_seconds)  # a slow repository: downloads of another one fit in meanwhile
            with self.lock:
                self.now -= 1
                self.shared["now"] -= 1
                self.spans.append((started, time.monotonic()))
            return Response(data, content_type="application/pdf")

        return handle


@pytest.fixture
def two_repositories(hub):
    lock, shared = threading.Lock(), {"now": 0, "peak": 0}
    servers = [Recorder("east", 4, lock, shared), Recorder("west", 4, lock, shared)]
    ids = []
    with hub.db.session() as session:
        inst = Institution(slug="pku", name_en="Peking University", name_zh="北京大学")
        session.add(inst)
        session.flush()
        for recorder in servers:
            repo = Repository(institution_id=inst.id, platform="oai", base_url=f"{recorder.server.base}/oai")
            session.add(repo)
            session.flush()
            for n, url in enumerate(recorder.urls):
                record = Record(repository_id=repo.id, source_identifier=f"oai:{recorder.name}:{n}",
                                fulltext_links=[{"url": url, "access": "open", "mime_type": "application/pdf"}],
                                fulltext_state=FulltextState.FOUND)
                session.add(record)
                session.flush()
                ids.append(record.id)
    yield servers, shared, ids
    for recorder in servers:
        recorder.server.close()


def test_two_repositories_download_side_by_side_each_within_its_concurrency(hub, two_repositories):
    servers, shared, ids = two_repositories
    hub.configure(REPOSITORY_CONCURRENCY=2, HARVEST_REQUEST_DELAY=0.0, FILES_WORKERS=8)
    report = run_files(hub, ids)
    assert report.counts["stored"] == 8
    assert all(recorder.peak <= 2 for recorder in servers)  # the politeness limit of each repository
    assert shared["peak"] > 2  # more than one repository's worth in flight: they ran side by side


def test_request_delay_spaces_each_repository_while_both_run(hub, two_repositories):
    servers, shared, ids = two_repositories
    delay = 0.6
    for recorder in servers:
        recorder.serve_seconds = 0.05  # without the pause, requests would follow each other ~0.05 s apart
    hub.configure(REPOSITORY_CONCURRENCY=2, HARVEST_REQUEST_DELAY=delay, FILES_WORKERS=8)
    report = run_files(hub, ids)
    assert report.counts["stored"] == 8
    for recorder in servers:
        starts = sorted(start for start, _ in recorder.spans)
        assert len(starts) == 4 and recorder.peak == 1
        # The client spaces its sends by the delay; on a busy machine the server sees one send late and
        # the next on time, so the spacing is judged over the whole run: without the pause the four
        # requests would span ~0.15 s, with it at least three delays.
        assert starts[-1] - starts[0] >= 3 * delay * 0.8
    east, west = (sorted(r.spans) for r in servers)
    assert east[0][0] < west[-1][1] and west[0][0] < east[-1][1]  # the two repositories' downloads overlap


def test_lanes_go_round_the_repositories_before_any_gets_a_second():
    lanes = plan_lanes({1: [10, 11, 12], 2: [20], 3: [30, 31]}, per_repository=2)
    assert [lane.repository_id for lane in lanes] == [1, 2, 3, 1, 3]
    assert lanes[0].queue is lanes[3].queue  # one repository's lanes share its records


def test_a_request_delay_leaves_one_lane_per_repository():
    assert lanes_per_repository({"HARVEST_REQUEST_DELAY": 0.5, "REPOSITORY_CONCURRENCY": 4}) == 1
    assert lanes_per_repository({"HARVEST_REQUEST_DELAY": 0.0, "REPOSITORY_CONCURRENCY": 4}) == 4
