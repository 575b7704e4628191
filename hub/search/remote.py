"""Elasticsearch and OpenSearch: one backend over a thin client adapter per engine.

Text is analysed by the hub's own analyzer (:mod:`hub.search.analysis`: CJK bigrams and
unigrams, Porter-stemmed words) and indexed pre-analysed in ``t_*`` fields with the
core ``whitespace`` analyzer. Every engine therefore tokenises exactly as the embedded
backend does, and nothing depends on analysis plugins (the engines' test distributions
ship none). Original text stays in ``_source`` for display and for the shared Python
highlighter.

Results are collapsed on the ``work_id`` keyword (``collapse``, supported alike by both
engines): one hit per work, its best-ranked record. ``hits.total`` then still counts records;
the number of works comes from a ``cardinality`` aggregation on the same field, exact up to its
precision threshold (40,000 distinct works, well past the browsable result window) and within a
few percent beyond. An index created before ``work_id`` was mapped must be rebuilt
(``chair index rebuild``): ``dynamic`` is off, so its documents carry no key to collapse on.

The configured index name is an *alias*; documents live in ``<alias>-<timestamp>``
indices. ``rebuild`` fills a new index and moves the alias in one atomic
``_aliases`` call, then deletes the old index.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from hub.search.analysis import index_text
from hub.search.base import (
    COLLAPSE_FIELD,
    FACET_FIELDS,
    FIELD_BOOSTS,
    PREFIX_FIELDS,
    FacetValue,
    Hit,
    Plan,
    SearchBackend,
    SearchResult,
)
from hub.search.document import STORED_FIELDS
from hub.search.highlight import highlight, render
from hub.search.query import And, MatchAll, Node, Not, Or, Term, YearRange, positive_terms

TEXT_FIELDS = ("title", "creators", "subjects", "abstract", "fulltext", "other")

MAPPING: dict[str, Any] = {
    "dynamic": False,
    "_source": {"excludes": [f"t_{f}" for f in TEXT_FIELDS]},
    "properties": {
        "id": {"type": "long"},
        "work_id": {"type": "keyword"},
        "version": {"type": "keyword"},
        **{f"t_{f}": {"type": "text", "analyzer": "whitespace", "norms": True} for f in TEXT_FIELDS},
        "institution": {"type": "keyword"},
        "repository": {"type": "keyword"},
        "type": {"type": "keyword"},
        "resource_type": {"type": "keyword"},
        "languages": {"type": "keyword"},
        "subjects_facet": {"type": "keyword", "ignore_above": 256},
        "disciplines": {"type": "keyword"},
        "doi": {"type": "keyword"},
        "year": {"type": "integer"},
        "date_sort": {"type": "keyword"},
        "has_fulltext": {"type": "boolean"},
        "hub_datestamp": {"type": "keyword"},
    },
}
INDEX_SETTINGS: dict[str, Any] = {"number_of_shards": 1, "number_of_replicas": 0}
# The highest precision threshold both engines accept: counts of works below it are exact.
WORKS_PRECISION = 40_000


def compile_node(node: Node) -> dict[str, Any]:
    """The engine query (Query DSL, common to Elasticsearch and OpenSearch) of an AST node."""
    if isinstance(node, MatchAll):
        return {"match_all": {}}
    if isinstance(node, Term):
        names = PREFIX_FIELDS.get(node.field or "", TEXT_FIELDS)
        fields = [f"t_{name}^{FIELD_BOOSTS[name]:g}" for name in names]
        return {"multi_match": {"query": " ".join(node.tokens), "type": "phrase", "fields": fields,
                                "analyzer": "whitespace"}}
    if isinstance(node, YearRange):
        return {"range": {"year": {"gte": node.start, "lte": node.end}}}
    if isinstance(node, Not):
        return {"bool": {"must_not": [compile_node(node.child)]}}
    if isinstance(node, And):
        must = [compile_node(c) for c in node.children if not isinstance(c, Not)]
        must_not = [compile_node(c.child) for c in node.children if isinstance(c, Not)]
        return {"bool": {"must": must or [{"match_all": {}}], "must_not": must_not}}
    if isinstance(node, Or):
        return {"bool": {"should": [compile_node(c) for c in node.children], "minimum_should_match": 1}}
    raise TypeError(f"cannot compile {node!r}")


def compile_filters(plan: Plan) -> list[dict[str, Any]]:
    """Facet filters as engine filter clauses (values ORed within a facet)."""
    out = []
    for name, values in plan.filters.items():
        field = FACET_FIELDS[name]
        if name == "year":
            out.append({"bool": {"should": [{"range": {"year": {"gte": y.start, "lte": y.end}}} for y in values],
                                 "minimum_should_match": 1}})
        else:
            out.append({"terms": {field: values}})
    return out


def search_body(plan: Plan, max_results: int) -> dict[str, Any]:
    """The complete search request body of a plan."""
    req = plan.request
    sort = {"relevance": ["_score", {"id": "asc"}],
            "newest": [{"date_sort": {"order": "desc", "missing": "_last"}}, {"id": "desc"}],
            "oldest": [{"date_sort": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]}[plan.sort]
    excludes = [f"t_{f}" for f in TEXT_FIELDS] + ["other"]
    if not (req.highlight and positive_terms(plan.query)):
        excludes.append("fulltext")
    body: dict[str, Any] = {
        "query": {"bool": {"must": [compile_node(plan.query)], "filter": compile_filters(plan)}},
        "from": req.offset, "size": min(req.size, max_results - req.offset),
        "track_total_hits": True, "sort": sort, "_source": {"excludes": excludes},
        "collapse": {"field": COLLAPSE_FIELD},
    }
    # Facet counts are per record (see hub.search.base.FACETS); "_works" counts the works found.
    aggs: dict[str, Any] = {"_works": {"cardinality": {"field": COLLAPSE_FIELD,
                                                        "precision_threshold": WORKS_PRECISION}}}
    for name in req.facet_names:
        order = [{"_key": "desc"}] if name == "year" else [{"_count": "desc"}, {"_key": "asc"}]
        aggs[name] = {"terms": {"field": FACET_FIELDS[name], "size": req.facet_size, "order": order}}
    body["aggs"] = aggs
    return body


def engine_document(doc: dict[str, Any]) -> dict[str, Any]:
    """A search document as sent to the engine: display fields plus pre-analysed ``t_*`` fields."""
    out = {k: doc.get(k) for k in STORED_FIELDS}
    out["subjects_facet"] = doc.get("subjects_facet") or []
    out["date_sort"] = doc.get("date_sort") or None
    out["fulltext"] = doc.get("fulltext") or ""
    for name in TEXT_FIELDS:
        value = doc.get(name) or ""
        out[f"t_{name}"] = index_text(" ; ".join(value) if isinstance(value, list) else value)
    return out


class RemoteSearch(SearchBackend):
    """Search on an Elasticsearch or OpenSearch cluster through an engine adapter."""

    def __init__(self, url: str, settings: Mapping[str, Any], adapter) -> None:
        super().__init__(url, settings)
        self.adapter = adapter
        self.alias = adapter.index
        self.name = adapter.engine

    # -- index life cycle ---------------------------------------------------------------------

    def _new_index(self) -> str:
        name = f"{self.alias}-{time.time_ns():x}"
        index_settings = {**INDEX_SETTINGS, "max_result_window": max(self.max_results, 10_000)}
        self.adapter.create_index(name, {"settings": {"index": index_settings}, "mappings": MAPPING})
        return name

    def ensure(self) -> None:
        if self.adapter.alias_targets(self.alias) or self.adapter.index_exists(self.alias):
            return
        name = self._new_index()
        self.adapter.update_aliases([{"add": {"index": name, "alias": self.alias}}])

    def rebuild(self, batches: Iterable[list[dict[str, Any]]]) -> int:
        self.ensure()
        new = self._new_index()
        total = 0
        try:
            self.adapter.put_settings(new, {"index": {"refresh_interval": "-1"}})
            for batch in batches:
                self._bulk(new, batch)
                total += len(batch)
            self.adapter.put_settings(new, {"index": {"refresh_interval": "1s"}})
            self.adapter.refresh(new)
        except BaseException:
            self.adapter.delete_index(new)
            raise
        old = self.adapter.alias_targets(self.alias)
        actions: list[dict[str, Any]] = [{"remove": {"index": o, "alias": self.alias}} for o in old]
        if not old and self.adapter.index_exists(self.alias):
            actions.append({"remove_index": {"index": self.alias}})
        actions.append({"add": {"index": new, "alias": self.alias}})
        self.adapter.update_aliases(actions)
        for o in old:
            self.adapter.delete_index(o)
        return total

    def drop(self) -> None:
        for name in self.adapter.alias_targets(self.alias):
            self.adapter.delete_index(name)
        if self.adapter.index_exists(self.alias):
            self.adapter.delete_index(self.alias)

    # -- writing ------------------------------------------------------------------------------

    def _bulk(self, index: str, docs: list[dict[str, Any]]) -> None:
        ops: list[dict[str, Any]] = []
        for doc in docs:
            ops.append({"index": {"_index": index, "_id": str(doc["id"])}})
            ops.append(engine_document(doc))
        if ops:
            self.adapter.bulk(ops)

    def index_documents(self, docs: list[dict[str, Any]]) -> None:
        self.ensure()
        self._bulk(self.alias, docs)

    def delete_documents(self, ids: Iterable[int]) -> None:
        ops = [{"delete": {"_index": self.alias, "_id": str(i)}} for i in ids]
        if ops:
            self.ensure()
            self.adapter.bulk(ops)

    def refresh(self) -> None:
        self.ensure()
        self.adapter.refresh(self.alias)

    # -- reading ------------------------------------------------------------------------------

    def execute(self, plan: Plan) -> SearchResult:
        self.ensure()
        req = plan.request
        body = search_body(plan, self.max_results)
        # One round trip, two searches: the page (collapsed, no counting) and the counts (size 0,
        # so the shard request cache keeps them until the index next refreshes with changes).
        counts = {"size": 0, "query": body["query"], "track_total_hits": True, "aggs": body.pop("aggs")}
        body["track_total_hits"] = False
        page, resp = self.adapter.msearch(self.alias, [{}, body, {"request_cache": True}, counts])
        resp["hits"]["hits"] = page["hits"]["hits"]
        records = resp["hits"]["total"]["value"]
        aggregations = dict(resp.get("aggregations") or {})
        works = int(aggregations.pop("_works", {}).get("value") or 0)
        terms = positive_terms(plan.query) if req.highlight else []
        hits = [self._hit(h, terms) for h in resp["hits"]["hits"]]
        facets: dict[str, list[FacetValue]] = {}
        for name, agg in aggregations.items():
            facets[name] = [FacetValue(str(b.get("key_as_string", b["key"])), b["doc_count"])
                            for b in agg["buckets"]]
        return SearchResult(min(works, records), hits, {n: facets.get(n, []) for n in req.facet_names},
                            req.page, req.size, self.max_results, records=records)

    @staticmethod
    def _hit(raw: dict[str, Any], terms: list[Term]) -> Hit:
        src = raw["_source"]
        fulltext = src.pop("fulltext", "") or ""
        highlights = {}
        if terms:
            general = [t for t in terms if t.field is None]
            if marked := highlight(src.get("title") or "", general + [t for t in terms if t.field == "title"],
                                   whole=True):
                highlights["title"] = [render(f) for f in marked]
            if marked := highlight(src.get("abstract") or "", general + [t for t in terms if t.field == "abstract"]):
                highlights["abstract"] = [render(f) for f in marked]
            if marked := highlight(fulltext, general):
                highlights["fulltext"] = [render(f) for f in marked]
        score = raw.get("_score")
        return Hit(int(src["id"]), float(score) if score is not None else 0.0, src, highlights)

    def iter_versions(self) -> Iterator[tuple[int, str]]:
        self.ensure()
        after = None
        while True:
            body: dict[str, Any] = {"query": {"match_all": {}}, "size": 5000, "sort": [{"id": "asc"}],
                                    "_source": ["id", "version"]}
            if after is not None:
                body["search_after"] = after
            hits = self.adapter.search(self.alias, body)["hits"]["hits"]
            if not hits:
                return
            for h in hits:
                yield int(h["_source"]["id"]), h["_source"]["version"]
            after = hits[-1]["sort"]

    def count(self) -> int:
        self.ensure()
        return self.adapter.count(self.alias)

    def get(self, doc_id: int) -> dict[str, Any] | None:
        self.ensure()
        src = self.adapter.get_source(self.alias, str(doc_id))
        if src is None:
            return None
        return {k: src.get(k) for k in STORED_FIELDS}

    def ids_by(self, field: str, value: str, limit: int = 50) -> list[int]:
        if MAPPING["properties"].get(field, {}).get("type") != "keyword":
            raise ValueError(f"cannot look documents up by {field!r}")
        self.ensure()
        body = {"query": {"term": {field: value}}, "size": limit, "sort": [{"id": "asc"}], "_source": ["id"]}
        return [int(h["_source"]["id"]) for h in self.adapter.search(self.alias, body)["hits"]["hits"]]

    def describe(self) -> str:
        version = self.adapter.version()
        targets = self.adapter.alias_targets(self.alias)
        where = f"alias {self.alias} -> {', '.join(targets)}" if targets else f"index {self.alias} (not created yet)"
        count = self.adapter.count(self.alias) if targets else 0
        return f"{self.adapter.engine} {version}, {where}, {count:,} documents"

    def close(self) -> None:
        self.adapter.close()
