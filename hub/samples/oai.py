"""The OAI-PMH 2.0 protocol of the sample repositories: six verbs, errors, paging, faults.

`handle_oai(repo, args, server_url)` takes the decoded query (or form) as a mapping of lists and returns
a `Reply`. OAI errors are HTTP 200 with an `<error>` element; the request echo carries no attributes for
badVerb and badArgument, as the protocol asks. Faults configured on the repository (see
`hub.samples.faults`) are applied here because only here is the page number of a request known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from hub.samples import oai_xml
from hub.samples import vocabulary as v
from hub.samples.catalog import RepositoryStyle, SampleRepository
from hub.samples.faults import HTTP_KINDS, Fault, FaultKind, http_fault_response, truncate_body
from hub.samples.records import (
    BASE_TIMESTAMP,
    HANDLE_PREFIX,
    generate_record,
    hex_set,
    index_from_identifier,
    index_from_number,
    record_number,
)
from hub.samples.selection import BadDate, parse_oai_date, select
from hub.samples.tokens import ListCursor, decode_token, encode_token

VERB_ARGUMENTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {  # required, optional
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set", "resumptionToken"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set", "resumptionToken"})),
}
METADATA_FORMATS = (("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
                     "http://www.openarchives.org/OAI/2.0/oai_dc/"),)
CONTENT_TYPES = {RepositoryStyle.DSPACE: "text/xml;charset=UTF-8", RepositoryStyle.EPRINTS: "text/xml; charset=utf-8"}
DSPACE_COMMUNITIES = {1: "理工学部 Faculty of Science and Engineering",
                      2: "人文社会科学学部 Faculty of Humanities and Social Sciences"}
DSPACE_COLLECTION_NAMES = ("学位论文 Theses", "期刊论文 Journal Articles", "会议论文 Conference Papers",
                           "科研数据 Research Data")


class OaiError(Exception):
    """An OAI-PMH error condition (answered with HTTP 200 and <error code=...>)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Reply:
    """A complete HTTP answer."""

    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


def repository_sets(repo: SampleRepository) -> list[tuple[str, str]]:
    """(setSpec, setName) of every set the repository has."""
    if repo.style is RepositoryStyle.DSPACE:
        sets = []
        for handle, name in DSPACE_COMMUNITIES.items():
            sets += [(f"com_{HANDLE_PREFIX}_{handle}", name), (f"hdl_{HANDLE_PREFIX}_{handle}", name)]
        for k, name in enumerate(DSPACE_COLLECTION_NAMES):
            sets += [(f"col_{HANDLE_PREFIX}_{3 + k}", name), (f"hdl_{HANDLE_PREFIX}_{3 + k}", name)]
        return sets
    sets = [(hex_set(f"types={t}"), f"Item Type = {it.dc_en} {it.dc_zh}") for t, it in v.ITEM_TYPES.items()]
    return sets + [(hex_set("status=pub"), "Status = Published"), (hex_set("status=inpress"), "Status = In Press")]


def _fires(faults: list[Fault], kind: FaultKind, verb: str, page: int) -> Fault | None:
    return next((f for f in faults if f.kind is kind and f.fire(verb, page)), None)


