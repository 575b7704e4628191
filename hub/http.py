"""The hub's HTTP client for member repositories: address-checked, polite, bounded and retrying.

Every request the hub makes to a repository goes through :class:`HttpClient`:

- each URL (and every redirect hop, followed by hand) is resolved once and every address it
  resolves to checked (:func:`hub.addresses.resolve_checked`), so a repository cannot point the hub
  at private, loopback or link-local addresses (SSRF); the connection goes to the checked address,
  with the original Host header, SNI and certificate name (:mod:`hub.transport`), so a name that
  resolves differently a moment later (DNS rebinding) cannot redirect it;
- every request has one overall deadline (``HTTP_DEADLINE``; a file download ``FILE_DEADLINE``):
  a server dripping its answer cannot hold a worker; passing it raises :class:`DeadlineExceeded`,
  retryable, without retrying at once;
- a user name and password in a URL, or registered for a repository with :meth:`HttpClient.authenticate`,
  are sent as basic authentication to that origin only, and never appear in a message
  (:mod:`hub.redaction`);
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
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from hub.addresses import AddressRefused, Resolver, UnresolvableHost, is_public_address, resolve_checked
from hub.config import Settings
from hub.redaction import Credentials, redact_text, redact_url, split_credentials
from hub.transport import DeadlinePassed, PinnedAdapter, current_deadline

__all__ = ["CHUNK_SIZE", "DeadlineExceeded", "FetchResult", "HarvestError", "HttpClient", "HttpError",
           "ResponseTooLarge", "RetryLater", "UnsafeURLError", "check_url", "is_public_address",
           "parse_retry_after", "read_capped"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
CHUNK_SIZE = 64 * 1024


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


class DeadlineExceeded(HarvestError):
    """A request that did not finish within its overall deadline (a stalled or dripping server).

    Retryable later (the run fails resumably), but never retried at once: the deadline exists so
    that a slow server cannot hold a worker for several deadlines in a row.
    """

    retryable = True


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
            raise HttpError(f"{redact_url(self.url)} answered HTTP {self.status}", url=self.url, status=self.status,
                            retryable=self.status >= 500)


def check_url(url: str, allow_private: bool, resolver: Resolver | None = None) -> None:
    """Refuse ``url`` unless it is http(s) and its host resolves only to public addresses.

    Every address the host resolves to is checked (a host with one public and one private address
    is refused). ``allow_private`` (demo and tests) skips the address check, not the scheme check.
    The client itself resolves again when it connects and connects to the addresses it checked.
    """
    try:
        if allow_private:
            from hub.addresses import host_and_port

            host_and_port(url)
            return
        resolve_checked(url, allow_private, resolver)
    except AddressRefused as exc:
        raise UnsafeURLError(str(exc)) from exc
    except UnresolvableHost as exc:
        raise HttpError(str(exc), url=url, retryable=True) from exc


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
    url = redact_url(url or response.url)
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and not response.headers.get("Content-Encoding") and int(declared) > max_bytes:
        raise ResponseTooLarge(f"{url} sends {int(declared)} bytes, more than the limit of {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(CHUNK_SIZE):  # within the request's deadline (hub.transport)
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
    """A short readable form of a requests exception (user information in URLs hidden)."""
    kinds: dict[type[BaseException], str] = {requests.exceptions.ConnectTimeout: "connect timeout",
            requests.exceptions.ReadTimeout: "read timeout",
            requests.exceptions.ChunkedEncodingError: "truncated body",
            requests.exceptions.ContentDecodingError: "undecodable body"}
    kind = kinds.get(type(exc))
    if kind is None and isinstance(exc, requests.ConnectionError):
        kind = "connection error"
    return redact_text(f"{kind or type(exc).__name__}: {exc}")


def _exhausted(url: str, attempts: int, status: int, last: str) -> str:
    """The message of a request that failed on every attempt."""
    if status:
        return f"{redact_url(url)} answered HTTP {status} {attempts} times; last: {last}"
    return f"{redact_url(url)} failed {attempts} times; last: {last}"


_TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
              requests.exceptions.ContentDecodingError)

Origin = tuple[str, str, int]


def _origin(url: str) -> Origin | None:
    """(scheme, host, port) of an http(s) URL; None when it has none."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        return (scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80))
    except ValueError:
        return None


