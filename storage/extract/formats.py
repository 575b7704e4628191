"""Pure-Python text extraction per format (PDF, HTML, plain text, Office/EPUB/ZIP containers).

These functions run inside the guarded child process of :mod:`storage.extract.embedded`: they
may be slow or blow up on hostile input, and the parent bounds their time and memory. Archive
members are read in chunks against a total unpacked-bytes budget, so a zip bomb is cut short.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from storage.extract.base import ExtractErrorKind, ExtractionError, ExtractionResult

MAX_UNPACKED = 64 * 1024 * 1024  # bytes read out of one archive, all members together
MAX_MARKUP = 32 * 1024 * 1024  # bytes of HTML/XML parsed
_TAG_RE = re.compile(rb"<[^>]{0,4096}>")
_CHARSET_RE = re.compile(rb"""<meta[^>]{0,200}charset=["']?([A-Za-z0-9_-]{2,40})""", re.I)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_ZIP_TEXT_MEMBERS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("word/document.xml",),
    "application/vnd.oasis.opendocument.text": ("content.xml",),
}


def sniff(head: bytes) -> str:
    """MIME type from magic bytes ('' when unknown)."""
    start = head.lstrip()[:512].lower()
    if head.startswith(b"%PDF-") or b"%pdf-" in head[:1024].lower():
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/epub+zip" in head[:100]:
            return "application/epub+zip"
        if b"mimetypeapplication/vnd.oasis.opendocument.text" in head[:120]:
            return "application/vnd.oasis.opendocument.text"
        if b"word/" in head or b"[Content_Types].xml" in head:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return "application/zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/x-tika-msoffice"
    if head.startswith(b"{\\rtf"):
        return "application/rtf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "image/" + {b"\x89P": "png", b"\xff\xd8": "jpeg", b"GI": "gif"}.get(head[:2], "tiff")
    if start.startswith((b"<!doctype html", b"<html")) or b"<html" in start or b"<head" in start or b"<body" in start:
        return "text/html"
    if start.startswith(b"<?xml") or start.startswith(b"<"):
        return "application/xml"
    if head and b"\x00" not in head[:4096]:
        return "text/plain"
    return ""


def decode_text(data: bytes) -> str:
    """Bytes of unknown encoding as text: UTF-8 (with BOM), then GB18030, else Latin-1."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _pdf(path: Path) -> ExtractionResult:
    import pypdf
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = pypdf.PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise ExtractionError(ExtractErrorKind.ENCRYPTED, "the PDF is encrypted with a user password")
            except (NotImplementedError, FileNotDecryptedError) as exc:
                raise ExtractionError(ExtractErrorKind.ENCRYPTED, f"the PDF is encrypted: {exc}") from exc
        texts, warnings = [], []
        for number, page in enumerate(reader.pages, start=1):
            try:
                texts.append(page.extract_text() or "")
            except Exception as exc:  # one broken page does not lose the others
                warnings.append(f"page {number}: {type(exc).__name__}: {exc}"[:300])
        meta = {k.lstrip("/"): str(v)[:1000] for k, v in (reader.metadata or {}).items()}
        return ExtractionResult("\n\n".join(texts), "embedded", "application/pdf", pages=len(reader.pages),
                                metadata=meta, warnings=warnings)
    except ExtractionError:
        raise
    except FileNotDecryptedError as exc:
        raise ExtractionError(ExtractErrorKind.ENCRYPTED, f"the PDF is encrypted: {exc}") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            RecursionError, AssertionError, ZeroDivisionError) as exc:
        raise ExtractionError(ExtractErrorKind.CORRUPT, f"unreadable PDF: {type(exc).__name__}: {exc}"[:500]) from exc


def html_text(data: bytes) -> tuple[str, dict[str, Any]]:
    """Visible text and title of an HTML document."""
    import lxml.html
    from lxml import etree

    if not data.strip():
        return "", {}
    data = data[:MAX_MARKUP]
    declared = _CHARSET_RE.search(data[:4096])
    try:
        markup = data.decode(declared[1].decode("ascii")) if declared else decode_text(data)
    except (LookupError, UnicodeDecodeError):
        markup = decode_text(data)
    try:
        doc = lxml.html.document_fromstring(_XML_DECL_RE.sub("", markup))
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(ExtractErrorKind.CORRUPT, f"unreadable HTML: {exc}") from exc
    for bad in doc.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    title = (doc.findtext(".//title") or "").strip()
    text = "\n".join(line.strip() for line in doc.text_content().splitlines() if line.strip())
    return text, ({"title": title} if title else {})


def _markup_text(data: bytes) -> str:
    return decode_text(_TAG_RE.sub(b" ", data[:MAX_MARKUP]))


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> tuple[bytes, bool]:
    """Read one member within the shared budget; returns (bytes, cut short)."""
    out = io.BytesIO()
    with zf.open(info) as fh:
        while True:
            if budget[0] <= 0:
                return out.getvalue(), True
            chunk = fh.read(min(1024 * 1024, budget[0]))
            if not chunk:
                return out.getvalue(), False
            budget[0] -= len(chunk)
            out.write(chunk)


def _zip(path: Path, mime_type: str) -> ExtractionResult:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExtractionError(ExtractErrorKind.CORRUPT, f"unreadable archive: {exc}") from exc
    budget = [MAX_UNPACKED]
    texts, warnings, used = [], [], 0
    wanted = _ZIP_TEXT_MEMBERS.get(mime_type)
    with zf:
        for info in zf.infolist()[:10_000]:
            name = info.filename.lower()
            if info.is_dir() or (wanted and info.filename not in wanted):
                continue
            if not wanted and not name.endswith((".txt", ".html", ".htm", ".xhtml", ".xml", ".md", ".csv")):
                continue
            try:
                data, cut = _read_member(zf, info, budget)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
                warnings.append(f"{info.filename}: {exc}"[:300])
                continue
            if cut:
                warnings.append(f"archive unpacks to more than {MAX_UNPACKED} bytes; the rest was not read")
            used += 1
            texts.append(decode_text(data) if name.endswith((".txt", ".md", ".csv")) else _markup_text(data))
            if cut:
                break
    return ExtractionResult("\n\n".join(t.strip() for t in texts), "embedded", mime_type or "application/zip",
                            embedded=used, warnings=warnings, truncated=any("unpacks" in w for w in warnings))


def extract_path(path: Path, mime_type: str = "") -> ExtractionResult:
    """Text of the file at ``path``; the magic bytes win over the declared ``mime_type``."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    kind = sniff(head) or mime_type.split(";")[0].strip().lower()
    if kind == "application/pdf":
        return _pdf(path)
    if kind in {"application/zip", "application/epub+zip"} or kind in _ZIP_TEXT_MEMBERS:
        return _zip(path, kind)
    if kind in {"text/html", "application/xhtml+xml"}:
        with open(path, "rb") as fh:
            text, meta = html_text(fh.read(MAX_MARKUP))
        return ExtractionResult(text, "embedded", "text/html", metadata=meta)
    if kind in {"application/xml", "text/xml"}:
        with open(path, "rb") as fh:
            return ExtractionResult(_markup_text(fh.read(MAX_MARKUP)), "embedded", kind)
    if kind == "text/plain" or kind.startswith("text/"):
        with open(path, "rb") as fh:
            return ExtractionResult(decode_text(fh.read(MAX_MARKUP)), "embedded", "text/plain")
    raise ExtractionError(ExtractErrorKind.UNSUPPORTED,
                          f"the embedded extractor cannot read {kind or 'this format'}; configure TIKA_URL")
