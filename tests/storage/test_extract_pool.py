"""The embedded extractor's bounded pool of isolated children, and documents in flight to Tika."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from werkzeug.wrappers import Request, Response

from hub.config import Settings
from storage.extract import ExtractErrorKind, ExtractionError, make_extractor
from storage.extract.embedded import pool_for
from tests.fulltext.conftest import FileServer
from tests.storage.backends import CHINESE, bilingual_pdf


def settings(**extra) -> Settings:
    # A memory limit of its own per test: its own pool, untouched by the other tests' children.
    base = {"TIKA_URL": "", "EXTRACT_TIMEOUT": 60.0, "EXTRACT_MAX_BYTES": 50 * 1024 * 1024,
            "EXTRACT_MAX_CHARS": 2_000_000, "EXTRACT_OCR_LANGUAGES": ""}
    base.update(extra)
    return Settings.from_mapping(base)  # the rest of the settings keep the hub's defaults


@pytest.fixture
def files(tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(bilingual_pdf())
    slow = tmp_path / "slow.html"
    slow.write_bytes(b"<html><body>" + b"<div><p>word</p></div>" * 1_000_000 + b"</body></html>")
    return pdf, slow


def test_pool_extracts_side_by_side_and_never_starts_more_children_than_its_size(files):
    pdf, _ = files
    limit = 1024 * 1024 * 1024 + 11
    extractor = make_extractor(settings(EXTRACT_WORKERS=2, EXTRACT_MEMORY_LIMIT=limit))
    assert extractor.in_flight == 2
    pool = pool_for(limit, 2)
    try:
        with ThreadPoolExecutor(6) as threads:
            texts = list(threads.map(lambda _: extractor.extract(pdf, "application/pdf").text, range(12)))
        assert all(CHINESE in text for text in texts)
        assert len(pool.children()) == 2  # twelve files from six threads: two children, both used, no third
    finally:
        pool.close()


def test_a_poison_file_kills_only_the_child_that_read_it(files):
    pdf, slow = files
    limit = 1024 * 1024 * 1024 + 12
    patient = make_extractor(settings(EXTRACT_WORKERS=2, EXTRACT_MEMORY_LIMIT=limit))
    strict = make_extractor(settings(EXTRACT_WORKERS=2, EXTRACT_MEMORY_LIMIT=limit, EXTRACT_TIMEOUT=0.05))
    pool = pool_for(limit, 2)
    try:
        with ThreadPoolExecutor(2) as threads:  # both children started
            list(threads.map(lambda _: patient.extract(pdf, "application/pdf"), range(4)))
        before = set(pool.children())
        assert len(before) == 2
        with pool.borrow() as held:  # one child busy elsewhere: the poison goes to the other one
            with pytest.raises(ExtractionError) as info:
                strict.extract(slow, "text/html")
            assert info.value.kind is ExtractErrorKind.TIMEOUT
            assert held.pid in before  # the child lent out meanwhile lives on
        alive = set(pool.children())
        assert alive == {held.pid}  # the poisoned child was killed, the other kept
        assert CHINESE in patient.extract(pdf, "application/pdf").text  # and the pool goes on
    finally:
        pool.close()


class FakeTika:
    """A local stand-in of Tika's /rmeta/text that counts the documents in flight to it."""

    def __init__(self) -> None:
        self.server = FileServer()
        self.lock = threading.Lock()
        self.now = self.peak = self.calls = 0
        self.server.routes["/rmeta/text"] = self.rmeta

    def rmeta(self, request: Request) -> Response:
        body = request.get_data()
        with self.lock:
            self.now += 1
            self.calls += 1
            self.peak = max(self.peak, self.now)
        time.sleep(0.2)  # the server parsing: documents pile up when they are sent side by side
        with self.lock:
            self.now -= 1
        doc = {"Content-Type": "application/pdf", "X-TIKA:content": f"document of {len(body)} bytes " * 20,
               "xmpTPg:NPages": "1"}
        return Response(json.dumps([doc]), content_type="application/json")


@pytest.fixture
def fake_tika():
    tika = FakeTika()
    yield tika
    tika.server.close()


@pytest.mark.parametrize("in_flight", [1, 3])
def test_tika_gets_up_to_tika_in_flight_documents_at_once(hub, fake_tika, tmp_path, in_flight):
    from hub.fulltext.extract import extract_files
    from hub.fulltext.states import ExtractState
    from hub.models import StoredFile

    hub.configure(TIKA_URL=fake_tika.server.base, TIKA_IN_FLIGHT=in_flight, EXTRACT_OCR_LANGUAGES="")
    shas = []
    with hub.db.session() as session:
        for i in range(6):
            sha, info = hub.store.put_stream([bilingual_pdf(f"copy {i}")], content_type="application/pdf")
            shas.append(sha)
            session.add(StoredFile(sha256=sha, size=info.size, mime_type="application/pdf",
                                   extract_state=ExtractState.PENDING, extract_attempts=0, extract_error_kind="",
                                   extract_error="", extractor="", text_chars=0, text_language="",
                                   text_quality=0.0, needs_ocr=False, ocr=False))
    states = extract_files(hub, shas)
    assert states == {sha: ExtractState.EXTRACTED for sha in shas}
    assert fake_tika.calls == 6
    assert fake_tika.peak == in_flight  # as many in flight as asked for, never more
