"""Extraction through an Apache Tika server (``TIKA_URL``), recursive metadata endpoint ``/rmeta/text``.

Why plain ``requests`` rather than the ``tika`` package's ``parser.from_file``: the package (in
client-only mode) does stream the upload, but it reads the whole answer into memory
(``resp.text``) with no size cap and no way to pass a session or per-request headers for OCR
per call cleanly. A decompression bomb can make Tika answer with gigabytes of text; here the
upload streams from the file, the answer is read in chunks against a byte cap, Tika's own
``writeLimit`` bounds the characters, and the request has a deadline (``EXTRACT_TIMEOUT``).

``/rmeta/text`` returns one metadata object per document (the container first, then each
embedded file) with its text in ``X-TIKA:content``; texts are joined, container metadata kept.
A document with no real text layer (a scan) is sent a second time with OCR on
(``X-Tika-PDFOcrStrategy: ocr_only``, ``X-Tika-OCRLanguage``) when the server has Tesseract.

Several documents are in flight to the server at once (``TIKA_IN_FLIGHT``): the extract stage
calls one extractor from that many threads, each with its own HTTP session (connection).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import requests
import requests.adapters

from storage.extract.base import ExtractErrorKind, ExtractionError, ExtractionResult, Extractor
from storage.extract.quality import needs_ocr, quality_score

CHUNK = 256 * 1024
_KEEP_META = ("Content-Type", "dc:title", "dc:creator", "dc:language", "xmpTPg:NPages", "pdf:encrypted",
              "pdf:PDFVersion", "dcterms:created", "dcterms:modified", "X-TIKA:Parsed-By")


class TikaExtractor(Extractor):
    """Sends files to a Tika server and bounds what comes back."""

    name = "tika"

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        self.url = str(settings["TIKA_URL"]).rstrip("/")
        self.ocr_languages = str(settings["EXTRACT_OCR_LANGUAGES"])
        self.in_flight = max(1, int(settings["TIKA_IN_FLIGHT"]))
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        """This thread's HTTP session to the server (``in_flight`` threads send documents at once)."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.trust_env = False
            adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=1)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        return session

    @cached_property
    def ocr_available(self) -> bool:
        """True when the server lists the Tesseract OCR parser (and OCR languages are configured)."""
        if not self.ocr_languages:
            return False
        try:
            response = self.session.get(f"{self.url}/parsers", timeout=10, headers={"Accept": "text/plain"})
            return response.ok and "TesseractOCRParser" in response.text
        except requests.RequestException:
            return False

    def _headers(self, ocr: bool) -> dict[str, str]:
        headers = {
            "Accept": "application/json",
            "writeLimit": str(self.max_chars),
            "throwOnWriteLimitReached": "false",
            "maxEmbeddedResources": "1000",
        }
        if ocr:
            headers.update({"X-Tika-PDFOcrStrategy": "ocr_only", "X-Tika-OCRLanguage": self.ocr_languages})
        else:
            headers.update({"X-Tika-PDFOcrStrategy": "no_ocr", "X-Tika-OCRskipOcr": "true"})
        return headers

    def _call(self, path: Path, ocr: bool, mime_type: str = "") -> list[dict[str, Any]]:
        """PUT the file to /rmeta/text; the parsed JSON list, read within the byte cap and deadline."""
        deadline = time.monotonic() + self.timeout
        cap = self.max_chars * 4 + 16 * 1024 * 1024
        try:
            with open(path, "rb") as fh:
                headers = self._headers(ocr)
                if mime_type and mime_type != "application/octet-stream":
                    headers["Content-Type"] = mime_type  # a hint; Tika still looks at the bytes
                response = self.session.put(f"{self.url}/rmeta/text", data=fh, headers=headers,
                                            timeout=(10, self.timeout), stream=True)
            with response:
                body = bytearray()
                for chunk in response.iter_content(CHUNK):
                    body += chunk
                    if len(body) > cap:
                        raise ExtractionError(ExtractErrorKind.RESOURCE, f"Tika answered more than {cap} bytes")
                    if time.monotonic() > deadline:
                        raise ExtractionError(ExtractErrorKind.TIMEOUT,
                                              f"Tika took longer than EXTRACT_TIMEOUT={self.timeout:g}s")
                status = response.status_code
        except requests.exceptions.ReadTimeout as exc:
            raise ExtractionError(ExtractErrorKind.TIMEOUT,
                                  f"Tika took longer than EXTRACT_TIMEOUT={self.timeout:g}s") from exc
        except requests.RequestException as exc:
            raise ExtractionError(ExtractErrorKind.UNAVAILABLE, f"Tika server {self.url} unreachable: {exc}") from exc
        text = bytes(body).decode("utf-8", errors="replace")
        if status == 415:
            raise ExtractionError(ExtractErrorKind.UNSUPPORTED, "Tika cannot read this format (HTTP 415)")
        if status == 422:
            kind = ExtractErrorKind.ENCRYPTED if "Encrypted" in text else ExtractErrorKind.CORRUPT
            raise ExtractionError(kind, f"Tika could not parse the file (HTTP 422): {text[:300]}")
        if status >= 400:
            raise ExtractionError(ExtractErrorKind.FAILED, f"Tika answered HTTP {status}: {text[:300]}")
        try:
            docs = json.loads(text)
        except ValueError as exc:
            raise ExtractionError(ExtractErrorKind.FAILED, f"Tika answered no JSON: {text[:200]}") from exc
        if not isinstance(docs, list) or not docs:
            raise ExtractionError(ExtractErrorKind.FAILED, "Tika answered an empty metadata list")
        return docs

    def _result(self, docs: list[dict[str, Any]], ocr: bool) -> ExtractionResult:
        container = docs[0]
        error = str(container.get("X-TIKA:EXCEPTION:container_exception", ""))
        texts = [str(doc.get("X-TIKA:content") or "").strip() for doc in docs]
        text = "\n\n".join(t for t in texts if t)
        if error:
            first = error.splitlines()[0][:300]
            if "EncryptedDocumentException" in error or str(container.get("pdf:encrypted")) == "true" and not text:
                raise ExtractionError(ExtractErrorKind.ENCRYPTED, f"the document is encrypted ({first})")
            if not text:
                kind = ExtractErrorKind.RESOURCE if "ZeroByteFile" not in error and (
                    "TikaMemoryLimit" in error or "TooMany" in error) else ExtractErrorKind.CORRUPT
                raise ExtractionError(kind, f"Tika could not parse the file: {first}")
        pages = container.get("xmpTPg:NPages")
        meta = {k: container[k] for k in _KEEP_META if k in container}
        warnings = [f"{k}: {str(v).splitlines()[0][:300]}" for doc in docs for k, v in doc.items()
                    if k.startswith("X-TIKA:EXCEPTION:") and k != "X-TIKA:EXCEPTION:write_limit_reached"]
        truncated = any(str(doc.get("X-TIKA:EXCEPTION:write_limit_reached", "")).lower() == "true" for doc in docs)
        content_type = str(container.get("Content-Type", "")).split(";")[0]
        return ExtractionResult(text, self.name, content_type, pages=int(str(pages)) if str(pages).isdigit() else None,
                                embedded=len(docs) - 1, truncated=truncated, ocr=ocr, metadata=meta,
                                warnings=warnings)

    def _extract(self, path: Path, mime_type: str) -> ExtractionResult:
        result = self._result(self._call(path, ocr=False, mime_type=mime_type), ocr=False)
        if needs_ocr(quality_score(result.text, result.pages)) and result.content_type in {"application/pdf"} | _IMAGE_TYPES and self.ocr_available:
            ocr_result = self._result(self._call(path, ocr=True, mime_type=mime_type), ocr=True)
            if len(ocr_result.text.strip()) > len(result.text.strip()):
                ocr_result.warnings.append("text recognised by OCR (Tesseract through Tika)")
                return ocr_result
        return result

    def describe(self) -> str:
        try:
            version = self.session.get(f"{self.url}/version", timeout=5).text.strip()
        except requests.RequestException as exc:
            raise ConnectionError(f"Tika server {self.url} unreachable ({exc})") from exc
        ocr = "OCR (Tesseract) available" if self.ocr_available else "no OCR (Tesseract not found on the server)"
        return f"{version} at {self.url}; {ocr}"


_IMAGE_TYPES = {"image/png", "image/jpeg", "image/tiff", "image/gif", "image/bmp"}
