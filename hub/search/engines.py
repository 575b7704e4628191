"""Thin client adapters: the dozen calls the remote backend makes, per engine.

The ``elasticsearch`` 8 client refuses to talk to OpenSearch and ``opensearch-py`` has
its own calling conventions, so each engine gets an adapter with the same methods; all
query building lives once in :mod:`hub.search.remote`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

TIMEOUT = 30


class SearchUnavailable(RuntimeError):
    """The search engine cannot be reached or refused a request."""


def parse_engine_url(url: str) -> tuple[str, str, str]:
    """``elasticsearch+http://user:pw@host:9200/index`` -> (engine, http URL with credentials, index)."""
    scheme, _, rest = url.partition("+")
    parts = urlsplit(rest)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"bad search URL {url!r}: expected {scheme}+http://host:port/index")
    index = unquote(parts.path.strip("/")) or "chair"
    if "/" in index or index != index.lower() or index.startswith(("_", "-")):
        raise ValueError(f"bad index name {index!r} in the search URL: lower case, no '/', not starting with _ or -")
    return scheme, f"{parts.scheme}://{parts.netloc}", index


class _Adapter:
    engine = ""

    def __init__(self, url: str) -> None:
        _, self.http_url, self.index = parse_engine_url(url)
        self.client = self._connect(self.http_url)

    def _connect(self, http_url: str):  # pragma: no cover - per engine
        raise NotImplementedError

    def index_exists(self, name: str) -> bool:
        return bool(self.client.indices.exists(index=name))

    def alias_targets(self, alias: str) -> list[str]:
        """The indices an alias points at ([] when it is no alias)."""
        if not self.client.indices.exists_alias(name=alias):
            return []
        return sorted(self.client.indices.get_alias(name=alias).keys())

    def delete_index(self, name: str) -> None:
        self.client.indices.delete(index=name, ignore_unavailable=True)

    def refresh(self, name: str) -> None:
        self.client.indices.refresh(index=name)

    def count(self, name: str) -> int:
        return int(self.client.count(index=name)["count"])

    def version(self) -> str:
        nodes = self.client.nodes.info(node_id="_local")["nodes"]
        return next(iter(nodes.values()))["version"]

    def close(self) -> None:
        self.client.close()

    @staticmethod
    def _responses(resp: dict[str, Any]) -> list[dict[str, Any]]:
        """The responses of a multi-search; the first error is raised as the engine's own would be."""
        out = resp["responses"]
        for r in out:
            if "error" in r:
                raise SearchUnavailable(f"search failed: {r['error']}")
        return out

    @staticmethod
    def _check_bulk(resp: dict[str, Any]) -> None:
        if resp.get("errors"):
            for item in resp["items"]:
                result = next(iter(item.values()))
                if result.get("error") and not (result.get("status") == 404 and "delete" in item):
                    raise SearchUnavailable(f"bulk indexing failed: {result['error']}")


class ElasticsearchAdapter(_Adapter):
    """Elasticsearch 8 through the official ``elasticsearch`` client."""

    engine = "elasticsearch"

    def _connect(self, http_url: str):
        from elasticsearch import Elasticsearch

        return Elasticsearch(http_url, request_timeout=TIMEOUT, retry_on_timeout=True, max_retries=2)

    def create_index(self, name: str, body: dict[str, Any]) -> None:
        self.client.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])

    def put_settings(self, name: str, settings: Mapping[str, Any]) -> None:
        self.client.indices.put_settings(index=name, settings=settings)

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        self.client.indices.update_aliases(actions=actions)

    def bulk(self, ops: list[dict[str, Any]]) -> None:
        self._check_bulk(self.client.bulk(operations=ops).body)

    def search(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.client.search(index=name, body=body).body

    def msearch(self, name: str, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self._responses(self.client.msearch(index=name, searches=lines).body)

    def get_source(self, name: str, doc_id: str) -> dict[str, Any] | None:
        from elasticsearch import NotFoundError

        try:
            return self.client.get(index=name, id=doc_id, source_excludes=["t_*", "fulltext"]).body["_source"]
        except NotFoundError:
            return None


class OpenSearchAdapter(_Adapter):
    """OpenSearch 2 through ``opensearch-py``."""

    engine = "opensearch"

    def _connect(self, http_url: str):
        from opensearchpy import OpenSearch

        return OpenSearch(hosts=[http_url], timeout=TIMEOUT, retry_on_timeout=True, max_retries=2)

    def create_index(self, name: str, body: dict[str, Any]) -> None:
        self.client.indices.create(index=name, body=body)

    def put_settings(self, name: str, settings: Mapping[str, Any]) -> None:
        self.client.indices.put_settings(index=name, body=settings)

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        self.client.indices.update_aliases(body={"actions": actions})

    def delete_index(self, name: str) -> None:
        self.client.indices.delete(index=name, ignore_unavailable=True)

    def bulk(self, ops: list[dict[str, Any]]) -> None:
        self._check_bulk(self.client.bulk(body=ops))

    def search(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.client.search(index=name, body=body)

    def msearch(self, name: str, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self._responses(self.client.msearch(index=name, body=lines))

    def get_source(self, name: str, doc_id: str) -> dict[str, Any] | None:
        from opensearchpy import NotFoundError

        try:
            return self.client.get(index=name, id=doc_id, _source_excludes=["t_*", "fulltext"])["_source"]
        except NotFoundError:
            return None


ADAPTERS = {"elasticsearch": ElasticsearchAdapter, "opensearch": OpenSearchAdapter}
