"""The search backend contract: requests, results and the base class every backend implements.

A backend stores *documents* (dicts built by :mod:`hub.search.document`, keyed by record
id) and answers :class:`SearchRequest` with a :class:`SearchResult`. Validation (query
syntax, filters, the result window) happens once here, in :meth:`SearchBackend.search`,
so every backend refuses the same bad input with the same message.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from hub.config import Settings
from hub.normalise.vocab import subject_variants
from hub.search.query import Node, QuerySyntaxError, SearchError, YearRange, has_text, parse_query

# Facet name -> document field. The portal, the API and every backend use these names.
# Facet counts are per *record* on every backend (a work held by three members counts once under each
# member's institution, which is what a member looking at its own holdings expects); the result total
# and paging are per *work* (SearchResult.total), with the record count beside it (SearchResult.records).
FACETS: tuple[str, ...] = ("institution", "repository", "year", "type", "language", "subject", "discipline",
                           "fulltext")
FACET_FIELDS: dict[str, str] = {"institution": "institution", "repository": "repository", "year": "year",
                                "type": "type", "language": "languages", "subject": "subjects_facet",
                                "discipline": "disciplines", "fulltext": "has_fulltext"}
# The document field results are collapsed on: one hit per work ("w<work id>", or "r<record id>" for
# a record not grouped into a work yet).
COLLAPSE_FIELD = "work_id"
SORTS: tuple[str, ...] = ("relevance", "newest", "oldest")
HIGHLIGHT_FIELDS: tuple[str, ...] = ("title", "abstract", "fulltext")
# Relevance: a match in the title counts most, then creators, subjects, abstract, full text.
FIELD_BOOSTS: dict[str, float] = {"title": 8.0, "creators": 4.0, "subjects": 3.0, "abstract": 2.0,
                                  "fulltext": 1.0, "other": 1.0}
# Fields a query prefix searches (identifiers share the "other" field with publisher and source).
PREFIX_FIELDS: dict[str, tuple[str, ...]] = {"title": ("title",), "author": ("creators",), "subject": ("subjects",),
                                             "abstract": ("abstract",), "identifier": ("other",)}


class ResultWindowError(SearchError):
    """The page asked for lies beyond SEARCH_MAX_RESULTS."""


class FilterError(SearchError):
    """A filter name or value is not valid."""


@dataclass
class SearchRequest:
    """What to search: the query text, facet filters (name -> values, ORed within a name), paging."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    size: int = 20
    sort: str = "relevance"
    facets: bool = True
    facet_size: int = 10
    highlight: bool = True
    only_facets: tuple[str, ...] = ()  # compute just these facets (empty: all of FACETS)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def facet_names(self) -> tuple[str, ...]:
        """The facets to count (none when ``facets`` is off)."""
        if not self.facets:
            return ()
        return tuple(f for f in FACETS if not self.only_facets or f in self.only_facets)


@dataclass
class Hit:
    """One found document: its stored fields and highlighted snippets (escaped Markup)."""

    id: int
    score: float
    doc: dict[str, Any]
    highlights: dict[str, list[Markup]] = field(default_factory=dict)


@dataclass
class FacetValue:
    """One value of a facet and how many found documents carry it."""

    value: str
    count: int


