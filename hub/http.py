"""The hub's HTTP client for member repositories: address-checked, polite, bounded and retrying.

Every request the hub makes to a repository goes through :class:`HttpClient`:

- each URL (and every redirect hop, followed by hand) is checked by :func:`check_url`, so a
  repository cannot point the hub at private, loopback or link-local addresses (SSRF);
- bodies are read with a byte cap (:class:`ResponseTooLarge`), after gzip/deflate decoding;
- connection errors, timeouts, truncated bodies and HTTP 429/500/502/503/504 are retried with
  capped exponential backoff, honouring ``Retry-After`` up to ``HTTP_MAX_RETRY_AFTER``; a longer
  one raises :class:`RetryLater` at once so the run fails resumably;
- requests to one client are spaced by ``HARVEST_REQUEST_DELAY`` and may be wrapped in a limiter
  (a cross-worker per-repository concurrency limit).
"""

from __future__ import annotations

import contextlib
import email.utils
import ipaddress
import random
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
CHUNK_SIZE = 64 * 1024

Resolver = Callable[[str, int], list[str]]


class HarvestError(Exception):
    """Base of every error met while harvesting; ``retryable`` says whether trying later may help."""

    retryable: bool = True

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable


class UnsafeURLError(HarvestError):
    """A URL (or a redirect target) the hub refuses to fetch: bad scheme or a non-public address."""

    retryable = False


class HttpError(HarvestError):
    """A request that failed for good: retries exhausted, or a status that retrying cannot fix."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None,
                 retryable: bool | None = None) -> None:
        super().__init__(message, retryable=retryable)
        self.url = url
        self.status = status


class RetryLater(HarvestError):
    """The server asked us to come back later than ``HTTP_MAX_RETRY_AFTER`` allows to wait now."""

    def __init__(self, seconds: float, message: str = "") -> None:
        super().__init__(message or f"the server asked to retry after {seconds:.0f} seconds")
        self.seconds = seconds


class ResponseTooLarge(HarvestError):
    """A response body larger than the byte cap; retrying will not shrink it."""

    retryable = False


@dataclass
class FetchResult:
    """A response read whole: final status, headers, body bytes and the final URL (after redirects)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    def raise_for_status(self) -> None:
        """Raise :class:`HttpError` for a 4xx or 5xx status."""
        if self.status >= 400:
            raise HttpError(f"{self.url} answered HTTP {self.status}", url=self.url, status=self.status,
                            retryable=self.status >= 500)