def _identify(repo: SampleRepository, base_url: str) -> str:
    earliest = "0001-01-01T00:00:00Z" if repo.style is RepositoryStyle.EPRINTS else \
        datetime.fromtimestamp(BASE_TIMESTAMP, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    sample = f"oai:{repo.domain}:" + (f"{HANDLE_PREFIX}/{record_number(repo, 0)}"
                                      if repo.style is RepositoryStyle.DSPACE else str(record_number(repo, 0)))
    return (f"<Identify><repositoryName>{escape(repo.display_name)}</repositoryName>"
            f"<baseURL>{escape(base_url)}</baseURL><protocolVersion>2.0</protocolVersion>"
            f"<adminEmail>{escape(repo.institution.contact_email)}</adminEmail>"
            f"<earliestDatestamp>{earliest}</earliestDatestamp><deletedRecord>{repo.deleted_record}</deletedRecord>"
            f"<granularity>YYYY-MM-DDThh:mm:ssZ</granularity><compression>gzip</compression><description>"
            f'<oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier" '
            f'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier '
            f'http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"><scheme>oai</scheme>'
            f"<repositoryIdentifier>{repo.domain}</repositoryIdentifier><delimiter>:</delimiter>"
            f"<sampleIdentifier>{sample}</sampleIdentifier></oai-identifier></description></Identify>")


def _metadata_formats(repo: SampleRepository, params: dict[str, str]) -> str:
    if "identifier" in params and index_from_identifier(repo, params["identifier"]) is None:
        raise OaiError("idDoesNotExist", f"No matching identifier: {params['identifier']}")
    formats = "".join(f"<metadataFormat><metadataPrefix>{p}</metadataPrefix><schema>{s}</schema>"
                      f"<metadataNamespace>{n}</metadataNamespace></metadataFormat>" for p, s, n in METADATA_FORMATS)
    return f"<ListMetadataFormats>{formats}</ListMetadataFormats>"


def _list_sets(repo: SampleRepository, params: dict[str, str]) -> str:
    if "resumptionToken" in params:
        raise OaiError("badResumptionToken", "ListSets is never paged here")
    if not repo.has_sets:
        raise OaiError("noSetHierarchy", "This repository does not support sets")
    sets = "".join(f"<set><setSpec>{s}</setSpec><setName>{escape(n)}</setName></set>" for s, n in repository_sets(repo))
    return f"<ListSets>{sets}</ListSets>"


def _get_record(repo: SampleRepository, params: dict[str, str], server_url: str) -> str:
    i = index_from_identifier(repo, params["identifier"])
    if i is None:
        raise OaiError("idDoesNotExist", f"No matching identifier: {params['identifier']}")
    if params["metadataPrefix"] not in {p for p, _, _ in METADATA_FORMATS}:
        raise OaiError("cannotDisseminateFormat", f"Format {params['metadataPrefix']} is not supported")
    return f"<GetRecord>{oai_xml.record_element(repo, server_url, generate_record(repo, i))}</GetRecord>"


def _date_range(repo: SampleRepository, verb: str, from_text: str | None,
                until_text: str | None) -> tuple[int | None, int | None]:
    try:
        from_seconds, from_time = parse_oai_date(from_text, end_of_day=False) if from_text else (None, None)
        until_seconds, until_time = parse_oai_date(until_text, end_of_day=True) if until_text else (None, None)
    except BadDate as exc:
        raise OaiError("badArgument", f"Illegal date: {exc}") from None
    if from_text and until_text and from_time != until_time:
        raise OaiError("badArgument", "from and until must have the same granularity")
    if (from_time or until_time) and _fires(repo.faults, FaultKind.REJECT_SECONDS, verb, 1):
        raise OaiError("badArgument", "Illegal granularity: use YYYY-MM-DD")
    if from_seconds is not None and until_seconds is not None and from_seconds > until_seconds:
        raise OaiError("badArgument", "from is later than until")
    return from_seconds, until_seconds


def _list(repo: SampleRepository, verb: str, params: dict[str, str], server_url: str) -> tuple[str, int]:
    """The body of ListRecords/ListIdentifiers and the 1-based page number it answered."""
    dspace, size, faults = repo.style is RepositoryStyle.DSPACE, repo.page_size, repo.faults
    token = params.get("resumptionToken")
    cursor = decode_token(repo.style, token) if token is not None else None
    if token is not None and cursor is None:
        raise OaiError("badResumptionToken", "The value of the resumptionToken argument is invalid or expired")
    query = cursor or ListCursor(params["metadataPrefix"], params.get("from"), params.get("until"),
                                 params.get("set"), 0)
    if query.metadata_prefix != "oai_dc":
        raise OaiError("cannotDisseminateFormat", f"Format {query.metadata_prefix} is not supported")
    from_seconds, until_seconds = _date_range(repo, verb, query.from_date, query.until_date)
    if query.set_spec and not repo.has_sets:
        raise OaiError("noSetHierarchy", "This repository does not support sets")
    selection = select(repo, query.set_spec, from_seconds, until_seconds)
    if selection is None or (selection.total == 0 and cursor is None):
        raise OaiError("noRecordsMatch", "No matches for the query")
    if cursor is None:
        offset, start = 0, selection.next_at_or_after(0)
    elif dspace:
        offset, start = cursor.position, selection.nth(cursor.position)
    else:
        index = index_from_number(repo, cursor.position)
        start = None if index is None else selection.next_at_or_after(index)
        offset = selection.total + max(0, cursor.position - record_number(repo, repo.records)) \
            if start is None else selection.count_below(start)
    page = offset // size + 1
    element = verb

    def answer(items: str, next_token: str | None) -> tuple[str, int]:
        if next_token is not None:
            cursor_attr = page - 1 if dspace else (cursor.position if cursor else record_number(repo, start or 0))
            items += (f'<resumptionToken completeListSize="{selection.total}" cursor="{cursor_attr}">'
                      f"{escape(next_token)}</resumptionToken>")
        elif dspace and cursor is not None:
            items += f'<resumptionToken completeListSize="{selection.total}" cursor="{page - 1}"/>'
        return f"<{element}>{items}</{element}>", page

    past_size = any(f.kind is FaultKind.PAST_SIZE and verb in f.verbs for f in faults)
    if start is None:  # a token beyond the end of the list
        if not past_size:
            raise OaiError("badResumptionToken", "The resumptionToken points past the end of the list")
        return answer("", encode_token(repo.style, _advance(query, cursor.position + size)))
    if cursor is not None and _fires(faults, FaultKind.BAD_TOKEN, verb, page):
        raise OaiError("badResumptionToken", "The resumptionToken has expired")
    if not (cursor and cursor.shown_empty) and _fires(faults, FaultKind.EMPTY_PAGE, verb, page):
        position = cursor.position if cursor else (0 if dspace else record_number(repo, start))
        return answer("", encode_token(repo.style, _advance(query, position, shown_empty=True)))
    indices = list(selection.iter_from(start, size))
    broken = _fires(faults, FaultKind.ILLEGAL_CHAR, verb, page) if verb == "ListRecords" else None
    unclosed = _fires(faults, FaultKind.BROKEN_RECORD, verb, page) if verb == "ListRecords" else None
    parts = []
    for i in indices:
        record = generate_record(repo, i)
        if verb == "ListIdentifiers":
            parts.append(oai_xml.header(record))
            continue
        suffix = ""
        if broken is not None and not record.deleted:
            suffix, broken = f" {broken.char}", None
        record_xml = oai_xml.record_element(repo, server_url, record, suffix)
        if unclosed is not None and not record.deleted:
            record_xml, unclosed = record_xml.replace("</dc:description>", "<unclosed></dc:description>", 1), None
        parts.append(record_xml)
    delivered = offset + len(indices)
    next_token = None
    if delivered < selection.total:
        position = delivered if dspace else record_number(repo, selection.next_at_or_after(indices[-1] + 1) or 0)
        next_token = encode_token(repo.style, _advance(query, position))
    elif past_size:
        position = delivered if dspace else record_number(repo, repo.records)
        next_token = encode_token(repo.style, _advance(query, position))
    if token is not None and _fires(faults, FaultKind.REPEAT_TOKEN, verb, page):
        next_token = token
    return answer("".join(parts), next_token)


def _advance(query: ListCursor, position: int, shown_empty: bool = False) -> ListCursor:
    return ListCursor(query.metadata_prefix, query.from_date, query.until_date, query.set_spec, position,
                      shown_empty)


def _validated_params(args: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
    verbs = args.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERB_ARGUMENTS:
        raise OaiError("badVerb", "Illegal OAI verb" if verbs else "No verb given")
    verb = verbs[0]
    if any(len(values) > 1 for values in args.values()):
        raise OaiError("badArgument", "Repeated argument")
    params = {k: values[0] for k, values in args.items() if k != "verb"}
    required, optional = VERB_ARGUMENTS[verb]
    unknown = set(params) - required - optional
    if unknown:
        raise OaiError("badArgument", f"Illegal argument: {', '.join(sorted(unknown))}")
    if "resumptionToken" in params:
        if len(params) > 1:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument")
    elif required - set(params):
        raise OaiError("badArgument", f"Missing argument: {', '.join(sorted(required - set(params)))}")
    return verb, params


def handle_oai(repo: SampleRepository, args: dict[str, list[str]], server_url: str,
               now: datetime | None = None) -> Reply:
    """Answer one OAI-PMH request to `repo` served under `server_url`."""
    base_url = repo.base_url(server_url)
    response_date = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    verb, page, echo = args.get("verb", [""])[0], 1, {}
    try:
        verb, params = _validated_params(args)
        echo = {"verb": verb, **params}
        if verb == "Identify":
            body = _identify(repo, base_url)
        elif verb == "ListMetadataFormats":
            body = _metadata_formats(repo, params)
        elif verb == "ListSets":
            body = _list_sets(repo, params)
        elif verb == "GetRecord":
            body = _get_record(repo, params, server_url)
        else:
            body, page = _list(repo, verb, params, server_url)
    except OaiError as exc:
        echo = {} if exc.code in ("badVerb", "badArgument") else echo
        body = oai_xml.error_element(exc.code, exc.message)
    payload = oai_xml.envelope(repo, response_date, echo, base_url, body).encode("utf-8")
    reply = Reply(200, payload, [("Content-Type", CONTENT_TYPES[repo.style])])
    for fault in repo.faults:
        if fault.kind in HTTP_KINDS | {FaultKind.HTML_LOGIN, FaultKind.EMPTY_BODY} and fault.fire(verb, page):
            answer = http_fault_response(fault)
            return Reply(answer.status, answer.body, list(answer.headers))
        if fault.kind is FaultKind.TRUNCATED and fault.fire(verb, page):
            return Reply(200, truncate_body(payload), reply.headers)
    return reply
