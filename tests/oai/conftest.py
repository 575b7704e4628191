"""Fixtures of the OAI client tests: a real local HTTP server with scripted answers, fast settings."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from hub.http import HttpClient

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "oai"

Handler = Callable[[Request], Response]


class _HTTP10Handler(WSGIRequestHandler):
    """HTTP/1.0: the connection closes after each answer, so a short body reads as truncated."""

    protocol_version = "HTTP/1.0"

    def log_request(self, *args: Any, **kwargs: Any) -> None:  # keep test output quiet
        pass


class LocalServer:
    """A werkzeug server on 127.0.0.1 answering with ``handler`` or a script of responses."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.args: list[dict[str, str]] = []
        self.handler: Handler = lambda request: Response("no handler", status=500)
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_HTTP10Handler)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}/oai/request"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append(request)
        self.args.append(request.args.to_dict())
        return self.handler(request)(environ, start_response)

    def script(self, *responses: Response | bytes | Handler) -> None:
        """Answer the next requests with these responses (bytes are XML, callables get the request)."""
        queue = list(responses)

        def handler(request: Request) -> Response:
            if not queue:
                return Response("script exhausted", status=599)
            item = queue.pop(0)
            if isinstance(item, bytes):
                return xml(item)
            return item if isinstance(item, Response) else item(request)

        self.handler = handler

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)
        self._server.server_close()


def xml(body: bytes | str, status: int = 200, **headers: str) -> Response:
    """An XML response."""
    return Response(body, status=status, headers=headers, content_type="text/xml; charset=utf-8")


def fixture_bytes(name: str) -> bytes:
    """The bytes of a file under tests/fixtures/oai."""
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer()
    yield srv
    srv.stop()


@pytest.fixture
def sleeps() -> list[float]:
    """Delays the clients under test asked to sleep (they never really sleep)."""
    return []


@pytest.fixture
def settings() -> dict[str, Any]:
    return {
        "ALLOW_PRIVATE_ADDRESSES": True, "USER_AGENT": "CHAIR-Hub/test (+https://chair.example.org)",
        "HTTP_CONNECT_TIMEOUT": 5.0, "HTTP_READ_TIMEOUT": 10.0, "HTTP_MAX_RETRIES": 3,
        "HTTP_BACKOFF_BASE": 0.01, "HTTP_BACKOFF_MAX": 0.05, "HTTP_MAX_RETRY_AFTER": 3600.0,
        "HARVEST_MAX_PAGE_BYTES": 1024 * 1024, "HARVEST_REQUEST_DELAY": 0.0,
        "HARVEST_MAX_PAGES": 1000, "HARVEST_MAX_EMPTY_PAGES": 5,
    }


@pytest.fixture
def http(settings: dict[str, Any], sleeps: list[float]) -> Iterator[HttpClient]:
    client = HttpClient(settings, sleep=sleeps.append)
    yield client
    client.close()


def oai_page(verb: str, records: list[tuple[str, str]] | None = None, token: str | None = None,
             complete_list_size: int | None = None, cursor: str | None = None,
             response_date: str = "2024-06-03T19:51:07Z", deleted: bool = False) -> bytes:
    """A ListRecords/ListIdentifiers page in the DSpace XOAI shape: (identifier, datestamp) pairs."""
    items = []
    for identifier, datestamp in records or []:
        status = ' status="deleted"' if deleted else ""
        header = (f"<header{status}><identifier>{identifier}</identifier><datestamp>{datestamp}</datestamp>"
                  f"<setSpec>col_1</setSpec></header>")
        if verb == "ListIdentifiers":
            items.append(header)
        else:
            metadata = "" if deleted else (
                '<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
                f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Title of {identifier}</dc:title>'
                "</oai_dc:dc></metadata>")
            items.append(f"<record>{header}{metadata}</record>")
    attrs = ""
    if complete_list_size is not None:
        attrs += f' completeListSize="{complete_list_size}"'
    if cursor is not None:
        attrs += f' cursor="{cursor}"'
    token_xml = f"<resumptionToken{attrs}>{token or ''}</resumptionToken>" if (token or attrs) else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><?xml-stylesheet type="text/xsl" href="static/style.xsl"?>'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<responseDate>{response_date}</responseDate><request verb="{verb}">http://repo.example.org//oai/request'
        f"</request><{verb}>{''.join(items)}{token_xml}</{verb}></OAI-PMH>"
    ).encode()


def oai_error(code: str, message: str = "") -> bytes:
    """An OAI-PMH error response (HTTP 200)."""
    return ('<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
            '<responseDate>2024-06-03T19:51:07Z</responseDate><request>http://repo.example.org/oai</request>'
            f'<error code="{code}">{message}</error></OAI-PMH>').encode()


class Kit:
    """The response builders, handed to tests as the ``kit`` fixture (tests/oai is not a package)."""

    xml = staticmethod(xml)
    page = staticmethod(oai_page)
    error = staticmethod(oai_error)
    fixture = staticmethod(fixture_bytes)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
