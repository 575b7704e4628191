"""The hub's OAI-PMH harvesting client: verbs, resumption tokens, checkpoints and fallbacks.

:class:`OAIClient` speaks OAI-PMH 2.0 to one base URL through the hub's :class:`~hub.http.HttpClient`
and survives what real repositories send (see QUIRKS.md): HTML with HTTP 200, single broken
records, empty or truncated bodies, dead or repeated resumption tokens, granularity mismatches.
List verbs yield :class:`ListPage` objects whose ``checkpoint`` resumes exactly after that page.

``noRecordsMatch`` on a list yields exactly one empty, final page (no records, no token), so the
caller still gets the source's ``responseDate`` for its next incremental harvest.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from dateutil import parser as dateutil_parser
from lxml import etree

from hub.http import HarvestError, HttpClient, HttpError, ResponseTooLarge
from oai.xml import (
    BrokenRecord,
    MalformedResponse,
    NotOAIResponse,
    ParsedPage,
    ParsedRecord,
    parse_record,
    parse_response,
    q,
)

__all__ = [
    "DAY", "SECONDS", "BrokenRecord", "Identify", "ListPage", "ListRestartFailed", "MalformedResponse",
    "MetadataFormatInfo",
    "NotOAIResponse", "OAIClient", "OAIProtocolError", "ParsedRecord", "RunawayList", "SetInfo",
    "format_datestamp", "parse_datestamp",
]

DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"
TOKEN_DIGESTS_KEPT = 100


class OAIProtocolError(HarvestError):
    """An OAI-PMH ``<error code="...">`` answer; ``response_date`` is the server's clock."""

    retryable = False

    def __init__(self, code: str, message: str, response_date: str = "") -> None:
        super().__init__(f"OAI-PMH error {code}: {message}" if message else f"OAI-PMH error {code}")
        self.code = code
        self.message = message
        self.response_date = response_date


class RunawayList(HarvestError):
    """A list that does not end: repeated tokens, a token cycle, too many (empty) pages."""

    retryable = False


class ListRestartFailed(HarvestError):
    """A list's resumption token died again after every allowed restart from the list's original ``from``.

    Nothing is lost: the records read so far are stored, and the list is restarted whole by the next
    harvest (the run that raised this is left resumable and its high-water mark is not moved).
    """

    retryable = True


def parse_datestamp(value: str) -> datetime:
    """Parse an OAI datestamp (day, seconds, milliseconds, offsets) into an aware UTC datetime."""
    text = (value or "").strip()
    if not text:
        raise ValueError("empty datestamp")
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        try:
            parsed = dateutil_parser.isoparse(text)
        except (ValueError, OverflowError) as exc:
            raise ValueError(f"not a datestamp: {value!r}") from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


def format_datestamp(value: datetime | date | str, granularity: str) -> str:
    """Format ``value`` (a datetime, naive = UTC; a date; or a datestamp string) in ``granularity``."""
    if isinstance(value, str):
        moment = parse_datestamp(value)
    elif isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    else:
        moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
    day = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    if granularity == SECONDS:
        return f"{day}T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z"
    return day


def _granularity(text: str) -> str:
    """Normalise a declared granularity to DAY or SECONDS."""
    return SECONDS if "hh" in (text or "").lower() else DAY


@dataclass
class Identify:
    """What a repository says of itself."""

    repository_name: str
    base_url: str
    protocol_version: str
    earliest_datestamp: str
    deleted_record: str
    granularity: str
    compression: list[str] = field(default_factory=list)
    admin_emails: list[str] = field(default_factory=list)
    response_date: str = ""


@dataclass
class MetadataFormatInfo:
    """One metadata format a repository disseminates."""

    prefix: str
    schema: str
    namespace: str


@dataclass
class SetInfo:
    """One set; ``description_xml`` is the serialised ``<setDescription>`` content, if any."""

    spec: str
    name: str
    description_xml: str | None = None


@dataclass
class ListPage:
    """One page of ListRecords/ListIdentifiers. ``cursor`` is informative only: never compute with it."""

    records: list[ParsedRecord]
    broken: list[BrokenRecord]
    resumption_token: str | None
    complete_list_size: int | None
    cursor: str | None
    response_date: str
    checkpoint: dict[str, Any]
    notices: list[tuple[str, str]] = field(default_factory=list)


def _text(element: Any) -> str:
    return (element.text or "").strip() if element is not None else ""


def _digest(token: str) -> str:
    return hashlib.sha1(token.encode("utf-8")).hexdigest()[:12]


