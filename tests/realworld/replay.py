"""A loopback OAI-PMH server that replays recorded responses of real repositories.

A :class:`Scenario` names recorded pages (files under ``tests/realworld/data``) and the server
answers as the recorded repository would:

- a list request without ``from``/``until`` answers the first recorded page verbatim, and a
  request with a recorded resumptionToken answers the page recorded after it;
- a list request with ``from``/``until`` answers, as the protocol says, the records whose
  datestamp is within the bounds, drawn from the union of all recorded pages of that list in the
  recorded order and paged like the recording (as many records a page as its first page), with
  tokens of the form ``replay-<list>-<offset>-<from>-<until>``;
- Identify, ListMetadataFormats and ListSets come from recordings when the scenario names them,
  otherwise from the scenario itself; GetRecord reads the union of the recorded lists;
- a :class:`Kill` makes a named token (or every token with a prefix, ``name*``) answer
  ``badResumptionToken`` (optionally with a recorded body and HTTP status, as Zenodo's 422) or a
  bare HTTP error, once or always.

Every request is logged (``server.requests``) so tests can check what the harvester asked.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lxml import etree
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

DATA = Path(__file__).parent / "data"
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
LIST_VERBS = ("ListRecords", "ListIdentifiers")


def q(name: str) -> str:
    """The Clark name of an element in the OAI-PMH namespace."""
    return f"{{{OAI_NS}}}{name}"


def parse_stamp(value: str, *, end_of_day: bool = False) -> datetime:
    """An OAI datestamp (day or seconds granularity) as an aware UTC datetime."""
    text = value.strip()
    if len(text) == 10:
        day = datetime.fromisoformat(text).replace(tzinfo=UTC)
        return day + timedelta(days=1, microseconds=-1) if end_of_day else day
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@dataclass
class RecordedPage:
    """One recorded response: its parsed tree, records and token."""

    path: Path
    root: etree._Element
    records: list[etree._Element]
    token: str | None

    @classmethod
    def load(cls, path: Path) -> RecordedPage:
        root = etree.fromstring(path.read_bytes())
        container = next((c for c in root if c.tag in (q("ListRecords"), q("ListSets"))), None)
        records = container.findall(q("record")) if container is not None else []
        token_node = container.find(q("resumptionToken")) if container is not None else None
        token = (token_node.text or "").strip() if token_node is not None else ""
        return cls(path, root, records, token or None)

    @property
    def response_date(self) -> str:
        return (self.root.findtext(q("responseDate")) or "").strip()


def record_identifier(record: etree._Element) -> str:
    return (record.findtext(f"{q('header')}/{q('identifier')}") or "").strip()


def record_datestamp(record: etree._Element) -> str:
    return (record.findtext(f"{q('header')}/{q('datestamp')}") or "").strip()


@dataclass
class RecordedList:
    """A recorded list (ListRecords for one prefix and set): its pages in the recorded order."""

    name: str
    metadata_prefix: str
    pages: list[str]
    set_spec: str | None = None

    def load(self) -> list[RecordedPage]:
        return [RecordedPage.load(DATA / page) for page in self.pages]


@dataclass
class Kill:
    """How a killed token answers: an OAI error (``status`` and optional recorded ``body``) or a bare HTTP error.

    ``times`` is how many requests with the token fail (None: always).
    """

    code: str = "badResumptionToken"
    status: int = 200
    body: str | None = None  # a recorded error response (file under data/), served as is
    times: int | None = 1
    hits: int = 0

    def fires(self) -> bool:
        self.hits += 1
        return self.times is None or self.hits <= self.times


@dataclass
class Scenario:
    """What the replayed repository holds and how it answers."""

    name: str
    lists: list[RecordedList]
    identify: str | None = None
    list_metadata_formats: str | None = None
    list_sets: list[str] = field(default_factory=list)
    formats: list[tuple[str, str, str]] = field(default_factory=list)  # (prefix, schema, namespace)
    granularity: str = "YYYY-MM-DDThh:mm:ssZ"
    deleted_record: str = "persistent"
    earliest_datestamp: str = "1990-01-01T00:00:00Z"
    no_records_match: str | None = None  # a recorded noRecordsMatch response
    no_records_status: int = 200
    error_status: int = 200
    kills: dict[str, Kill] = field(default_factory=dict)


class ReplayServer:
    """Serves a :class:`Scenario` as a WSGI application (see :func:`serve_scenario`)."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.url = ""
        self.requests: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._lists = {lst.name: (lst, lst.load()) for lst in scenario.lists}
        self._by_token: dict[str, tuple[str, int]] = {}
        for name, (_lst, pages) in self._lists.items():
            for index, page in enumerate(pages[:-1]):
                if page.token:
                    self._by_token[page.token] = (name, index + 1)
        self._set_pages = [RecordedPage.load(DATA / path) for path in scenario.list_sets]

    # --- helpers for tests ------------------------------------------------------------------

    def list_requests(self) -> list[dict[str, str]]:
        """The ListRecords/ListIdentifiers requests received so far."""
        with self._lock:
            return [dict(r) for r in self.requests if r.get("verb") in LIST_VERBS]

    def union(self, name: str) -> list[etree._Element]:
        """Every record of a recorded list, in the recorded order, first occurrence of each identifier."""
        seen: set[str] = set()
        out = []
        for page in self._lists[name][1]:
            for record in page.records:
                ident = record_identifier(record)
                if ident not in seen:
                    seen.add(ident)
                    out.append(record)
        return out

    # --- WSGI -----------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        args = {k: v for k, v in request.args.items()}
        with self._lock:
            self.requests.append(args)
        response = self.answer(args)
        return response(environ, start_response)

    def answer(self, args: dict[str, str]) -> Response:
        verb = args.get("verb", "")
        if verb == "Identify":
            return self._recorded_or(self.scenario.identify, self._identify)
        if verb == "ListMetadataFormats":
            return self._recorded_or(self.scenario.list_metadata_formats, self._formats)
        if verb == "ListSets":
            return self._sets(args)
        if verb in LIST_VERBS:
            return self._list(verb, args)
        if verb == "GetRecord":
            return self._get_record(args)
        return self._error(args, "badVerb", "Illegal OAI verb")

    # --- answers --------------------------------------------------------------------------------

    def _xml(self, root: etree._Element, status: int = 200) -> Response:
        body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        return Response(body, status=status, content_type="text/xml; charset=utf-8")

    def _recorded_or(self, recorded: str | None, build) -> Response:
        if recorded:
            return Response((DATA / recorded).read_bytes(), content_type="text/xml; charset=utf-8")
        return build()

    def _envelope(self, args: dict[str, str], response_date: str | None = None) -> etree._Element:
        root = etree.Element(q("OAI-PMH"), nsmap={None: OAI_NS})
        etree.SubElement(root, q("responseDate")).text = response_date or datetime.now(UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        request = etree.SubElement(root, q("request"))
        for key in sorted(args):
            request.set(key, args[key])
        request.text = self.url
        return root

    def _error(self, args: dict[str, str], code: str, message: str = "", status: int | None = None) -> Response:
        root = self._envelope({k: v for k, v in args.items() if k == "verb"})
        error = etree.SubElement(root, q("error"), code=code)
        error.text = message
        return self._xml(root, self.scenario.error_status if status is None else status)

    def _identify(self) -> Response:
        root = self._envelope({"verb": "Identify"})
        node = etree.SubElement(root, q("Identify"))
        for tag, text in (("repositoryName", self.scenario.name), ("baseURL", self.url), ("protocolVersion", "2.0"),
                          ("adminEmail", "replay@127.0.0.1"), ("earliestDatestamp", self.scenario.earliest_datestamp),
                          ("deletedRecord", self.scenario.deleted_record), ("granularity", self.scenario.granularity)):
            etree.SubElement(node, q(tag)).text = text
        return self._xml(root)

    def _formats(self) -> Response:
        root = self._envelope({"verb": "ListMetadataFormats"})
        node = etree.SubElement(root, q("ListMetadataFormats"))
        for prefix, schema, namespace in self.scenario.formats:
            fmt = etree.SubElement(node, q("metadataFormat"))
            etree.SubElement(fmt, q("metadataPrefix")).text = prefix
            etree.SubElement(fmt, q("schema")).text = schema
            etree.SubElement(fmt, q("metadataNamespace")).text = namespace
        return self._xml(root)

    def _sets(self, args: dict[str, str]) -> Response:
        if self._set_pages:
            token = args.get("resumptionToken")
            index = 0
            if token:
                index = next((i + 1 for i, p in enumerate(self._set_pages[:-1]) if p.token == token), -1)
                if index < 0:
                    return self._error(args, "badResumptionToken", "The resumptionToken is invalid")
            return Response(self._set_pages[index].path.read_bytes(), content_type="text/xml; charset=utf-8")
        specs = sorted({s for lst, _ in self._lists.values() if (s := lst.set_spec)})
        if not specs:
            return self._error(args, "noSetHierarchy", "This repository does not support sets")
        root = self._envelope({"verb": "ListSets"})
        node = etree.SubElement(root, q("ListSets"))
        for spec in specs:
            item = etree.SubElement(node, q("set"))
            etree.SubElement(item, q("setSpec")).text = spec
            etree.SubElement(item, q("setName")).text = spec
        return self._xml(root)

    def _killed(self, args: dict[str, str], token: str) -> Response | None:
        kill = self.scenario.kills.get(token) or next(
            (k for name, k in self.scenario.kills.items() if name.endswith("*") and token.startswith(name[:-1])), None)
        if kill is None or not kill.fires():
            return None
        if kill.body:
            return Response((DATA / kill.body).read_bytes(), status=kill.status, content_type="text/xml; charset=utf-8")
        if kill.code:
            return self._error(args, kill.code, "The value of the resumptionToken argument is invalid or expired",
                               status=kill.status)
        return Response(b"", status=kill.status)

    def _find_list(self, prefix: str, set_spec: str | None) -> str | None:
        for name, (lst, _pages) in self._lists.items():
            if lst.metadata_prefix == prefix and lst.set_spec == (set_spec or None):
                return name
        return None

    def _list(self, verb: str, args: dict[str, str]) -> Response:
        token = args.get("resumptionToken")
        if token is not None:
            killed = self._killed(args, token)
            if killed is not None:
                return killed
            if token in self._by_token:
                name, index = self._by_token[token]
                return self._recorded_page(verb, args, self._lists[name][1][index])
            if token.startswith("replay-"):
                name, offset, from_, until = _parse_token(token)
                if name in self._lists:
                    return self._window(verb, args, name, from_, until, offset)
            return self._error(args, "badResumptionToken", "The value of the resumptionToken argument is invalid")
        prefix = args.get("metadataPrefix", "")
        if not any(lst.metadata_prefix == prefix for lst, _ in self._lists.values()):
            return self._error(args, "cannotDisseminateFormat", f"metadataPrefix {prefix!r} is not supported")
        name = self._find_list(prefix, args.get("set"))
        if name is None:
            return self._no_records(args)
        if args.get("from") or args.get("until"):
            return self._window(verb, args, name, args.get("from", ""), args.get("until", ""), 0)
        return self._recorded_page(verb, args, self._lists[name][1][0])

    def _no_records(self, args: dict[str, str]) -> Response:
        if self.scenario.no_records_match:
            return Response((DATA / self.scenario.no_records_match).read_bytes(),
                            status=self.scenario.no_records_status, content_type="text/xml; charset=utf-8")
        return self._error(args, "noRecordsMatch", "No records match", status=self.scenario.no_records_status)

    def _recorded_page(self, verb: str, args: dict[str, str], page: RecordedPage) -> Response:
        if verb == "ListRecords":
            return Response(page.path.read_bytes(), content_type="text/xml; charset=utf-8")
        return self._render(verb, args, page.response_date, page.records, page.token, None, None)

    def _window(self, verb: str, args: dict[str, str], name: str, from_: str, until: str, offset: int) -> Response:
        """Records of the list within [from, until], in the recorded order, one page from ``offset``."""
        try:
            low = parse_stamp(from_) if from_ else None
            high = parse_stamp(until, end_of_day=True) if until else None
        except ValueError:
            return self._error(args, "badArgument", "from/until is not a valid datestamp")
        chosen = [r for r in self.union(name)
                  if (low is None or parse_stamp(record_datestamp(r)) >= low)
                  and (high is None or parse_stamp(record_datestamp(r)) <= high)]
        if not chosen:
            return self._no_records(args)
        pages = self._lists[name][1]
        size = max(len(pages[0].records), 1)
        window = chosen[offset:offset + size]
        following = offset + size
        token = f"replay-{name}-{following}-{from_}-{until}" if following < len(chosen) else None
        return self._render(verb, args, pages[0].response_date, window, token, len(chosen), offset)

    def _render(self, verb: str, args: dict[str, str], response_date: str, records: list[etree._Element],
                token: str | None, complete: int | None, cursor: int | None) -> Response:
        root = self._envelope(args, response_date)
        container = etree.SubElement(root, q(verb))
        for record in records:
            if verb == "ListRecords":
                container.append(copy.deepcopy(record))
            else:
                container.append(copy.deepcopy(record.find(q("header"))))
        if token or complete is not None:
            node = etree.SubElement(container, q("resumptionToken"))
            node.text = token or ""
            if complete is not None:
                node.set("completeListSize", str(complete))
                node.set("cursor", str(cursor or 0))
        return self._xml(root)

    def _get_record(self, args: dict[str, str]) -> Response:
        wanted = args.get("identifier", "")
        prefix = args.get("metadataPrefix", "")
        for name, (lst, _pages) in self._lists.items():
            if lst.metadata_prefix != prefix:
                continue
            for record in self.union(name):
                if record_identifier(record) == wanted:
                    root = self._envelope(args)
                    etree.SubElement(root, q("GetRecord")).append(copy.deepcopy(record))
                    return self._xml(root)
        return self._error(args, "idDoesNotExist", "No matching identifier")


def _parse_token(token: str) -> tuple[str, int, str, str]:
    """(list name, offset, from, until) of a synthetic ``replay-...`` token."""
    _prefix, rest = token.split("-", 1)
    # the list name has no '-' of its own; from/until may be empty or hold '-' (dates)
    name, offset_text, bounds = rest.split("-", 2)
    from_, until = _split_bounds(bounds)
    return name, int(offset_text) if offset_text.isdigit() else -1, from_, until


def _split_bounds(bounds: str) -> tuple[str, str]:
    """Split ``<from>-<until>`` where each is empty, a day (YYYY-MM-DD) or a seconds datestamp."""
    for cut in range(len(bounds) + 1):
        if cut == len(bounds) or bounds[cut] == "-":
            left, right = bounds[:cut], bounds[cut + 1:]
            if _is_stamp(left) and _is_stamp(right):
                return left, right
    return "", ""


def _is_stamp(text: str) -> bool:
    if not text:
        return True
    try:
        parse_stamp(text)
    except ValueError:
        return False
    return True


@contextmanager
def serve_scenario(scenario: Scenario) -> Iterator[ReplayServer]:
    """Serve ``scenario`` on a free loopback port; yields the server (its ``url`` is the base URL)."""
    app = ReplayServer(scenario)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.url = f"http://127.0.0.1:{server.server_port}/oai"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
