"""The OpenAPI 3.1 document of /api/v1 (its schemas are JSON Schema 2020-12; tests validate real answers).

Every list answers with the paging fields of :mod:`hub.web.api_paging` (``Paging`` below) and takes
the ``page`` and ``per_page`` parameters; the document's description says how to page.
"""

from __future__ import annotations

from typing import Any

from hub.search import FACETS, SORTS
from hub.web import openapi_researchers, openapi_showcase

_STR = {"type": "string"}
_INT = {"type": "integer"}
_STRS = {"type": "array", "items": _STR}
_LINKS = {"type": "object", "required": ["self", "first", "last"], "additionalProperties": False,
          "description": "URLs of this page, the first and last pages, and the next and previous pages when "
                         "there are such pages: follow next until it is absent",
          "properties": {"self": _STR, "first": _STR, "last": _STR, "next": _STR, "prev": _STR}}
_PAGING_FIELDS = ["total", "page", "per_page", "pages", "links"]
PAGING_HELP = ("Every list pages the same way: `page` (1, 2, ...) and `per_page` (1-100) in; `total` (items in "
               "the whole list), `page`, `per_page`, `pages` and `links` (`self`, `first`, `last`, and `next` / "
               "`prev` when there is such a page) out. Follow `links.next` until it is absent. Older parameters "
               "keep working: `size` (search) and `limit` (records) are other names of `per_page`, and `after` "
               "(records) continues after a record id, which is what the records list's `links.next` uses, so "
               "that its last page costs what its first costs. Answers are UTF-8 JSON; errors are JSON "
               "`{\"error\": code, \"message\": text}` with the HTTP status.")


