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


DC_OPEN = (b'<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
           b'xmlns:dc="http://purl.org/dc/elements/1.1/">')
DC_CLOSE = b"</oai_dc:dc></metadata>"


def dirty_record(identifier: bytes, datestamp: bytes, dc: bytes, *, header: bytes | None = None) -> bytes:
    """A ``<record>`` of raw bytes (``dc`` goes inside ``oai_dc:dc`` as given, ``header`` replaces the header)."""
    if header is None:
        header = (b"<header><identifier>" + identifier + b"</identifier><datestamp>" + datestamp
                  + b"</datestamp><setSpec>col_1</setSpec></header>")
    return b"<record>" + header + DC_OPEN + dc + DC_CLOSE + b"</record>"


# A ListRecords page as real repositories send them: one record holds every kind of character illegal
# in XML (U+0001, U+FFFF, a lone surrogate as a character reference, invalid UTF-8 bytes: an invalid
# byte pair and a lone surrogate encoded as UTF-8), one stays broken once they are dropped (an
# unclosed element), two headers have no identifier; the others are clean.
DIRTY_RECORDS = {
    "oai:dirty:1": dirty_record(b"oai:dirty:1", b"2024-03-01T00:00:00Z", b"<dc:title>Clean first</dc:title>"),
    "oai:dirty:2": dirty_record(
        b"oai:dirty:2", b"2024-03-02T00:00:00Z",
        b"<dc:title>Con\x01trol\x01 and non\xef\xbf\xbfcharacter</dc:title>"
        b"<dc:description>Lone &#xD800;surrogate reference, bytes \xff\xfe and \xed\xa0\x80 not UTF-8, "
        b"\xe4\xb8\xad\xe6\x96\x87 kept</dc:description><dc:creator>Wang, Fang</dc:creator>"),
    "oai:dirty:3": dirty_record(b"oai:dirty:3", b"2024-03-03T00:00:00Z",
                                b"<dc:title>Unclosed \x01 title<dc:creator>Li, Si</dc:creator>"),
    "(no identifier, deleted)": (b'<record><header status="deleted"><datestamp>2024-03-04T00:00:00Z</datestamp>'
                                 b"<setSpec>col_1</setSpec></header></record>"),
    "(empty identifier)": dirty_record(b"", b"2024-03-05T00:00:00Z", b"<dc:title>No identifier</dc:title>"
                                       b"<dc:identifier>http://repo.example.org/handle/5</dc:identifier>",
                                       header=b"<header><identifier/><datestamp>2024-03-05T00:00:00Z</datestamp>"
                                              b"</header>"),
    "oai:dirty:4": dirty_record(b"oai:dirty:4", b"2024-03-06T00:00:00Z", b"<dc:title>Clean last</dc:title>"),
}


def dirty_page(records: dict[str, bytes] | None = None, verb: str = "ListRecords") -> bytes:
    """A response page holding ``records`` (default :data:`DIRTY_RECORDS`) verbatim, bytes as given."""
    body = b"".join((DIRTY_RECORDS if records is None else records).values())
    return (b'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
            b"<responseDate>2024-06-03T19:51:07Z</responseDate><request>http://repo.example.org/oai</request>"
            + f"<{verb}>".encode() + body + f"</{verb}>".encode() + b"</OAI-PMH>")


class Kit:
    """The response builders, handed to tests as the ``kit`` fixture (tests/oai is not a package)."""

    xml = staticmethod(xml)
    page = staticmethod(oai_page)
    error = staticmethod(oai_error)
    fixture = staticmethod(fixture_bytes)
    dirty_page = staticmethod(dirty_page)
    dirty_record = staticmethod(dirty_record)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