def _system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (all families), as strings."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public_address(address: str) -> bool:
    """True when ``address`` is a global unicast address (IPv4-mapped IPv6 judged by its IPv4 part)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_private or ip.is_reserved
                                 or ip.is_loopback or ip.is_link_local or ip.is_unspecified)


def check_url(url: str, allow_private: bool, resolver: Resolver | None = None) -> None:
    """Refuse ``url`` unless it is http(s) and its host resolves only to public addresses.

    Every address the host resolves to is checked (a host with one public and one private address
    is refused). ``allow_private`` (demo and tests) skips the address check, not the scheme check.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        raise UnsafeURLError(f"{url!r}: only http and https URLs can be harvested")
    host = parts.hostname
    if not host:
        raise UnsafeURLError(f"{url!r}: the URL names no host")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as exc:
        raise UnsafeURLError(f"{url!r}: bad port ({exc})") from exc
    try:
        addresses = [str(ipaddress.ip_address(host.split("%", 1)[0]))]
    except ValueError:
        try:
            addresses = (resolver or _system_resolver)(host, port)
        except (OSError, UnicodeError) as exc:
            raise HttpError(f"{host} cannot be resolved ({exc})", url=url, retryable=True) from exc
    if not addresses:
        raise HttpError(f"{host} resolves to no address", url=url, retryable=True)
    for address in addresses:
        if not is_public_address(address):
            raise UnsafeURLError(
                f"{url!r}: {host} resolves to {address}, a private, loopback, link-local or reserved "
                "address; the hub only harvests public addresses (ALLOW_PRIVATE_ADDRESSES is off)")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date); None if absent or junk."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def read_capped(response: requests.Response, max_bytes: int, url: str = "") -> bytes:
    """Read a streamed response whole, raising :class:`ResponseTooLarge` past ``max_bytes`` (decoded)."""
    url = url or response.url
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and not response.headers.get("Content-Encoding") and int(declared) > max_bytes:
        raise ResponseTooLarge(f"{url} sends {int(declared)} bytes, more than the limit of {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(CHUNK_SIZE):
        size += len(chunk)
        if size > max_bytes:
            raise ResponseTooLarge(f"{url} sent more than the limit of {max_bytes} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if declared.isdigit() and encoding in {"", "identity"} and len(body) != int(declared):
        raise requests.exceptions.ChunkedEncodingError(
            f"body truncated: {len(body)} of {int(declared)} bytes received")
    return body


def _describe(exc: BaseException) -> str:
    """A short readable form of a requests exception."""
    kind = {requests.exceptions.ConnectTimeout: "connect timeout",
            requests.exceptions.ReadTimeout: "read timeout",
            requests.exceptions.ChunkedEncodingError: "truncated body",
            requests.exceptions.ContentDecodingError: "undecodable body"}.get(type(exc))
    if kind is None and isinstance(exc, requests.ConnectionError):
        kind = "connection error"
    return f"{kind or type(exc).__name__}: {exc}"


def _exhausted(url: str, attempts: int, status: int, last: str) -> str:
    """The message of a request that failed on every attempt."""
    if status:
        return f"{url} answered HTTP {status} {attempts} times; last: {last}"
    return f"{url} failed {attempts} times; last: {last}"


_TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
              requests.exceptions.ContentDecodingError)


class HttpClient:
    """One requests session with the hub's safety, politeness and retry rules (see the module doc)."""

    def __init__(self, settings: Mapping[str, Any], sleep: Callable[[float], None] = time.sleep,
                 limiter: Callable[[], AbstractContextManager[Any]] | None = None,
                 resolver: Resolver | None = None) -> None:
        self.settings = settings
        self.sleep = sleep
        self.limiter = limiter
        self.resolver = resolver
        self.allow_private = bool(settings.get("ALLOW_PRIVATE_ADDRESSES", False))
        self.timeout = (float(settings.get("HTTP_CONNECT_TIMEOUT", 10.0)),
                        float(settings.get("HTTP_READ_TIMEOUT", 120.0)))
        self.max_retries = int(settings.get("HTTP_MAX_RETRIES", 5))
        self.backoff_base = float(settings.get("HTTP_BACKOFF_BASE", 2.0))
        self.backoff_max = float(settings.get("HTTP_BACKOFF_MAX", 300.0))
        self.max_retry_after = float(settings.get("HTTP_MAX_RETRY_AFTER", 3600.0))
        self.max_page_bytes = int(settings.get("HARVEST_MAX_PAGE_BYTES", 64 * 1024 * 1024))
        self.request_delay = float(settings.get("HARVEST_REQUEST_DELAY", 0.0))
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy from the environment can bypass the address check
        self.session.headers.update({
            "User-Agent": str(settings.get("USER_AGENT") or "CHAIR-Hub"),
            "Accept-Encoding": "gzip, deflate",
        })
        self._last_request: float | None = None

    # -- public API -------------------------------------------------------------------------

    def get(self, url: str, params: Mapping[str, Any] | None = None, *, max_bytes: int | None = None,
            headers: Mapping[str, str] | None = None) -> FetchResult:
        """GET ``url`` and read the body whole (at most ``max_bytes``, default HARVEST_MAX_PAGE_BYTES).

        Retries transient failures; returns any other status (the caller judges 4xx and an empty 200).
        """
        return self._fetch(url, params, max_bytes, headers)

    def post_json(self, url: str, payload: Any, params: Mapping[str, Any] | None = None, *,
                  max_bytes: int | None = None, headers: Mapping[str, str] | None = None) -> FetchResult:
        """POST ``payload`` as JSON to a read-only query endpoint (one that answers like a GET, e.g. DSpace
        5/6 ``/items/find-by-metadata-field``) with the same checks, retries and caps as :meth:`get`.

        A 307/308 redirect repeats the POST at the checked new address; any other redirect is followed
        with a GET, as browsers do.
        """
        return self._fetch(url, params, max_bytes, headers, payload=payload)

    def _fetch(self, url: str, params: Mapping[str, Any] | None, max_bytes: int | None,
               headers: Mapping[str, str] | None, payload: Any = None) -> FetchResult:
        cap = self.max_page_bytes if max_bytes is None else max_bytes
        last = ""
        for attempt in range(self.max_retries + 1):
            retry_after: float | None = None
            try:
                with self._limited():
                    response = self._open(url, params, headers, payload)
                    try:
                        status = response.status_code
                        if status in RETRY_STATUSES:
                            retry_after = parse_retry_after(response.headers.get("Retry-After"))
                            last = f"HTTP {status} {response.reason or ''}".strip()
                        else:
                            body = read_capped(response, cap, url=response.url)
                            return FetchResult(status, dict(response.headers), body, response.url)
                    finally:
                        response.close()
            except _TRANSIENT as exc:
                status, last = 0, _describe(exc)
            self._wait_before_retry(attempt, retry_after, url, last)
        raise HttpError(_exhausted(url, self.max_retries + 1, status, last), url=url, status=status or None,
                        retryable=True)

    @contextlib.contextmanager
    def stream(self, url: str, params: Mapping[str, Any] | None = None, *, max_bytes: int | None = None,
               headers: Mapping[str, str] | None = None) -> Iterator[requests.Response]:
        """Open ``url`` for a large download and yield the streamed response (status < 400).

        Address and redirect checks, retries before the body starts, the limiter and the politeness
        delay apply as in :meth:`get`. A declared length above ``max_bytes`` raises
        :class:`ResponseTooLarge`; read the body with :func:`read_capped` or ``iter_content`` and
        count bytes yourself.
        """
        last = ""
        for attempt in range(self.max_retries + 1):
            retry_after: float | None = None
            with self._limited():
                try:
                    response = self._open(url, params, headers)
                except _TRANSIENT as exc:
                    response, last = None, _describe(exc)
                if response is not None:
                    status = response.status_code
                    if status not in RETRY_STATUSES:
                        try:
                            if status >= 400:
                                raise HttpError(f"{url} answered HTTP {status}", url=url, status=status,
                                                retryable=False)
                            declared = response.headers.get("Content-Length", "")
                            if max_bytes is not None and declared.isdigit() and int(declared) > max_bytes:
                                raise ResponseTooLarge(
                                    f"{url} sends {declared} bytes, more than the limit of {max_bytes}")
                            yield response
                            return
                        finally:
                            response.close()
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    last = f"HTTP {status} {response.reason or ''}".strip()
                    response.close()
            self._wait_before_retry(attempt, retry_after, url, last)
        raise HttpError(f"{url} failed {self.max_retries + 1} times; last: {last}", url=url, retryable=True)

    def backoff_delay(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (0-based): base * 2**attempt, capped, plus small jitter."""
        delay = min(self.backoff_base * (2 ** attempt), self.backoff_max)
        return delay + random.uniform(0, delay * 0.1)

    def close(self) -> None:
        """Close the underlying session."""
        self.session.close()

    # -- internals --------------------------------------------------------------------------

    def _wait_before_retry(self, attempt: int, retry_after: float | None, url: str, last: str) -> None:
        """Sleep before the next attempt, or raise RetryLater for a Retry-After too long to wait."""
        if retry_after is not None and retry_after > self.max_retry_after:
            raise RetryLater(retry_after, f"{url} asked to retry after {retry_after:.0f} seconds "
                                          f"({last}), more than HTTP_MAX_RETRY_AFTER="
                                          f"{self.max_retry_after:.0f}; the harvest can resume later")
        if attempt >= self.max_retries:
            return
        self.sleep(retry_after if retry_after is not None else self.backoff_delay(attempt))

    def _limited(self) -> AbstractContextManager[Any]:
        return self.limiter() if self.limiter is not None else contextlib.nullcontext()

    def _pause(self) -> None:
        """Keep HARVEST_REQUEST_DELAY seconds between two requests of this client."""
        if self.request_delay > 0 and self._last_request is not None:
            wait = self.request_delay - (time.monotonic() - self._last_request)
            if wait > 0:
                self.sleep(wait)
        self._last_request = time.monotonic()

    def _open(self, url: str, params: Mapping[str, Any] | None,
              headers: Mapping[str, str] | None, payload: Any = None) -> requests.Response:
        """Send the request (a GET, or a POST of ``payload`` as JSON), following up to MAX_REDIRECTS
        redirects by hand, each hop checked."""
        current, current_params = url, params
        for _hop in range(MAX_REDIRECTS + 1):
            check_url(current, self.allow_private, self.resolver)
            self._pause()
            if payload is None:
                response = self.session.get(current, params=current_params, headers=dict(headers or {}),
                                            timeout=self.timeout, allow_redirects=False, stream=True)
            else:
                response = self.session.post(current, params=current_params, json=payload,
                                             headers=dict(headers or {}), timeout=self.timeout,
                                             allow_redirects=False, stream=True)
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response
            response.close()
            if response.status_code not in (307, 308):
                payload = None
            current, current_params = urljoin(response.url, location), None
        raise HttpError(f"{url} redirected more than {MAX_REDIRECTS} times", url=url, retryable=False)
