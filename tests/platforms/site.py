"""A WSGI site that routes by path prefix, logs every request and serves PDFs with byte ranges."""

from __future__ import annotations

from collections.abc import Callable
from threading import Lock

from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.wrappers import Request, Response

Handler = Callable[[Request, list[str]], Response]


def pdf_bytes(label: str) -> bytes:
    """A small, valid-looking PDF whose bytes depend on ``label``."""
    body = f"BT /F1 12 Tf 72 720 Td ({label}) Tj ET".encode()
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>endobj\n"
            + f"4 0 obj<</Length {len(body)}>>stream\n".encode() + body + b"\nendstream endobj\n"
            + b"trailer<</Root 1 0 R>>\n%%EOF\n" + b"%" + b"x" * 2048 + b"\n")


def serve_pdf(request: Request, data: bytes) -> Response:
    """A PDF response honouring Range requests (206)."""
    response = Response(data, content_type="application/pdf")
    try:
        return response.make_conditional(request, accept_ranges=True, complete_length=len(data))
    except RequestedRangeNotSatisfiable as exc:
        return exc.get_response(request.environ)


def json_response(data: object, status: int = 200) -> Response:
    import json

    return Response(json.dumps(data, ensure_ascii=False), status=status, content_type="application/json")


def not_found() -> Response:
    return Response("<html><body>404 Not Found</body></html>", status=404, content_type="text/html")


class Site:
    """Routes ``/<first segment>/...`` to handlers; ``log`` keeps every request's path and query."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.log: list[str] = []
        self._lock = Lock()

    def mount(self, name: str, handler: Handler) -> None:
        self.handlers[name] = handler

    def count(self, fragment: str) -> int:
        """How many requests so far had ``fragment`` in their path and query."""
        with self._lock:
            return sum(1 for line in self.log if fragment in line)

    def reset(self) -> None:
        with self._lock:
            self.log.clear()

    def __call__(self, environ, start_response):
        request = Request(environ)
        query = request.query_string.decode("latin-1")
        with self._lock:
            self.log.append(request.path + (f"?{query}" if query else ""))
        parts = [p for p in request.path.split("/") if p]
        handler = self.handlers.get(parts[0]) if parts else None
        response = handler(request, parts[1:]) if handler else not_found()
        return response(environ, start_response)
