"""The portal's search form: query-string arguments to a SearchRequest, and the links of a result page.

Arguments of ``/search`` (all optional; everything else is a facet filter, one argument per value):

- ``q``: the query in the hub's syntax (hub.search.query);
- the advanced form's rows, in order: ``af`` (field: any, title, author, subject, abstract,
  identifier), ``at`` (the words of that row) and ``ao`` (how the row joins the ones before it:
  AND, OR, NOT; the first row's is ignored). :func:`compose_advanced` turns them into a query
  (rows grouped left to right), ANDed with ``q``;
- ``from`` / ``to``: a publication year range (either end may be left open);
- ``page``, ``size`` (one of :data:`PAGE_SIZES`), ``sort``.

Every bad value raises :class:`~hub.search.SearchError` with a message for the visitor.
"""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import urlencode

from flask import request, url_for
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from hub.normalise.subjects import concept_of
from hub.search import FACETS, SearchError, SearchRequest
from hub.search.query import YEAR_MAX, YEAR_MIN

PAGE_SIZES = (10, 20, 50, 100)
ADVANCED_FIELDS = ("any", "title", "author", "subject", "abstract", "identifier")
ADVANCED_ROWS = 3  # rows the form shows (more may be sent)
_WORDS = re.compile(r'"([^"]*)"|(\S+)')
_OPERATOR_WORDS = {"AND", "OR", "NOT", "&&", "||", "&", "|"}
_PUNCTUATION = str.maketrans({c: " " for c in '"()'})


class BoolOp(StrEnum):
    """How a row of the advanced form joins the rows before it."""

    AND = "AND"
    OR = "OR"
    NOT = "NOT"


def _row_query(field: str, text: str) -> str:
    """One advanced row as a query: its words and "phrases", each in ``field`` (all ANDed; in
    parentheses when there are several)."""
    if field == "subject" and concept_of(text.translate(_PUNCTUATION)):
        return f'subject:"{" ".join(text.translate(_PUNCTUATION).split())}"'  # a subject of the vocabulary, whole
    parts = []
    for phrase, word in _WORDS.findall(text or ""):
        value = " ".join((phrase or word).translate(_PUNCTUATION).split())
        if not value or (word and value.upper() in _OPERATOR_WORDS):
            continue
        value = value.lstrip("-") or value
        parts.append(f'"{value}"' if field == "any" else f'{field}:"{value}"')
    return parts[0] if len(parts) == 1 else f"({' '.join(parts)})" if parts else ""


def compose_advanced(fields: list[str], texts: list[str], ops: list[str]) -> str:
    """The query of the advanced form's rows (see the module docstring); '' when every row is empty."""
    query, compound = "", False  # compound: the query so far needs parentheses before OR / NOT
    for i, text in enumerate(texts):
        field = fields[i] if i < len(fields) else "any"
        if field not in ADVANCED_FIELDS:
            raise SearchError(gettext("Unknown search field %(field)s: choose one of the list.", field=field[:40]))
        raw_op = (ops[i] if i < len(ops) else "AND") or "AND"
        try:
            op = BoolOp(raw_op.upper())
        except ValueError as exc:
            raise SearchError(gettext("Unknown operator %(op)s: use AND, OR or NOT.", op=raw_op[:20])) from exc
        row = _row_query(field, text)
        if not row:
            continue
        if not query:
            if op is BoolOp.NOT:
                raise SearchError(gettext("NOT needs a row before it: fill in the first row with words to find."))
            query = row
            continue
        left = f"({query})" if compound else query
        query = {BoolOp.AND: f"{left} {row}", BoolOp.OR: f"{left} OR {row}", BoolOp.NOT: f"{left} NOT {row}"}[op]
        compound = True
    return query


def _year(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) != 4 or not YEAR_MIN <= int(value) <= YEAR_MAX:
        raise SearchError(gettext("A year range needs years of four digits (%(min)s-%(max)s), not “%(value)s”.",
                                  min=YEAR_MIN, max=YEAR_MAX, value=value[:20]))
    return int(value)


def year_range(args: MultiDict) -> str | None:
    """The ``from``/``to`` arguments as a year filter value (``2010-2015``), or None when both are empty."""
    start = _year(args.get("from", ""))
    end = _year(args.get("to", ""))
    if start is None and end is None:
        return None
    start, end = start or YEAR_MIN, end or YEAR_MAX
    if start > end:
        raise SearchError(gettext("The year range starts after it ends: %(start)s > %(end)s.", start=start, end=end))
    return f"{start}-{end}"


def _number(args: MultiDict, name: str, default: int, message: str) -> int:
    raw = (args.get(name, "") or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 12:
        raise SearchError(message)
    return int(raw)


def request_from_args(args: MultiDict, page_size: int) -> SearchRequest:
    """A SearchRequest from query-string arguments (see the module docstring)."""
    page = _number(args, "page", 1, gettext("The page must be a whole number from 1."))
    size = _number(args, "size", page_size, gettext("Results per page must be a whole number."))
    filters = {name: [v for v in args.getlist(name) if v.strip()] for name in FACETS if args.getlist(name)}
    years = year_range(args)
    if years:
        filters["year"] = [years]  # a range replaces year links: one range at a time
    q = (args.get("q", "") or "").strip()
    advanced = compose_advanced(args.getlist("af"), args.getlist("at"), args.getlist("ao"))
    if advanced:
        q = f"({q}) {advanced}" if q else advanced
    return SearchRequest(q=q, filters=filters, page=page, size=size,
                         sort=args.get("sort", "relevance") or "relevance")


def check_page_size(size: int) -> None:
    """The portal offers a few page sizes; another one is refused with the choice."""
    if size not in PAGE_SIZES:
        raise SearchError(gettext("Results per page: choose %(sizes)s.", sizes=", ".join(map(str, PAGE_SIZES))))


def _query(args: MultiDict) -> str:
    args.pop("lang", None)
    query = urlencode(list(args.items(multi=True)))
    return url_for("portal.search") + (f"?{query}" if query else "")


def url_with(endpoint: str = "portal.search", drop: tuple[str, ...] = (), **changes: object) -> str:
    """The current search URL with arguments replaced (None removes), filters kept, page reset."""
    args = MultiDict(request.args)
    args.pop("page", None)
    args.pop("lang", None)
    for key in drop:
        args.pop(key, None)
    for key, value in changes.items():
        args.pop(key, None)
        if value is not None:
            args[key] = str(value)
    query = urlencode(list(args.items(multi=True)))
    return url_for(endpoint) + (f"?{query}" if query else "")


def filter_url(name: str, value: str, remove: bool = False) -> str:
    """The current search with one facet value added or removed (removing a year drops the range too)."""
    args = MultiDict(request.args)
    args.pop("page", None)
    values = [v for v in args.getlist(name) if v != value]
    args.setlist(name, values if remove else values + [value])
    if name == "year" and remove:
        args.pop("from", None)
        args.pop("to", None)
    return _query(args)


def page_url(page: int) -> str:
    """The current search at another page."""
    args = MultiDict(request.args)
    args["page"] = str(page)
    return _query(args)


def kept_args(drop: tuple[str, ...]) -> list[tuple[str, str]]:
    """The current search's arguments but ``drop`` (and page, lang), as hidden inputs of a form that
    changes only those."""
    return [(k, v) for k, v in request.args.items(multi=True) if k not in {*drop, "page", "lang"}]


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page links to show: first, last and ``around`` pages each side of ``page``; None marks a gap."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out