class HttpClient:
    """One requests session with the hub's safety, politeness and retry rules (see the module doc)."""

    def __init__(self, settings: Mapping[str, Any], sleep: Callable[[float], None] = time.sleep,
                 limiter: Callable[[], AbstractContextManager[Any]] | None = None,
                 resolver: Resolver | None = None) -> None:
        # A mapping of some settings (a test's) keeps the defaults of the rest, declared in hub.config.
        self.settings = settings = Settings.from_mapping(settings)
        self.sleep = sleep
        self.limiter = limiter
        self.resolver = resolver  # a test hook: host, port -> addresses (the system resolver otherwise)
        self.address_allowed: Callable[[str], bool] = is_public_address  # a test hook too
        self.allow_private = settings.ALLOW_PRIVATE_ADDRESSES
        self.timeout = (settings.HTTP_CONNECT_TIMEOUT, settings.HTTP_READ_TIMEOUT)
        self.deadline = settings.HTTP_DEADLINE
        self.file_deadline = settings.FILE_DEADLINE
        self.max_retries = settings.HTTP_MAX_RETRIES
        self.backoff_base = settings.HTTP_BACKOFF_BASE
        self.backoff_max = settings.HTTP_BACKOFF_MAX
        self.max_retry_after = settings.HTTP_MAX_RETRY_AFTER
        self.max_page_bytes = settings.HARVEST_MAX_PAGE_BYTES
        self.request_delay = settings.HARVEST_REQUEST_DELAY
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy from the environment can bypass the address check
        adapter = PinnedAdapter(max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({
            "User-Agent": settings.USER_AGENT or "CHAIR-Hub",  # an operator's empty value still names the hub
            "Accept-Encoding": "gzip, deflate",
        })
        self._credentials: dict[Origin, Credentials] = {}
        self._last_request: float | None = None

    # -- public API -------------------------------------------------------------------------

    def authenticate(self, url: str, credentials: Credentials | None) -> None:
        """Send ``credentials`` as basic authentication with every request to ``url``'s origin
        (scheme, host and port; a redirect elsewhere goes without them). None does nothing."""
        origin = _origin(url)
        if credentials is not None and origin is not None:
            self._credentials[origin] = credentials

    def get(self, url: str, params: Mapping[str, Any] | None = None, *, max_bytes: int | None = None,
            headers: Mapping[str, str] | None = None) -> FetchResult:
        """GET ``url`` and read the body whole (at most ``max_bytes``, default HARVEST_MAX_PAGE_BYTES).

        Retries transient failures; returns any other status (the caller judges 4xx and an empty 200).
        """
        return self._fetch(url, params, max_bytes, headers)

    def post_json(self, url: str, payload: Any, params: Mapping[str, Any] | None = None, *,
                  max_bytes: int | None = None, headers: Mapping[str, str] | None = None,
                  retries: int | None = None, follow_redirects: bool = True) -> FetchResult:
        """POST ``payload`` as JSON to a read-only query endpoint (one that answers like a GET, e.g. DSpace
        5/6 ``/items/find-by-metadata-field``) or a webhook, with the same checks, retries and caps as
        :meth:`get` (``retries`` overrides HTTP_MAX_RETRIES).

        A 307/308 redirect repeats the POST at the checked new address; any other redirect is followed
        with a GET, as browsers do; ``follow_redirects=False`` returns the redirect itself.
        """
        return self._fetch(url, params, max_bytes, headers, payload=payload, retries=retries,
                           follow_redirects=follow_redirects)

    def _fetch(self, url: str, params: Mapping[str, Any] | None, max_bytes: int | None,
               headers: Mapping[str, str] | None, payload: Any = None, retries: int | None = None,
               follow_redirects: bool = True) -> FetchResult:
        cap = self.max_page_bytes if max_bytes is None else max_bytes
        retries = self.max_retries if retries is None else retries
        last = ""
        for attempt in range(retries + 1):
            retry_after: float | None = None
            try:
                with self._limited(), self._deadline(url, self.deadline):
                    response = self._open(url, params, headers, payload, follow_redirects)
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
            self._wait_before_retry(attempt, retry_after, url, last, retries)
        raise HttpError(_exhausted(url, retries + 1, status, last), url=url, status=status or None,
                        retryable=True)

    @contextlib.contextmanager
    def stream(self, url: str, params: Mapping[str, Any] | None = None, *, max_bytes: int | None = None,
               headers: Mapping[str, str] | None = None,
               deadline: float | None = None) -> Iterator[requests.Response]:
        """Open ``url`` for a large download and yield the streamed response (status < 400).

        Address and redirect checks, retries before the body starts, the limiter and the politeness
        delay apply as in :meth:`get`. A declared length above ``max_bytes`` raises
        :class:`ResponseTooLarge`; read the body with :func:`read_capped` or ``iter_content`` and
        count bytes yourself. The whole transfer (opening and body) must end within ``deadline``
        seconds (default FILE_DEADLINE), else :class:`DeadlineExceeded`.
        """
        last = ""
        shown = redact_url(url)
        seconds = self.file_deadline if deadline is None else deadline
        for attempt in range(self.max_retries + 1):
            retry_after: float | None = None
            with self._limited(), self._deadline(url, seconds):
                try:
                    response = self._open(url, params, headers)
                except _TRANSIENT as exc:
                    response, last = None, _describe(exc)
                if response is not None:
                    status = response.status_code
                    if status not in RETRY_STATUSES:
                        try:
                            if status >= 400:
                                raise HttpError(f"{shown} answered HTTP {status}", url=url, status=status,
                                                retryable=False)
                            declared = response.headers.get("Content-Length", "")
                            if max_bytes is not None and declared.isdigit() and int(declared) > max_bytes:
                                raise ResponseTooLarge(
                                    f"{shown} sends {declared} bytes, more than the limit of {max_bytes}")
                            yield response
                            return
                        finally:
                            response.close()
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    last = f"HTTP {status} {response.reason or ''}".strip()
                    response.close()
            self._wait_before_retry(attempt, retry_after, url, last)
        raise HttpError(f"{shown} failed {self.max_retries + 1} times; last: {last}", url=url, retryable=True)

    def backoff_delay(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (0-based): base * 2**attempt, capped, plus small jitter."""
        delay = min(self.backoff_base * (2 ** attempt), self.backoff_max)
        return delay + random.uniform(0, delay * 0.1)

    def close(self) -> None:
        """Close the underlying session."""
        self.session.close()

    # -- internals --------------------------------------------------------------------------

    @contextlib.contextmanager
    def _deadline(self, url: str, seconds: float) -> Iterator[None]:
        """Bound everything inside (connection, headers, body) to ``seconds`` from now.

        A request that passes it raises :class:`DeadlineExceeded`, whatever the transport reported
        (a socket shut down by the watchdog, a read cut short, the clock checked between chunks).
        """
        if seconds <= 0:
            yield
            return
        at = time.monotonic() + seconds
        token = current_deadline.set(at)
        try:
            yield
        except (DeadlinePassed, *_TRANSIENT) as exc:
            if isinstance(exc, DeadlinePassed) or time.monotonic() >= at:
                raise DeadlineExceeded(
                    f"{redact_url(url)} did not finish its answer within {seconds:.0f} seconds (the overall "
                    "deadline of one request, HTTP_DEADLINE or FILE_DEADLINE): the server is stalled or "
                    "too slow; the harvest can resume later") from exc
            raise
        finally:
            current_deadline.reset(token)

    def _wait_before_retry(self, attempt: int, retry_after: float | None, url: str, last: str,
                           retries: int | None = None) -> None:
        """Sleep before the next attempt, or raise RetryLater for a Retry-After too long to wait."""
        if retry_after is not None and retry_after > self.max_retry_after:
            raise RetryLater(retry_after, f"{redact_url(url)} asked to retry after {retry_after:.0f} seconds "
                                          f"({last}), more than HTTP_MAX_RETRY_AFTER="
                                          f"{self.max_retry_after:.0f}; the harvest can resume later")
        if attempt >= (self.max_retries if retries is None else retries):
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

    def _addresses(self, url: str) -> list[str]:
        """The checked addresses to connect to for ``url`` (resolved once, here)."""
        try:
            return resolve_checked(url, self.allow_private, self.resolver, self.address_allowed)
        except AddressRefused as exc:
            raise UnsafeURLError(str(exc)) from exc
        except UnresolvableHost as exc:
            raise HttpError(str(exc), url=url, retryable=True) from exc

    def _send(self, url: str, params: Mapping[str, Any] | None, headers: Mapping[str, str] | None,
              payload: Any) -> requests.Response:
        """One request to ``url``, connected to its checked addresses, credentials as basic auth."""
        clean, from_url = split_credentials(url)
        addresses = self._addresses(clean)
        credentials = from_url or self._credentials.get(_origin(clean) or ("", "", 0))
        auth = (credentials.username, credentials.password) if credentials else None
        request = requests.Request("GET" if payload is None else "POST", clean, params=params,
                                   headers=dict(headers or {}), json=payload, auth=auth)
        prepared = self.session.prepare_request(request)
        prepared.chair_addresses = addresses  # type: ignore[attr-defined]
        self._pause()
        return self.session.send(prepared, timeout=self.timeout, allow_redirects=False, stream=True)

    def _open(self, url: str, params: Mapping[str, Any] | None,
              headers: Mapping[str, str] | None, payload: Any = None,
              follow_redirects: bool = True) -> requests.Response:
        """Send the request (a GET, or a POST of ``payload`` as JSON), following up to MAX_REDIRECTS
        redirects by hand, each hop resolved and checked again."""
        current, current_params = url, params
        for _hop in range(MAX_REDIRECTS + 1):
            response = self._send(current, current_params, headers, payload)
            location = response.headers.get("Location")
            if not follow_redirects or response.status_code not in REDIRECT_STATUSES or not location:
                return response
            response.close()
            if response.status_code not in (307, 308):
                payload = None
            current, current_params = urljoin(response.url, location), None
        raise HttpError(f"{redact_url(url)} redirected more than {MAX_REDIRECTS} times", url=url, retryable=False)