def _page_of(item_schema: str, items: str = "items", **more: Any) -> dict[str, Any]:
    """A list answer: the paging fields and the items (``more``: other properties)."""
    return {"type": "object", "required": [*_PAGING_FIELDS, items],
            "properties": {"total": {"type": "integer", "minimum": 0, "description": "items in the whole list"},
                           "page": {"type": ["integer", "null"], "minimum": 1,
                                    "description": "this page's number (null: continued by `after` alone)"},
                           "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
                           "pages": {"type": "integer", "minimum": 1}, "links": _LINKS,
                           items: {"type": "array", "items": {"$ref": f"#/components/schemas/{item_schema}"}},
                           **more}}

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error", "message"],
              "properties": {"error": _STR, "message": _STR}},
    "Document": {
        "type": "object", "required": ["id", "title", "institution", "repository", "has_fulltext"],
        "properties": {"id": _INT, "version": _STR, "title": _STR, "titles": _STRS, "creators": _STRS,
                       "subjects": _STRS, "abstract": _STR, "institution": _STR, "institution_name_en": _STR,
                       "institution_name_zh": _STR, "repository": _STR, "repository_name": _STR,
                       "year": {"type": ["integer", "null"]}, "issued": _STR, "type": _STR, "resource_type": _STR,
                       "languages": _STRS, "doi": _STR, "has_fulltext": {"type": "boolean"},
                       "hub_datestamp": _STR,
                       "work_id": {"type": "string", "pattern": "^[wr][0-9]+$",
                                   "description": "what results are collapsed on: w<work id>, or r<record id> "
                                                  "for a record not grouped into a work yet"},
                       "disciplines": {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{2}([0-9]{2})?$"},
                                       "description": "codes of the Chinese discipline catalogue (0812, 08)"}}},
    "Copy": {"type": "object", "additionalProperties": False,
             "required": ["record_id", "url", "institution", "institution_name_en", "institution_name_zh",
                          "repository", "version", "doi", "has_fulltext", "landing_page"],
             "properties": {"record_id": _INT, "url": _STR, "institution": _STR, "institution_name_en": _STR,
                            "institution_name_zh": _STR, "repository": _INT,
                            "version": {"enum": ["", "preprint", "accepted", "published"]}, "doi": _STR,
                            "has_fulltext": {"type": "boolean"}, "landing_page": _STR}},
    "Work": {"type": "object", "required": ["id", "size", "title", "doi", "copies"], "additionalProperties": False,
             "description": "the records of the members holding one work (copies and versions), the best first",
             "properties": {"id": _INT, "size": {"type": "integer", "minimum": 1}, "title": _STR, "doi": _STR,
                            "copies": {"type": "array", "items": {"$ref": "#/components/schemas/Copy"}}}},
    "Relation": {"type": "object", "required": ["type", "record_id", "url", "repository", "doi"],
                 "additionalProperties": False,
                 "properties": {"type": {"enum": ["IsIdenticalTo", "IsVersionOf", "HasVersion"],
                                         "description": "DataCite relation type from this record to the other"},
                                "record_id": _INT, "url": _STR, "repository": _INT, "doi": _STR}},
    "FacetValue": {"type": "object", "required": ["value", "count"], "additionalProperties": False,
                   "properties": {"value": _STR, "count": _INT}},
    "Hit": {"type": "object", "required": ["id", "score", "url", "document", "highlights"],
            "properties": {"id": _INT, "score": {"type": "number"}, "url": _STR,
                           "document": {"$ref": "#/components/schemas/Document"},
                           "highlights": {"type": "object", "additionalProperties": _STRS,
                                          "description": "escaped HTML fragments with <mark> around matches"},
                           "work": {"anyOf": [{"$ref": "#/components/schemas/Work"}, {"type": "null"}],
                                    "description": "the hit's work with every copy (null: not grouped yet)"}}},
    "SearchResult": {
        **_page_of("Hit", "hits"),
        "required": [*_PAGING_FIELDS, "records", "size", "max_results", "hits", "facets"],
        "properties": {**_page_of("Hit", "hits")["properties"],
                       "total": {"type": "integer", "description": "works found (one hit per work)"},
                       "pages": {"type": "integer", "minimum": 1,
                                 "description": "pages that can be browsed (bounded by max_results)"},
                       "records": {"type": "integer", "description": "records found (facet counts are per record)"},
                       "approximate": {"type": "boolean", "description": "total, records and facet counts are "
                                       "estimates from a sample of a huge hit set (show them as 'about')"},
                       "size": {"type": "integer", "description": "per_page, by its older name"},
                       "max_results": _INT,
                       "facets": {"type": "object", "propertyNames": {"enum": list(FACETS)},
                                  "additionalProperties": {"type": "array",
                                                           "items": {"$ref": "#/components/schemas/FacetValue"}}}}},
    "Record": {
        "type": "object",
        "required": ["id", "deleted", "url", "hub_datestamp", "source_identifier", "institution", "repository",
                     "fulltext_state", "metadata"],
        "properties": {"id": _INT, "deleted": {"type": "boolean"}, "url": _STR, "hub_datestamp": _STR,
                       "source_identifier": _STR, "source_datestamp": _STR, "institution": _STR,
                       "repository": _INT, "fulltext_state": _STR,
                       "metadata": {"type": "object", "description": "the normalised record (hub/normalise)",
                                    "properties": {"titles": {"type": "array", "items": {
                                        "type": "object", "required": ["value"],
                                        "properties": {"value": _STR, "lang": _STR}}},
                                                   "year": _INT, "doi": _STR, "languages": _STRS}}}},
    "RecordDetail": {
        "allOf": [{"$ref": "#/components/schemas/Record"}], "required": ["work", "relations"],
        "properties": {
            "work": {"anyOf": [{"type": "object", "required": ["id", "size"], "additionalProperties": False,
                                "properties": {"id": _INT, "size": {"type": "integer", "minimum": 1}}},
                               {"type": "null"}],
                     "description": "the record's work (null: deleted, or not grouped yet)"},
            "relations": {"type": "array", "items": {"$ref": "#/components/schemas/Relation"},
                          "description": "to the other live records of the work"}}},
    "RecordPage": _page_of("Record"),
    "Repository": {"type": "object", "required": ["id", "name", "institution", "platform", "base_url", "state"],
                   "properties": {"id": _INT, "name": _STR, "institution": _STR, "platform": _STR,
                                  "base_url": _STR, "state": _STR}},
    "Institution": {"type": "object", "required": ["slug", "name_en", "name_zh", "records", "url"],
                    "properties": {"slug": _STR, "name_en": _STR, "name_zh": _STR, "region": _STR,
                                   "website": _STR, "records": _INT, "url": _STR,
                                   "repositories": {"type": "array",
                                                    "items": {"$ref": "#/components/schemas/Repository"}}}},
    "InstitutionList": _page_of("Institution"),
    "RepositoryList": _page_of("Repository"),
    "Dump": {"type": "object", "additionalProperties": False,
             "required": ["name", "scope", "member", "records", "deleted", "size", "sha256", "updated", "format", "url"],
             "description": "a bulk dump: JSON lines, gzip; each line a Record with its oai_identifier",
             "properties": {"name": _STR, "scope": {"enum": ["hub", "member"]},
                            "member": {"type": ["string", "null"], "description": "the member's slug (null: the whole hub)"},
                            "records": {"type": "integer", "minimum": 0, "description": "lines, tombstones included"},
                            "deleted": {"type": "integer", "minimum": 0, "description": "tombstones among them"},
                            "size": {"type": "integer", "minimum": 0, "description": "bytes of the download"},
                            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                            "updated": {"type": "string", "format": "date-time",
                                        "description": "when its content last changed"},
                            "format": _STR, "url": _STR}},
    "DumpList": _page_of("Dump", license={
        "type": "object", "required": ["id", "url"], "additionalProperties": False,
        "description": "licence of the metadata (SPDX identifier)", "properties": {"id": _STR, "url": _STR}}),
    "HarvestStarted": {"type": "object", "required": ["repository", "full", "job", "queued", "message"],
                       "additionalProperties": False,
                       "properties": {"repository": _INT, "full": {"type": "boolean"},
                                      "job": {"type": ["string", "null"],
                                              "description": "the queued task's id (null: running in the hub's "
                                                             "background, without a task queue)"},
                                      "queued": {"type": "boolean"}, "message": _STR}},
    "QualityReport": {"type": "object", "required": ["repository_id", "records", "fields", "records_concerned"],
                      "description": "a repository's metadata quality: completeness per field, invalid values, "
                                     "OpenAIRE requirements and the records concerned (hub.quality.report)",
                      "properties": {"repository_id": _INT, "repository_name": _STR, "created_at": _STR,
                                     "records": _INT, "openaire_failing": _INT,
                                     "fields": {"type": "array", "items": {"type": "object"}},
                                     "records_concerned": {"type": "array", "items": {"type": "object"}}}},
}

