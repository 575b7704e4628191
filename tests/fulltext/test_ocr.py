"""A scanned page through the files and extract stages: OCR by Tika's Tesseract, or marked needs-OCR.

The page is rendered in the test (English lines and a Chinese line drawn by Pillow into an
image-only PDF). The embedded extractor cannot read pixels and leaves the file marked needs-OCR;
the Tika extractor finds no text layer and sends the file again with OCR on, when the server has
Tesseract (scripts/services installs it with eng and chi_sim when apt can).
"""

from __future__ import annotations

import hashlib
import json

import pytest

from hub.fulltext.states import ExtractState
from hub.models import Record, StoredFile
from hub.states import FulltextState
from storage.base import meta_key, text_key
from tests.fulltext.conftest import run_files
from tests.storage.backends import EXTRACTOR_PARAMS, TIKA_URL, rendered_scan_pdf, tika_has_tesseract


@pytest.fixture(params=EXTRACTOR_PARAMS)
def extractor_kind(request) -> str:
    return request.param


@pytest.fixture
def overrides(overrides, extractor_kind):
    """The full-text overrides (each store) with each extractor: embedded, and Tika when the test server is set."""
    return dict(overrides, TIKA_URL=TIKA_URL if extractor_kind == "tika" else "", EXTRACT_OCR_LANGUAGES="chi_sim+eng")


def test_scanned_page_is_recognised_by_ocr_or_marked_needs_ocr(hub, files_server, make_record):
    data = rendered_scan_pdf()
    sha = hashlib.sha256(data).hexdigest()
    rid = make_record({"url": files_server.add_file("/bitstream/7/scan.pdf", data)})
    assert run_files(hub, [rid]).counts["stored"] == 1
    with hub.db.session() as session:
        stored = session.get(StoredFile, sha)
        state, extractor, ocr, needs_ocr, quality = (stored.extract_state, stored.extractor, stored.ocr,
                                                     stored.needs_ocr, stored.text_quality)
        assert session.get(Record, rid).fulltext_state is FulltextState.EXTRACTED
    store = hub.store
    text = store.get_bytes(text_key(sha)).decode()
    facts = json.loads(store.get_bytes(meta_key(sha)))
    words = " ".join(text.split()).lower()
    assert state is ExtractState.EXTRACTED
    assert facts["extractor"] == extractor == ("tika" if hub.settings["TIKA_URL"] else "embedded")
    assert facts["pages"] == 1 and facts["chars"] == len(text)
    if hub.settings["TIKA_URL"] and tika_has_tesseract():
        assert "learning" in words and "wetland" in words, text
        assert "机器学习" in "".join(text.split()), text  # Tesseract spaces out Chinese characters
        assert ocr is True and facts["ocr"] is True
        assert needs_ocr is False and facts["needs_ocr"] is False
        assert quality > 0.8 and facts["quality"] == quality
        assert any("OCR" in warning for warning in facts["warnings"])
    else:  # the embedded extractor (or a Tika without Tesseract) cannot read pixels
        assert "wetland" not in words
        assert ocr is False and facts["ocr"] is False
        assert needs_ocr is True and facts["needs_ocr"] is True
        assert quality < 0.35
