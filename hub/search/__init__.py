"""Search: one contract, three backends chosen by ``SEARCH_URL``.

- ``sqlite:///path`` (the default, ``<instance>/search.db``): SQLite FTS5, embedded;
- ``elasticsearch+http://host:9200/index``: Elasticsearch 8 (``elasticsearch`` client);
- ``opensearch+http://host:9200/index``: OpenSearch 2 (``opensearch-py``).

All three share the query language (:mod:`hub.search.query`), the text analyzer
(:mod:`hub.search.analysis`), the document builder (:mod:`hub.search.document`) and the
highlighter. Indexing entry points live in :mod:`hub.pipeline.index` (the index stage).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hub.config import Settings
from hub.search.base import (
    FACETS,
    SORTS,
    FacetValue,
    FilterError,
    Hit,
    ResultWindowError,
    SearchBackend,
    SearchRequest,
    SearchResult,
)
from hub.search.query import QuerySyntaxError, SearchError

if TYPE_CHECKING:
    from hub.context import Hub

__all__ = ["FACETS", "SORTS", "FacetValue", "FilterError", "Hit", "QuerySyntaxError", "ResultWindowError",
           "SearchBackend", "SearchError", "SearchRequest", "SearchResult", "make_backend", "search_backend"]


def make_backend(settings: Mapping[str, Any]) -> SearchBackend:
    """A new backend for ``settings['SEARCH_URL']`` (other settings missing from a mapping keep their
    defaults); raises ValueError for an unknown scheme. A hub builds its own once: ``hub.search``."""
    settings = Settings.from_mapping(settings)
    url = settings.SEARCH_URL
    if url.startswith("sqlite:///"):
        from hub.search.sqlite import SQLiteSearch

        return SQLiteSearch(url, settings)
    scheme = url.split("+", 1)[0]
    from hub.search.engines import ADAPTERS

    if scheme in ADAPTERS and "+" in url:
        from hub.search.remote import RemoteSearch

        return RemoteSearch(url, settings, ADAPTERS[scheme](url))
    raise ValueError(f"unknown search URL {url!r}: use sqlite:///path, elasticsearch+http://host:port/index "
                     "or opensearch+http://host:port/index")


def search_backend(hub: Hub) -> SearchBackend:
    """The Hub's search backend, built once per Hub (``hub.search``)."""
    return hub.search
