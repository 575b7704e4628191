"""The hub's HTTP transport: connections pinned to checked addresses, and bounded in time.

:class:`PinnedAdapter` is the transport adapter of the hub's HTTP client. A request prepared by
:meth:`hub.http.HttpClient` carries the addresses its host resolved to when it was checked
(:func:`hub.addresses.resolve_checked`); the adapter connects to those addresses only (one after
the other while a connection cannot be opened), never resolving the name again, and sends the
original ``Host`` header; for https the original name is used for SNI and the certificate check.

Every request has a deadline (:data:`current_deadline`, a monotonic time set by the client): a
server dripping its answer a byte at a time cannot hold a worker. The wait for the status line and
headers is watched (the socket is shut down when the deadline passes); the body
(:class:`BoundedResponse`) is read as it arrives, the clock checked before every read and each
read's socket timeout cut to the time left, so the transfer ends with :class:`DeadlinePassed`.
Bodies are decoded here (gzip, deflate) chunk by chunk, each output bounded.
"""

from __future__ import annotations

import contextvars
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.utils import stream_decode_response_unicode
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

CHUNK = 64 * 1024

# Monotonic time by which the current request (in this thread or task) must be done; None: no bound.
current_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("chair_http_deadline",
                                                                                default=None)


class _Watchdog:
    """Shut a connection's socket down at the current deadline, unless cancelled first."""

    def __init__(self, connection: HTTPConnection) -> None:
        self._timer: threading.Timer | None = None
        deadline = current_deadline.get()
        if deadline is None:
            return
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire, args=(connection,))
        self._timer.daemon = True
        self._timer.start()

    @staticmethod
    def _fire(connection: HTTPConnection) -> None:
        sock = connection.sock
        if sock is not None:
            try:  # the plain socket's shutdown: the TLS object stays to the reading thread
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


class DeadlinePassed(requests.exceptions.Timeout):
    """The request's deadline passed before its answer was read whole."""


class _WatchedResponses:
    """Mixin for urllib3 connections: reading the response's headers is bounded by the deadline, and the
    response keeps its socket so that the body reader cuts its timeout to the time left."""

    sock: socket.socket | None

    def getresponse(self) -> Any:
        watchdog = _Watchdog(self)  # type: ignore[arg-type]
        try:
            response = super().getresponse()  # type: ignore[misc]
        finally:
            watchdog.cancel()
        response.chair_socket = self.sock
        return response


class _WatchedConnection(_WatchedResponses, HTTPConnection):
    """A plain connection with a watched response."""


class _WatchedTLSConnection(_WatchedResponses, HTTPSConnection):
    """A TLS connection with a watched response."""


class _Decoder:
    """Incremental gzip/deflate decoding with each output bounded (a compression bomb comes out in
    chunks the caller can count and refuse)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._zlib: Any = None
        self._started = False
        self._first = b""
        if encoding in {"gzip", "x-gzip"}:
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()

    def feed(self, data: bytes, limit: int) -> Iterator[bytes]:
        if self._zlib is None:
            if data:
                yield data
            return
        try:
            while data and not self._zlib.eof:
                try:
                    out = self._zlib.decompress(data, limit)
                except zlib.error:
                    if self.encoding != "deflate" or self._started:
                        raise
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
                    self._started = True
                    continue
                self._started = True
                if out:
                    yield out
                data = self._zlib.unconsumed_tail
        except zlib.error as exc:
            raise requests.exceptions.ContentDecodingError(f"undecodable {self.encoding} body: {exc}") from exc

    def flush(self) -> bytes:
        if self._zlib is None:
            return b""
        try:
            return self._zlib.flush()
        except zlib.error as exc:
            raise requests.exceptions.ContentDecodingError(f"undecodable {self.encoding} body: {exc}") from exc


class BoundedResponse(requests.Response):
    """A streamed response whose body is read within the request's deadline (see the module doc)."""

    chair_deadline: float | None = None

    def iter_content(self, chunk_size: int | None = 1, decode_unicode: bool = False) -> Iterator[Any]:
        """The body as it arrives (decoded), raising :class:`DeadlinePassed` when the deadline passes."""
        if self._content_consumed or not hasattr(self.raw, "read1"):
            return super().iter_content(chunk_size, decode_unicode)
        chunks = self._bounded_chunks(chunk_size or CHUNK)
        return stream_decode_response_unicode(chunks, self) if decode_unicode else chunks

    def _bounded_chunks(self, size: int) -> Iterator[bytes]:
        decoder = _Decoder(self.headers.get("Content-Encoding", "identity").strip().lower())
        sock = getattr(self.raw, "chair_socket", None)
        per_read = sock.gettimeout() if sock is not None else None
        while True:
            if self.chair_deadline is not None:
                left = self.chair_deadline - time.monotonic()
                if left <= 0:
                    raise DeadlinePassed("the request's deadline passed while its body was being read")
                if sock is not None:
                    try:
                        sock.settimeout(min(left, per_read) if per_read else left)
                    except OSError:
                        pass
            try:
                data = self.raw.read1(size, decode_content=False)
            except ProtocolError as exc:
                raise requests.exceptions.ChunkedEncodingError(exc) from exc
            except ReadTimeoutError as exc:
                if self.chair_deadline is not None and time.monotonic() >= self.chair_deadline:
                    raise DeadlinePassed("the request's deadline passed while its body was being read") from exc
                raise requests.ConnectionError(exc) from exc
            except SSLError as exc:
                raise requests.exceptions.SSLError(exc) from exc
            if not data:
                break
            yield from decoder.feed(data, size)
        tail = decoder.flush()
        if tail:
            yield tail
        self._content_consumed = True


class _Pool(HTTPConnectionPool):
    ConnectionCls = _WatchedConnection


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedTLSConnection


def _connect_failed(exc: requests.ConnectionError) -> bool:
    """Whether ``exc`` means the connection could not be opened (another address may answer)."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


class PinnedAdapter(HTTPAdapter):
    """A requests adapter that connects to the addresses a request was checked against (see module)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TLSPool}

    def build_response(self, req: requests.PreparedRequest, resp: Any) -> requests.Response:
        response = super().build_response(req, resp)
        response.__class__ = BoundedResponse
        response.chair_deadline = current_deadline.get()  # type: ignore[attr-defined]
        return response

    def build_connection_pool_key_attributes(  # type: ignore[override]
            self, request: requests.PreparedRequest, verify: Any, cert: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        base_host, base_pool = super().build_connection_pool_key_attributes(request, verify, cert)
        host_params: dict[str, Any] = dict(base_host)
        pool_kwargs: dict[str, Any] = dict(base_pool)
        address = getattr(request, "chair_address", None)
        if address:
            name = host_params["host"]
            host_params["host"] = address
            if host_params["scheme"] == "https":
                pool_kwargs["server_hostname"] = name
                pool_kwargs["assert_hostname"] = name
        return host_params, pool_kwargs

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        """Send to each pinned address in turn until a connection opens (see the module doc)."""
        addresses: list[str] = list(getattr(request, "chair_addresses", None) or [])
        if not addresses:
            return super().send(request, *args, **kwargs)
        if "Host" not in request.headers:  # the name, not the pinned address, as the server expects
            request.headers["Host"] = urlsplit(str(request.url)).netloc.rpartition("@")[2]
        last: requests.ConnectionError | None = None
        for address in addresses:
            request.chair_address = address  # type: ignore[attr-defined]
            try:
                return super().send(request, *args, **kwargs)
            except requests.ConnectionError as exc:
                if not _connect_failed(exc):
                    raise
                last = exc
        assert last is not None
        raise last
