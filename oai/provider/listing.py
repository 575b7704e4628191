"""ListIdentifiers and ListRecords: list requests, their pages and their resumption tokens.

See :mod:`oai.provider.tokens` for why a list that changes during a harvest never skips nor
repeats a record: the first page of a list longer than one page fixes ``until`` to the second
before the harvest began, counts ``completeListSize`` once, and every page continues from the
keyset cursor of the last record sent. A page of headers is streamed row by row; a page of
records is read whole first (at most ``OAI_PAGE_SIZE_RECORDS`` + 1 rows), so that the relations of
its records to the other records of their works load in one query for the page, then written
chunk by chunk. The row after the page, when there is one, only tells that a token is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.sql.elements import ColumnElement

from oai.provider import query, tokens
from oai.provider.arguments import OAIRequest, Verb, dates_in_range
from oai.provider.errors import ErrorCode, OAIError
from oai.provider.formats import MetadataFormat, RenderContext
from oai.provider.provenance import render_about
from oai.provider.response import header, resumption_token
from oai.provider.sets import set_clause

if TYPE_CHECKING:
    from oai.provider.verbs import Provider

log = logging.getLogger(__name__)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FLUSH_EVERY = 25


def to_micros(moment: datetime | None) -> int | None:
    """A datetime as integer microseconds since the epoch (exact, for tokens)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_micros(value: int | None) -> datetime | None:
    """The inverse of :func:`to_micros`."""
    return None if value is None else EPOCH + timedelta(microseconds=value)


def _format(provider: Provider, prefix: str, code: ErrorCode) -> MetadataFormat:
    fmt = provider.formats.get(prefix)
    if fmt is None:
        raise OAIError(code, f"the metadata format {prefix[:100]!r} is not served here")
    return fmt


def _set_clause(provider: Provider, spec: str, code: ErrorCode, fmt: MetadataFormat) -> ColumnElement[bool] | None:
    if not spec:
        return None
    if not provider.sets_enabled:
        raise OAIError(ErrorCode.NO_SET_HIERARCHY, "this repository does not support sets")
    deleted_here = query.deleted_in(fmt.prefix, fmt.sql_clause())
    clause = set_clause(provider.session, spec, deleted_here) if len(spec) <= 200 else None
    if clause is None:
        raise OAIError(code, f"there is no set {spec[:100]!r}")
    return clause


def list_answer(provider: Provider, request: OAIRequest) -> Iterator[str]:
    """Validate a list request, read its first row eagerly (errors come before any output) and
    return the chunks of the ``<ListIdentifiers>``/``<ListRecords>`` element."""
    with_metadata = request.verb is Verb.LIST_RECORDS
    page_size = provider.page_size(with_metadata)
    raw_token = request.get("resumptionToken")
    if raw_token is not None:
        token = tokens.decode(raw_token, provider.secret, provider.token_lifetime, provider.now,
                              provider.secret_fallbacks)
        if token.verb != request.verb or token.last_id is None:
            raise OAIError(ErrorCode.BAD_RESUMPTION_TOKEN, "the resumption token belongs to another verb")
        fmt = _format(provider, token.prefix, ErrorCode.BAD_RESUMPTION_TOKEN)
        set_clause = _set_clause(provider, token.set, ErrorCode.BAD_RESUMPTION_TOKEN, fmt)
        list_filter = query.ListFilter(fmt.prefix, fmt.sql_clause(), set_clause, from_micros(token.start),
                                       from_micros(token.until))
        last = from_micros(token.last_datestamp)
        cursor = (last, token.last_id) if last is not None else None
        paged: tokens.ResumptionToken | None = token
    else:
        fmt = _format(provider, request.arguments["metadataPrefix"], ErrorCode.CANNOT_DISSEMINATE_FORMAT)
        set_spec = request.get("set") or ""
        set_clause = _set_clause(provider, set_spec, ErrorCode.NO_RECORDS_MATCH, fmt)
        start, until = dates_in_range(request.get("from"), request.get("until"))
        list_filter = query.ListFilter(fmt.prefix, fmt.sql_clause(), set_clause, start, until)
        cursor, paged = None, None
        if query.has_more_than(provider.session, list_filter, page_size):
            bound = provider.now - timedelta(seconds=1)
            until = min(until, bound) if until else bound
            list_filter = query.ListFilter(fmt.prefix, list_filter.format_clause, set_clause, start, until)
            total = query.count(provider.session, list_filter)
            if total > page_size:
                paged = tokens.ResumptionToken(
                    str(request.verb), fmt.prefix, set_spec, to_micros(start), to_micros(until),
                    None, None, "", 0, total, int(provider.now.timestamp()))
    rows = query.page_rows(provider.session, list_filter, cursor, page_size + 1, with_metadata=with_metadata)
    context = provider.context
    if with_metadata:
        fetched = list(rows)
        context = provider.context_for(fetched[:page_size])
        rows = iter(fetched)
    first = next(rows, None)
    if first is None:
        raise OAIError(ErrorCode.NO_RECORDS_MATCH, "no record matches the request")
    return _page(provider, request.verb, fmt, first, rows, page_size, paged, context)


def _page(provider: Provider, verb: Verb, fmt: MetadataFormat, first: Any, rows: Iterator[Any],
          page_size: int, paged: tokens.ResumptionToken | None, context: RenderContext) -> Iterator[str]:
    with_metadata = verb is Verb.LIST_RECORDS
    repos = provider.repositories()
    buffer: list[str] = [f"<{verb}>"]
    sent_here = 0
    last: Any = None
    has_more = False
    for row in _chain(first, rows):
        if sent_here == page_size:
            has_more = True
            break
        buffer.append(record_xml(provider, fmt, row, repos, context) if with_metadata
                      else header(row, provider.identifier_prefix, repos))
        sent_here += 1
        last = row
        if len(buffer) >= FLUSH_EVERY:
            yield "".join(buffer)
            buffer = []
    if paged is not None:
        if has_more:
            following = paged.next(last_datestamp=to_micros(last.hub_datestamp), last_id=last.id,
                                   sent=paged.sent + sent_here)
            provider.next_token = tokens.encode(following, provider.secret)
            buffer.append(resumption_token(provider.next_token,
                                           expires=tokens.expiration(paged, provider.token_lifetime),
                                           complete_list_size=paged.total, cursor=paged.sent))
        else:
            buffer.append(resumption_token("", expires=None, complete_list_size=paged.total, cursor=paged.sent))
    buffer.append(f"</{verb}>")
    yield "".join(buffer)


def _chain(first: Any, rows: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rows


def record_xml(provider: Provider, fmt: MetadataFormat, row: Any, repos: dict[int, Any],
               context: RenderContext | None = None) -> str:
    """One ``<record>``: header, then metadata and provenance unless the record is deleted.

    ``context`` is the render context of the page (with its records' relations); the provider's
    own, without relations, when not given.

    A format that fails on one record (a plugin bug, metadata of an unexpected shape) must not
    cut the response short: the record is sent with its header only and the error is logged.
    """
    head = header(row, provider.identifier_prefix, repos)
    if row.deleted:
        return f"<record>{head}</record>"
    try:
        metadata = fmt.render(row, context or provider.context)
        repo = repos.get(row.repository_id)
        about = render_about(row, repo.base_url if repo else "")
    except Exception:  # noqa: BLE001 - one record must never break a page
        log.exception("cannot render record %s as %s", row.id, fmt.prefix)
        return f"<record>{head}</record>"
    return f"<record>{head}<metadata>{metadata}</metadata>{about}</record>"
