"""The files stage, one link: download a full-text file into the object store.

The download goes through the hub's :class:`~hub.http.HttpClient` (address checks on every
redirect hop, the repository's politeness limiter and request delay, retries with backoff
before the body starts). The body is spooled (hashed while written, capped at
``FILE_MAX_BYTES``); a transfer broken mid-body is resumed with ``Range`` from the bytes
already spooled (``If-Range`` guards against a file that changed meanwhile), up to
``FILE_RESUME_ATTEMPTS`` times. The first bytes are sniffed: HTML where a document was
promised (a landing page served as ``application/pdf``) is refused as ``landing-page``.
A previous download's ETag / Last-Modified make the request conditional, so an unchanged
file is not downloaded again (HTTP 304). Each transfer (opening and body) must end within
``FILE_DEADLINE`` seconds (the client's ``file_deadline``): a server dripping the file fails the
download as ``deadline`` (retryable), not as a broken transfer to resume.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import requests

from hub.http import (
    DeadlineExceeded,
    HarvestError,
    HttpClient,
    HttpError,
    ResponseTooLarge,
    RetryLater,
    UnsafeURLError,
)
from hub.redaction import redact_url
from hub.states import ErrorKind
from hub.transport import DeadlinePassed
from storage.base import ObjectStore, ObjectTooLarge, Spool
from storage.extract.formats import sniff

CHUNK = 64 * 1024
_CONTENT_RANGE_RE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", re.I)
_HTML_TYPES = {"text/html", "application/xhtml+xml"}


def http_status_kind(status: int) -> str:
    """The error kind of a download answered with HTTP ``status``: its :class:`ErrorKind` member
    (``http-404``), or the same ``http-<status>`` form for a status the enum does not list."""
    try:
        return ErrorKind(f"http-{status}")
    except ValueError:
        return f"http-{status}"


class FetchFailed(Exception):
    """A download that failed; ``kind`` is an :class:`ErrorKind` value (or :func:`http_status_kind`),
    ``retryable`` says if later may help."""

    def __init__(self, kind: str, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retryable = retryable


@dataclass
class Downloaded:
    """A finished download: stored (``sha256`` set) or not modified since the last one."""

    not_modified: bool
    sha256: str = ""
    size: int = 0
    mime_type: str = ""
    etag: str = ""
    last_modified: str = ""
    resumed: int = 0  # how many times the transfer was resumed with Range


class _Broken(Exception):
    """The body stopped before its declared end."""


def _media_type(value: str) -> str:
    return (value or "").split(";")[0].strip().lower()


def _expected_total(response: requests.Response, offset: int) -> int | None:
    """Total size of the file announced by a 200 (Content-Length) or 206 (Content-Range) answer."""
    if response.status_code == 206:
        match = _CONTENT_RANGE_RE.match(response.headers.get("Content-Range", ""))
        if match and match[3] != "*":
            return int(match[3])
        return None
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and not response.headers.get("Content-Encoding"):
        return int(length)
    return None


def _receive(response: requests.Response, spool: Spool) -> None:
    """Append the body to the spool; raise _Broken when it ends early."""
    total = _expected_total(response, spool.size)
    try:
        for chunk in response.iter_content(CHUNK):
            if chunk:
                spool.write(chunk)
    except DeadlinePassed:
        raise  # the client turns it into DeadlineExceeded: not a transfer to resume
    except (requests.RequestException, OSError) as exc:
        raise _Broken(f"transfer broken after {spool.size} bytes: {exc}") from exc
    if total is not None and spool.size < total:
        raise _Broken(f"transfer broken: {spool.size} of {total} bytes received")


def _check_checksum(spool: Spool, checksum: str) -> None:
    algo, _, value = (checksum or "").partition(":")
    if algo.lower() == "sha256" and re.fullmatch(r"[0-9a-fA-F]{64}", value) and value.lower() != spool.sha256:
        raise FetchFailed(ErrorKind.CHECKSUM_MISMATCH, f"the file's sha256 is {spool.sha256}, the source says {value}")


def download(http: HttpClient, store: ObjectStore, url: str, *, max_bytes: int, declared_mime: str = "",
             etag: str = "", last_modified: str = "", checksum: str = "", resume_attempts: int = 3) -> Downloaded:
    """Download ``url`` into ``store`` (see the module doc); raise :class:`FetchFailed` with a clear kind."""
    shown = redact_url(url)
    conditional: dict[str, str] = {}
    if etag:
        conditional["If-None-Match"] = etag
    if last_modified:
        conditional["If-Modified-Since"] = last_modified
    facts: dict[str, Any] = {"etag": "", "last_modified": "", "content_type": ""}
    resumed = 0
    try:
        with store.spool(max_bytes) as spool:
            for attempt in range(resume_attempts + 1):
                headers = dict(conditional) if attempt == 0 else {}
                headers["Accept-Encoding"] = "identity"  # byte offsets for Range must be the file's own
                if spool.size:
                    headers["Range"] = f"bytes={spool.size}-"
                    validator = facts["etag"] if facts["etag"] and not facts["etag"].startswith("W/") \
                        else facts["last_modified"]
                    if validator:
                        headers["If-Range"] = validator
                try:
                    with http.stream(url, headers=headers, max_bytes=max_bytes,
                                     deadline=http.file_deadline) as response:
                        if response.status_code == 304:
                            return Downloaded(True, etag=etag, last_modified=last_modified)
                        if response.status_code not in (200, 206):
                            raise FetchFailed(http_status_kind(response.status_code),
                                              f"{shown} answered HTTP {response.status_code}")
                        if spool.size and response.status_code == 200:
                            spool.reset()  # the server ignored Range (or the file changed): start over
                        elif response.status_code == 206:
                            match = _CONTENT_RANGE_RE.match(response.headers.get("Content-Range", ""))
                            if match is None or int(match[1]) != spool.size:
                                spool.reset()
                                raise _Broken(f"the server resumed at the wrong offset "
                                              f"({response.headers.get('Content-Range')!r})")
                        if response.status_code == 200 or not facts["content_type"]:
                            facts.update(etag=response.headers.get("ETag", ""),
                                         last_modified=response.headers.get("Last-Modified", ""),
                                         content_type=_media_type(response.headers.get("Content-Type", "")))
                        _receive(response, spool)
                    break
                except _Broken as exc:
                    if attempt >= resume_attempts:
                        raise FetchFailed(ErrorKind.BROKEN_TRANSFER, f"{shown}: {exc}; gave up after {resumed} resumptions",
                                          retryable=True) from exc
                    resumed += 1
                    http.sleep(min(http.backoff_delay(attempt), 30.0))
            return _finish(store, spool, url, declared_mime, facts, checksum, resumed)
    except ObjectTooLarge as exc:
        raise FetchFailed(ErrorKind.TOO_LARGE, f"{shown} is larger than FILE_MAX_BYTES={max_bytes}") from exc
    except ResponseTooLarge as exc:
        raise FetchFailed(ErrorKind.TOO_LARGE, f"{exc} (FILE_MAX_BYTES)") from exc
    except UnsafeURLError as exc:
        raise FetchFailed(ErrorKind.UNSAFE_URL, str(exc)) from exc
    except RetryLater as exc:
        raise FetchFailed(ErrorKind.RETRY_LATER, str(exc), retryable=True) from exc
    except DeadlineExceeded as exc:
        raise FetchFailed(ErrorKind.DEADLINE, f"{exc} (FILE_DEADLINE={http.file_deadline:.0f})", retryable=True) from exc
    except HttpError as exc:
        status = exc.status
        kind = http_status_kind(status) if status else ErrorKind.UNREACHABLE
        raise FetchFailed(kind, str(exc), retryable=status is None or status >= 500 or status == 429) from exc
    except HarvestError as exc:
        raise FetchFailed(ErrorKind.HTTP_ERROR, str(exc), retryable=exc.retryable) from exc


def _finish(store: ObjectStore, spool: Spool, url: str, declared_mime: str, facts: dict[str, Any],
            checksum: str, resumed: int) -> Downloaded:
    """Sniff, verify and commit the spooled file."""
    if spool.size == 0:
        raise FetchFailed(ErrorKind.EMPTY, f"{redact_url(url)} sent an empty body", retryable=True)
    sniffed = sniff(spool.head(4096))
    promised = _media_type(declared_mime) or facts["content_type"]
    if sniffed == "text/html" and promised not in _HTML_TYPES:
        raise FetchFailed(ErrorKind.LANDING_PAGE, f"{redact_url(url)} sent an HTML page where a {promised or 'document'} file was "
                                          "expected (a landing or login page, not the full text)")
    _check_checksum(spool, checksum)
    mime = sniffed if sniffed and sniffed not in {"text/plain", "application/xml"} else (promised or sniffed)
    if sniffed == "application/zip" and promised and promised != "application/octet-stream":
        mime = promised  # a zip container the source names better (docx, odt, epub)
    info = store.commit(spool, content_type=mime or "application/octet-stream")
    return Downloaded(False, spool.sha256, info.size, mime or "application/octet-stream", facts["etag"],
                      facts["last_modified"], resumed)