SCHEMAS.update({**openapi_researchers.SCHEMAS, "ResearcherList": _page_of("ResearcherSummary")})
SCHEMAS.update({**openapi_showcase.SCHEMAS, "DisciplineList": _page_of("DisciplineSummary", year={
    "type": "integer", "description": "the growth's reference year (the latest complete year with records)"}),
    "Collaboration": openapi_showcase.collaboration_schema(_page_of)})

TOKEN_HELP = ("Write actions and a member's quality reports need a personal API token (made on the admin "
              "area's API tokens page or with `chair token create`), sent as `Authorization: Bearer chair_...`; "
              "it acts for one member, as its user may. 401: no token, or a bad, expired or revoked one; 403: "
              "another member's repository, or a write with a token whose user may only read.")


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


_ERR = {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _param(name: str, description: str, schema: dict[str, Any], where: str = "query",
           required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema}


def _token_action(summary: str, operation: str, ok: tuple[str, str, str], *more: str) -> dict[str, Any]:
    """An operation that needs a personal API token (``ok``: status, schema, description; ``more``: statuses)."""
    status, schema, description = ok
    responses = {status: _ok(schema, description), "401": _ERR, "403": _ERR, "404": _ERR,
                 **{code: _ERR for code in more}}
    return {"summary": summary, "operationId": operation, "security": [{"apiToken": []}],
            "parameters": [_param("id", "repository id", _INT, "path", True)], "responses": responses}


_PAGE = _param("page", "page number, from 1 (links.next gives the next page)", {"type": "integer", "minimum": 1})
_PER_PAGE = _param("per_page", "items per page", {"type": "integer", "minimum": 1, "maximum": 100})


def document(server: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document, with ``server`` as the API's base URL."""
    facet_params = [_param(f, f"filter on a {f} value (repeat for OR)", {"type": "array", "items": _STR})
                    for f in FACETS]
    return {
        "openapi": "3.1.0",
        "info": {"title": "CHAIR Hub API", "version": "1.0.0",
                 "description": "Search and read the records harvested from the member repositories. "
                                + PAGING_HELP + " " + TOKEN_HELP},
        "servers": [{"url": server}],
        "paths": {
            "/search": {"get": {
                "summary": "Search records, one hit per work with its copies", "operationId": "search",
                "parameters": [_param("q", "query: words, \"phrases\", title: author: subject: year:2010-2015, OR, -word",
                                      _STR),
                               _param("page", "page number, from 1 (bounded by max_results)",
                                      {"type": "integer", "minimum": 1}),
                               _PER_PAGE,
                               _param("size", "hits per page: per_page by its older name",
                                      {"type": "integer", "minimum": 1, "maximum": 100}),
                               _param("sort", "order", {"enum": list(SORTS)}),
                               _param("facets", "include facet counts", {"type": "boolean"}), *facet_params],
                "responses": {"200": _ok("SearchResult", "a page of hits with facet counts"), "400": _ERR}}},
            "/records": {"get": {
                "summary": "List records in id order", "operationId": "listRecords",
                "parameters": [_PAGE, _PER_PAGE,
                               _param("limit", "records per page: per_page by its older name",
                                      {"type": "integer", "minimum": 1, "maximum": 100}),
                               _param("after", "continue after this record id (what links.next uses)",
                                      {"type": "integer", "minimum": 0}),
                               _param("institution", "only this institution's records", _STR),
                               _param("deleted", "include deleted records", {"type": "boolean"})],
                "responses": {"200": _ok("RecordPage", "a page of records"), "400": _ERR}}},
            "/records/{id}": {"get": {
                "summary": "One record", "operationId": "getRecord",
                "parameters": [_param("id", "record id", _INT, "path", True)],
                "responses": {"200": _ok("RecordDetail", "the record, its work and relations"), "404": _ERR}}},
            "/institutions": {"get": {"summary": "Member institutions", "operationId": "listInstitutions",
                                      "parameters": [_PAGE, _PER_PAGE],
                                      "responses": {"200": _ok("InstitutionList", "the members, a page at a time"),
                                                    "400": _ERR}}},
            "/institutions/{slug}": {"get": {
                "summary": "One institution", "operationId": "getInstitution",
                "parameters": [_param("slug", "the member's short name", _STR, "path", True)],
                "responses": {"200": _ok("Institution", "the member and its repositories"), "404": _ERR}}},
            "/repositories": {"get": {"summary": "Repositories", "operationId": "listRepositories",
                                      "parameters": [_PAGE, _PER_PAGE],
                                      "responses": {"200": _ok("RepositoryList", "the repositories, a page at a time"),
                                                    "400": _ERR}}},
            "/dumps": {"get": {"summary": "Bulk dumps (JSON lines, gzip) and the licence of the metadata",
                                "operationId": "listDumps", "parameters": [_PAGE, _PER_PAGE],
                                "responses": {"200": _ok("DumpList", "the dumps, the hub's first, then each member's"),
                                              "400": _ERR}}},
            **openapi_researchers.paths(_ok, _ERR, _PAGE, _PER_PAGE, _param),
            **openapi_showcase.paths(_ok, _ERR, _PAGE, _PER_PAGE, _param),
            "/repositories/{id}/harvest": {"post": {
                **_token_action("Start a harvest of a repository of the token's member", "harvestRepository",
                                ("202", "HarvestStarted", "the harvest started or was queued"), "400", "409"),
                "requestBody": {"required": False, "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"full": {"type": "boolean",
                                                              "description": "a full re-harvest"}}}}}}}},
            "/repositories/{id}/pause": {"post": _token_action(
                "Pause a repository's scheduled harvesting", "pauseRepository",
                ("200", "Repository", "the repository, paused"))},
            "/repositories/{id}/resume": {"post": _token_action(
                "Resume a repository's scheduled harvesting", "resumeRepository",
                ("200", "Repository", "the repository, active"))},
            "/repositories/{id}/quality": {"get": _token_action(
                "The metadata quality report of a repository of the token's member", "getQualityReport",
                ("200", "QualityReport", "the report"))},
        },
        "components": {"schemas": SCHEMAS, "securitySchemes": {"apiToken": {
            "type": "http", "scheme": "bearer", "description": TOKEN_HELP}}},
    }