class OAIClient:
    """An OAI-PMH 2.0 harvesting client for one base URL.

    ``granularity`` (DAY or SECONDS) may be given when known; otherwise it is read from Identify the
    first time a from/until must be formatted.
    """

    def __init__(self, base_url: str, http: HttpClient, *, granularity: str | None = None) -> None:
        self.base_url = base_url
        self.http = http
        self.granularity = _granularity(granularity) if granularity else None
        self.max_pages = http.settings.HARVEST_MAX_PAGES
        self.max_empty_pages = http.settings.HARVEST_MAX_EMPTY_PAGES
        self.max_restarts = http.settings.HARVEST_LIST_RESTARTS
        self._notices: list[tuple[str, str]] = []

    # -- requests -----------------------------------------------------------------------------

    def _request(self, params: dict[str, str]) -> ParsedPage:
        """Send one verb; retry empty or truncated bodies; raise OAIProtocolError for <error>."""
        last = ""
        for attempt in range(self.http.max_retries + 1):
            result = self.http.get(self.base_url, params)
            try:
                page = parse_response(result.body)
            except NotOAIResponse as exc:
                if result.status >= 400:
                    raise HttpError(f"{result.url} answered HTTP {result.status} ({exc})", url=result.url,
                                    status=result.status, retryable=result.status >= 500) from exc
                raise NotOAIResponse(f"{result.url}: {exc}") from exc
            except MalformedResponse as exc:
                if not exc.truncated:
                    raise MalformedResponse(f"{result.url}: {exc}", raw=exc.raw) from exc
                last = str(exc)
                if attempt < self.http.max_retries:
                    self.http.sleep(self.http.backoff_delay(attempt))
                continue
            root = page.root
            error = root.find(q("error"))
            if error is not None:
                raise OAIProtocolError(error.get("code", "unknown"), _text(error),
                                       _text(root.find(q("responseDate"))))
            return page
        error = MalformedResponse(f"{self.base_url} sent an empty or truncated response "
                                  f"{self.http.max_retries + 1} times; last: {last}", truncated=True)
        error.retryable = True
        raise error

    def _server_granularity(self) -> str:
        """The server's granularity, from Identify once; DAY (always valid) if Identify fails."""
        if self.granularity is None:
            try:
                self.granularity = self.identify().granularity
            except HarvestError as exc:
                self.granularity = DAY
                self._notices.append(("granularity_unknown",
                                      f"Identify failed ({exc}); dates are sent with day granularity"))
        return self.granularity

    # -- single-answer verbs ----------------------------------------------------------------

    def identify(self) -> Identify:
        """The repository's Identify answer."""
        root = self._request({"verb": "Identify"}).root
        node = root.find(q("Identify"))
        if node is None:
            raise MalformedResponse(f"{self.base_url}: the Identify response has no <Identify> element")
        result = Identify(
            repository_name=_text(node.find(q("repositoryName"))),
            base_url=_text(node.find(q("baseURL"))),
            protocol_version=_text(node.find(q("protocolVersion"))),
            earliest_datestamp=_text(node.find(q("earliestDatestamp"))),
            deleted_record=_text(node.find(q("deletedRecord"))),
            granularity=_granularity(_text(node.find(q("granularity")))),
            compression=[_text(c) for c in node.findall(q("compression"))],
            admin_emails=[_text(a) for a in node.findall(q("adminEmail"))],
            response_date=_text(root.find(q("responseDate"))),
        )
        self.granularity = self.granularity or result.granularity
        return result

    def list_metadata_formats(self, identifier: str | None = None) -> list[MetadataFormatInfo]:
        """The formats the repository (or one item) disseminates; [] on noMetadataFormats."""
        params = {"verb": "ListMetadataFormats"}
        if identifier:
            params["identifier"] = identifier
        try:
            root = self._request(params).root
        except OAIProtocolError as exc:
            if exc.code == "noMetadataFormats":
                return []
            raise
        return [MetadataFormatInfo(prefix=_text(f.find(q("metadataPrefix"))), schema=_text(f.find(q("schema"))),
                                   namespace=_text(f.find(q("metadataNamespace"))))
                for f in root.iterfind(f"{q('ListMetadataFormats')}/{q('metadataFormat')}")]

    def list_sets(self) -> Iterator[SetInfo]:
        """Every set, following resumption tokens; nothing on noSetHierarchy."""
        params: dict[str, str] = {"verb": "ListSets"}
        seen: set[str] = set()
        for _page in range(self.max_pages):
            try:
                root = self._request(params).root
            except OAIProtocolError as exc:
                if exc.code == "noSetHierarchy":
                    return
                raise
            container = root.find(q("ListSets"))
            if container is None:
                raise MalformedResponse(f"{self.base_url}: the ListSets response has no <ListSets> element")
            for node in container.findall(q("set")):
                descriptions = [etree.tostring(c, encoding="unicode", with_tail=False)
                                for d in node.findall(q("setDescription")) for c in d if isinstance(c.tag, str)]
                yield SetInfo(spec=_text(node.find(q("setSpec"))), name=_text(node.find(q("setName"))),
                              description_xml="".join(descriptions) or None)
            token = _text(container.find(q("resumptionToken")))
            if not token:
                return
            if _digest(token) in seen:
                raise RunawayList(f"{self.base_url} repeats the ListSets resumption token {token!r}")
            seen.add(_digest(token))
            params = {"verb": "ListSets", "resumptionToken": token}
        raise RunawayList(f"{self.base_url}: ListSets exceeded HARVEST_MAX_PAGES={self.max_pages} pages")

    def get_record(self, identifier: str, metadata_prefix: str) -> ParsedRecord:
        """One record; OAIProtocolError (idDoesNotExist, cannotDisseminateFormat) when the server says so.

        A record read only after dropping characters illegal in XML comes back with its ``repairs`` and
        its ``raw_bytes`` as received; one that stays unreadable, or whose header has no identifier,
        raises :class:`MalformedResponse` (:class:`~oai.xml.MissingIdentifier`) holding its raw bytes.
        """
        page = self._request({"verb": "GetRecord", "identifier": identifier, "metadataPrefix": metadata_prefix})
        context = f"{self.base_url}: record {identifier!r} is broken"
        if page.broken:
            raise page.broken[0].as_error(context)
        if page.recovered:
            return page.recovered[0]
        node = page.root.find(f"{q('GetRecord')}/{q('record')}")
        if node is None:
            raise MalformedResponse(f"{self.base_url}: the GetRecord response has no <record>")
        try:
            return parse_record(node)
        except MalformedResponse as exc:
            raise BrokenRecord(identifier, str(exc), etree.tostring(node), exc.record_fault).as_error(context) from exc

    # -- list verbs ------------------------------------------------------------------------

    def list_records(self, metadata_prefix: str, *, from_: datetime | date | str | None = None,
                     until: datetime | date | str | None = None, set_: str | None = None,
                     checkpoint: dict[str, Any] | None = None) -> Iterator[ListPage]:
        """ListRecords page by page; with ``checkpoint`` continue right after that page (its args win)."""
        return self._list("ListRecords", metadata_prefix, from_, until, set_, checkpoint)

    def list_identifiers(self, metadata_prefix: str, *, from_: datetime | date | str | None = None,
                         until: datetime | date | str | None = None, set_: str | None = None,
                         checkpoint: dict[str, Any] | None = None) -> Iterator[ListPage]:
        """ListIdentifiers (headers only, ``metadata`` None) with the paging of :meth:`list_records`."""
        return self._list("ListIdentifiers", metadata_prefix, from_, until, set_, checkpoint)

    def _list(self, verb: str, metadata_prefix: str, from_: Any, until: Any, set_: str | None,
              checkpoint: dict[str, Any] | None) -> Iterator[ListPage]:
        if checkpoint:
            state = copy.deepcopy(checkpoint)
            state["restarts"] = 0  # a new attempt at the list may restart it again
            if state.get("granularity"):
                self.granularity = self.granularity or state["granularity"]
        else:
            granularity = self._server_granularity() if (from_ or until) else self.granularity
            state = {
                "verb": verb, "metadata_prefix": metadata_prefix, "set": set_ or None,
                # with from_ or until, granularity is the server's (never None)
                "from": format_datestamp(from_, granularity or DAY) if from_ else None,
                "until": format_datestamp(until, granularity or DAY) if until else None,
                "granularity": granularity, "token": None, "done": False, "pages": 0, "empty_pages": 0,
                "records_seen": 0, "token_digests": [], "restarts": 0, "day_retry": False,
            }
        if state.get("done"):
            return
        while True:
            notices, self._notices = self._notices, []
            token = state["token"]
            params = ({"verb": state["verb"], "resumptionToken": token} if token else self._fresh_params(state))
            try:
                page = self._request(params)
            except OAIProtocolError as exc:
                if exc.code == "noRecordsMatch":
                    state.update(token=None, done=True)
                    yield ListPage([], [], None, 0, None, exc.response_date, copy.deepcopy(state), notices)
                    return
                if token and exc.code == "badResumptionToken":
                    self._fall_back(state, exc)
                    continue
                if not token and exc.code == "badArgument" and self._retry_with_days(state):
                    continue
                raise
            except (HttpError, MalformedResponse, NotOAIResponse) as exc:
                if token and not isinstance(exc, ResponseTooLarge):
                    self._fall_back(state, exc)
                    continue
                raise
            list_page = self._read_page(state, page, notices)
            yield list_page
            if state["done"]:
                return

    def _fresh_params(self, state: dict[str, Any]) -> dict[str, str]:
        params = {"verb": state["verb"], "metadataPrefix": state["metadata_prefix"]}
        for key in ("from", "until", "set"):
            if state.get(key):
                params[key] = state[key]
        return params

    def _retry_with_days(self, state: dict[str, Any]) -> bool:
        """After badArgument on a seconds-granularity from/until, switch to days once."""
        stamps = [state[k] for k in ("from", "until") if state.get(k)]
        if state.get("day_retry") or not any("T" in s for s in stamps):
            return False
        for key in ("from", "until"):
            if state.get(key):
                state[key] = format_datestamp(state[key], DAY)
        state.update(day_retry=True, granularity=DAY)
        self.granularity = DAY
        self._notices.append(("granularity_fallback", f"{self.base_url} rejected seconds in from/until "
                                                      "(badArgument); retried with day granularity"))
        return True

    def _fall_back(self, state: dict[str, Any], error: HarvestError) -> None:
        """A dead resumption token: restart the whole list from its original ``from``.

        Lists are not ordered by datestamp (Zenodo, DOAJ and DSpace pages are shuffled), so a restart
        from the newest datestamp seen would skip older records on the pages not yet read. Records
        read again are stored unchanged. After ``HARVEST_LIST_RESTARTS`` restarts the list fails with
        :class:`ListRestartFailed`, resumable: its next attempt restarts it again.
        """
        if state.get("restarts", 0) >= self.max_restarts:
            raise ListRestartFailed(
                f"{self.base_url}: the resumption token died again after restarting the list "
                f"{state.get('restarts', 0)} time(s) from from={state.get('from') or '(start)'}; the records read "
                f"so far are stored and the next harvest restarts the list; last error: {error}") from error
        state.update(token=None, token_digests=[], records_seen=0, empty_pages=0,
                     restarts=state.get("restarts", 0) + 1)
        self._notices.append(("token_fallback", f"resumption token died after page {state['pages']} ({error}); "
                                                f"restarted the whole list from its original "
                                                f"from={state['from'] or '(start)'}: records read again are "
                                                "counted unchanged"))

    def _read_page(self, state: dict[str, Any], page: ParsedPage, notices: list[tuple[str, str]]) -> ListPage:
        """Turn a parsed response into a ListPage, updating the list state and stopping runaways."""
        verb = state["verb"]
        root = page.root
        container = root.find(q(verb))
        if container is None:
            raise MalformedResponse(f"{self.base_url}: the {verb} response has no <{verb}> element")
        if page.recovered is not None:
            records, broken = page.recovered, list(page.broken)
        else:
            records, broken = [], []
            for node in container.findall(q("record" if verb == "ListRecords" else "header")):
                try:
                    records.append(parse_record(node))
                except MalformedResponse as exc:
                    broken.append(BrokenRecord("", str(exc), etree.tostring(node), exc.record_fault))
        token_node = container.find(q("resumptionToken"))
        token = _text(token_node) or None
        size_text = token_node.get("completeListSize", "") if token_node is not None else ""
        complete_size = int(size_text) if size_text.strip().isdigit() else None
        cursor = token_node.get("cursor") if token_node is not None else None
        state["pages"] += 1
        state["records_seen"] += len(records) + len(broken)
        if token:
            digest = _digest(token)
            if state["token_digests"] and state["token_digests"][-1] == digest:
                raise RunawayList(f"{self.base_url} sent the same resumption token twice in a row: {token!r}")
            if digest in state["token_digests"]:
                raise RunawayList(f"{self.base_url} sends resumption tokens in a cycle (token {token!r} again)")
            state["token_digests"] = (state["token_digests"] + [digest])[-TOKEN_DIGESTS_KEPT:]
            if state["pages"] >= self.max_pages:
                raise RunawayList(f"{self.base_url}: {verb} exceeded HARVEST_MAX_PAGES={self.max_pages} pages")
            if records or broken:
                state["empty_pages"] = 0
            else:
                state["empty_pages"] += 1
                if complete_size is not None and state["records_seen"] >= complete_size:
                    notices.append(("runaway_tokens", f"{self.base_url} issued a token past completeListSize="
                                                      f"{complete_size} with no new records; list ended"))
                    token = None
                elif state["empty_pages"] > self.max_empty_pages:
                    raise RunawayList(f"{self.base_url}: more than HARVEST_MAX_EMPTY_PAGES="
                                      f"{self.max_empty_pages} consecutive pages without records")
        state.update(token=token, done=token is None)
        return ListPage(records=records, broken=broken, resumption_token=token, complete_list_size=complete_size,
                        cursor=cursor, response_date=_text(root.find(q("responseDate"))),
                        checkpoint=copy.deepcopy(state), notices=notices)