@dataclass
class SearchResult:
    """A page of hits (one per work, its best-ranked record), the totals, and the facet counts.

    ``total`` counts the works found (paging is by work); ``records`` counts the records found
    (a work held by several members is several records); facet counts are per record.
    ``approximate`` is true when the totals and facet counts are estimates (the embedded backend
    counts a sample of a huge hit set): the portal shows them as "about".
    """

    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    page: int
    size: int
    max_results: int
    records: int = 0
    approximate: bool = False

    @property
    def pages(self) -> int:
        """Pages reachable by paging (bounded by the result window)."""
        reachable = min(self.total, self.max_results)
        return max(1, -(-reachable // self.size))


@dataclass
class Plan:
    """A validated request, ready for a backend to compile."""

    request: SearchRequest
    query: Node
    filters: dict[str, list[Any]]
    sort: str


def _filter_values(name: str, values: list[str]) -> list[Any]:
    out: list[Any] = []
    for raw in values:
        raw = str(raw).strip()
        if not raw:
            continue
        if name == "year":
            try:
                node = parse_query(f"year:{raw}")
            except QuerySyntaxError as exc:
                raise FilterError(str(exc)) from exc
            assert isinstance(node, YearRange)
            out.append(node)
        elif name == "fulltext":
            if raw.lower() not in ("true", "false", "yes", "no", "1", "0"):
                raise FilterError(f"fulltext={raw}: use fulltext=true or fulltext=false")
            out.append(raw.lower() in ("true", "yes", "1"))
        else:
            if len(raw) > 300:
                raise FilterError(f"the {name} filter value is too long")
            # a subject matches every spelling of its concept (hub.normalise.subjects)
            out.extend(v for v in (subject_variants(raw) if name == "subject" else [raw]) if v not in out)
    return out


def validate(request: SearchRequest, max_results: int) -> Plan:
    """Check a request and parse its query; raises SearchError subclasses with clear messages."""
    node = parse_query(request.q)
    if request.page < 1:
        raise ResultWindowError("page numbers start at 1")
    if not 1 <= request.size <= 100:
        raise ResultWindowError("page size must be between 1 and 100")
    if request.offset >= max_results:
        raise ResultWindowError(f"only the first {max_results:,} results can be browsed: "
                                "refine the query or add filters to see the others")
    filters: dict[str, list[Any]] = {}
    for name, values in (request.filters or {}).items():
        if name not in FACETS:
            raise FilterError(f"unknown filter {name!r}: use one of {', '.join(FACETS)}")
        parsed = _filter_values(name, list(values))
        if parsed:
            filters[name] = parsed
    sort = request.sort or "relevance"
    if sort not in SORTS:
        raise SearchError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
    if sort == "relevance" and not has_text(node):
        sort = "newest"  # nothing to rank by: newest first
    return Plan(request, node, filters, sort)


class SearchBackend(ABC):
    """A search index of record documents. One per process; thread-safe."""

    name = "search"

    def __init__(self, url: str, settings: Mapping[str, Any]) -> None:
        self.url = url
        self.settings = Settings.from_mapping(settings)  # a test's few settings keep the defaults of the rest
        self.max_results = self.settings.SEARCH_MAX_RESULTS

    def search(self, request: SearchRequest) -> SearchResult:
        """Run a search; SearchError (never anything else a user caused) for bad input."""
        plan = validate(request, self.max_results)
        return self.execute(plan)

    @abstractmethod
    def execute(self, plan: Plan) -> SearchResult:
        """Run a validated plan."""

    @abstractmethod
    def ensure(self) -> None:
        """Create the index when it does not exist yet (idempotent)."""

    @abstractmethod
    def index_documents(self, docs: list[dict[str, Any]]) -> None:
        """Add or replace documents (by ``id``)."""

    @abstractmethod
    def delete_documents(self, ids: Iterable[int]) -> None:
        """Remove documents; ids not in the index are ignored."""

    @abstractmethod
    def refresh(self) -> None:
        """Make every write so far visible to searches."""

    @abstractmethod
    def rebuild(self, batches: Iterable[list[dict[str, Any]]]) -> int:
        """Build a new index from ``batches`` and swap it in atomically when complete; returns its size."""

    @abstractmethod
    def iter_versions(self) -> Iterator[tuple[int, str]]:
        """(id, version) of every indexed document, for drift checks."""

    @abstractmethod
    def count(self) -> int:
        """Documents in the index."""

    @abstractmethod
    def get(self, doc_id: int) -> dict[str, Any] | None:
        """The stored fields of one document, or None."""

    @abstractmethod
    def ids_by(self, field: str, value: str, limit: int = 50) -> list[int]:
        """Ids of documents whose keyword ``field`` (institution, repository, doi, ...) equals ``value``."""

    @abstractmethod
    def describe(self) -> str:
        """One line for ``chair doctor``: engine, version, index and size; raises when unreachable."""

    @abstractmethod
    def drop(self) -> None:
        """Delete the whole index (tests and ``rebuild`` clean-up)."""

    def close(self) -> None:  # noqa: B027 - optional for backends without connections
        """Release connections."""
