"""The extractor contract, run against the embedded extractor and the real Tika server."""

from __future__ import annotations

import pytest

from hub.config import Settings
from storage.extract import ExtractErrorKind, ExtractionError, make_extractor
from storage.extract.quality import detect_language, needs_ocr, quality_score
from tests.storage.backends import (
    CHINESE,
    ENGLISH,
    EXTRACTOR_PARAMS,
    TIKA_URL,
    bilingual_pdf,
    corrupt_pdf,
    encrypted_pdf,
    english_pdf,
    rendered_scan_pdf,
    scanned_pdf,
    tika_has_tesseract,
    zip_bomb,
)


def settings_for(kind: str, **extra) -> Settings:
    base = {"TIKA_URL": TIKA_URL if kind == "tika" else "", "EXTRACT_TIMEOUT": 60.0,
            "EXTRACT_MAX_BYTES": 50 * 1024 * 1024, "EXTRACT_MAX_CHARS": 2_000_000,
            "EXTRACT_MEMORY_LIMIT": 1024 * 1024 * 1024, "EXTRACT_OCR_LANGUAGES": "chi_sim+eng"}
    base.update(extra)
    return Settings.from_mapping(base)  # the rest of the settings keep the hub's defaults


@pytest.fixture(params=EXTRACTOR_PARAMS)
def kind(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zip_bomb()


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_chinese_and_english_pdf(kind, tmp_path):
    result = make_extractor(settings_for(kind)).extract(write(tmp_path, "a.pdf", bilingual_pdf()), "application/pdf")
    assert CHINESE in result.text and ENGLISH in result.text
    assert result.language == "zho"
    assert result.pages == 1 and not result.needs_ocr and result.quality > 0.8
    assert result.extractor == kind


def test_english_pdf_language(kind, tmp_path):
    result = make_extractor(settings_for(kind)).extract(write(tmp_path, "e.pdf", english_pdf()), "application/pdf")
    assert result.language == "eng" and ENGLISH in result.text


def test_scanned_pdf_needs_ocr(kind, tmp_path):
    result = make_extractor(settings_for(kind)).extract(write(tmp_path, "s.pdf", scanned_pdf()), "application/pdf")
    assert result.text.strip() == "" or result.quality < 0.35
    assert result.needs_ocr is True


def test_rendered_scan_is_read_by_ocr_only_through_tika_with_tesseract(kind, tmp_path):
    path = write(tmp_path, "page.pdf", rendered_scan_pdf())
    result = make_extractor(settings_for(kind)).extract(path, "application/pdf")
    words = " ".join(result.text.split()).lower()
    if kind == "tika" and tika_has_tesseract():
        assert "learning" in words and "wetland" in words
        assert "机器学习" in "".join(result.text.split())  # Tesseract spaces out Chinese characters
        assert result.ocr is True and result.needs_ocr is False and result.quality > 0.8
    else:  # the embedded extractor (or a Tika without Tesseract) cannot read pixels
        assert "wetland" not in words and result.ocr is False
        assert result.needs_ocr is True and result.quality < 0.35


def test_encrypted_pdf_is_reported_as_encrypted(kind, tmp_path):
    with pytest.raises(ExtractionError) as info:
        make_extractor(settings_for(kind)).extract(write(tmp_path, "x.pdf", encrypted_pdf()), "application/pdf")
    assert info.value.kind is ExtractErrorKind.ENCRYPTED and info.value.kind.permanent


def test_corrupt_pdf_is_reported_as_corrupt(kind, tmp_path):
    with pytest.raises(ExtractionError) as info:
        make_extractor(settings_for(kind)).extract(write(tmp_path, "c.pdf", corrupt_pdf()), "application/pdf")
    assert info.value.kind is ExtractErrorKind.CORRUPT and not info.value.kind.permanent


def test_zip_bomb_is_bounded(kind, tmp_path, bomb):
    extractor = make_extractor(settings_for(kind, EXTRACT_MAX_CHARS=1_000_000, EXTRACT_MEMORY_LIMIT=512 * 1024 * 1024))
    try:
        result = extractor.extract(write(tmp_path, "bomb.zip", bomb), "application/zip")
    except ExtractionError as exc:  # refused: fine, as long as it is a clear, bounded failure
        assert exc.kind in {ExtractErrorKind.RESOURCE, ExtractErrorKind.CORRUPT, ExtractErrorKind.TIMEOUT,
                            ExtractErrorKind.FAILED, ExtractErrorKind.UNSUPPORTED}
        return
    assert len(result.text) <= 1_000_000
    assert result.truncated or len(result.text) < 1_000_000


def test_too_large_file_is_not_extracted(kind, tmp_path):
    path = write(tmp_path, "big.txt", b"word " * 50_000)
    with pytest.raises(ExtractionError) as info:
        make_extractor(settings_for(kind, EXTRACT_MAX_BYTES=1000)).extract(path, "text/plain")
    assert info.value.kind is ExtractErrorKind.TOO_LARGE


def test_html_and_text(kind, tmp_path):
    html = "<html><head><title>标题</title><script>var x='hidden';</script></head><body><p>正文内容：图书馆的数字化</p></body></html>"
    result = make_extractor(settings_for(kind)).extract(write(tmp_path, "p.html", html.encode()), "text/html")
    assert "正文内容" in result.text and "hidden" not in result.text
    text = "纯文本文件，编码为 GB18030。".encode("gb18030")
    result = make_extractor(settings_for(kind)).extract(write(tmp_path, "t.txt", text), "text/plain")
    assert "纯文本文件" in result.text


def test_embedded_extraction_that_overruns_is_killed(tmp_path):
    pdf = write(tmp_path, "a.pdf", bilingual_pdf())
    slow = write(tmp_path, "slow.html", b"<html><body>" + b"<div><p>word</p></div>" * 1_000_000 + b"</body></html>")
    extractor = make_extractor(settings_for("embedded", EXTRACT_TIMEOUT=0.05))
    with pytest.raises(ExtractionError) as info:
        extractor.extract(slow, "text/html")
    assert info.value.kind is ExtractErrorKind.TIMEOUT
    # The runner recovers: the next file with a sane bound succeeds.
    assert CHINESE in make_extractor(settings_for("embedded")).extract(pdf, "application/pdf").text


def test_embedded_memory_limit_fails_one_file_only(tmp_path):
    pdf = write(tmp_path, "a.pdf", bilingual_pdf())
    starved = make_extractor(settings_for("embedded", EXTRACT_MEMORY_LIMIT=8 * 1024 * 1024))
    with pytest.raises(ExtractionError) as info:
        starved.extract(pdf, "application/pdf")
    assert info.value.kind in {ExtractErrorKind.RESOURCE, ExtractErrorKind.FAILED}
    assert "EXTRACT_MEMORY_LIMIT" in info.value.message or info.value.kind is ExtractErrorKind.FAILED
    assert CHINESE in make_extractor(settings_for("embedded")).extract(pdf, "application/pdf").text


def test_unreachable_tika_is_reported(tmp_path):
    extractor = make_extractor(settings_for("tika", TIKA_URL="http://127.0.0.1:9"))
    with pytest.raises(ExtractionError) as info:
        extractor.extract(write(tmp_path, "a.pdf", bilingual_pdf()), "application/pdf")
    assert info.value.kind is ExtractErrorKind.UNAVAILABLE


def test_language_and_quality():
    assert detect_language("量子计算在图书馆中的应用研究") == "zho"
    assert detect_language("The results of this study show that the method works") == "eng"
    assert detect_language("これは日本語のテキストです。ひらがなとカタカナ") == "jpn"
    assert detect_language("") == "und"
    assert quality_score("") == 0.0 and needs_ocr(0.0)
    assert quality_score("\x01\x02\x03 ~~~ \ufffd\ufffd\ufffd" * 5) < 0.35
    assert quality_score("A clear sentence of real words, long enough for one page of text.") > 0.9
