"""The OpenAPI 3.1 document of /api/v1 (its schemas are JSON Schema 2020-12; tests validate real answers)."""

from __future__ import annotations

from typing import Any

from hub.search import FACETS, SORTS

_STR = {"type": "string"}
_INT = {"type": "integer"}
_STRS = {"type": "array", "items": _STR}
_LINKS = {"type": "object", "required": ["self"], "additionalProperties": False,
          "properties": {"self": _STR, "next": _STR, "prev": _STR}}

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
        "type": "object",
        "required": ["total", "records", "page", "size", "pages", "max_results", "links", "hits", "facets"],
        "properties": {"total": {"type": "integer", "description": "works found (one hit per work)"},
                       "records": {"type": "integer", "description": "records found (facet counts are per record)"},
                       "approximate": {"type": "boolean", "description": "total, records and facet counts are "
                                       "estimates from a sample of a huge hit set (show them as 'about')"},
                       "page": _INT, "size": _INT, "pages": _INT, "max_results": _INT,
                       "links": _LINKS, "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
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
    "RecordPage": {"type": "object", "required": ["items", "links"],
                   "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Record"}},
                                  "links": _LINKS}},
    "Repository": {"type": "object", "required": ["id", "name", "institution", "platform", "base_url", "state"],
                   "properties": {"id": _INT, "name": _STR, "institution": _STR, "platform": _STR,
                                  "base_url": _STR, "state": _STR}},
    "Institution": {"type": "object", "required": ["slug", "name_en", "name_zh", "records", "url"],
                    "properties": {"slug": _STR, "name_en": _STR, "name_zh": _STR, "region": _STR,
                                   "website": _STR, "records": _INT, "url": _STR,
                                   "repositories": {"type": "array",
                                                    "items": {"$ref": "#/components/schemas/Repository"}}}},
    "InstitutionList": {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Institution"}}}},
    "RepositoryList": {"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Repository"}}}},
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
    "DumpList": {"type": "object", "required": ["license", "items"], "additionalProperties": False, "properties": {
        "license": {"type": "object", "required": ["id", "url"], "additionalProperties": False,
                    "description": "licence of the metadata (SPDX identifier)", "properties": {"id": _STR, "url": _STR}},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Dump"}}}},
}


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


_ERR = {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _param(name: str, description: str, schema: dict[str, Any], where: str = "query",
           required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema}


def document(server: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document, with ``server`` as the API's base URL."""
    facet_params = [_param(f, f"filter on a {f} value (repeat for OR)", {"type": "array", "items": _STR})
                    for f in FACETS]
    return {
        "openapi": "3.1.0",
        "info": {"title": "CHAIR Hub API", "version": "1.0.0",
                 "description": "Search and read the records harvested from the member repositories."},
        "servers": [{"url": server}],
        "paths": {
            "/search": {"get": {
                "summary": "Search records, one hit per work with its copies", "operationId": "search",
                "parameters": [_param("q", "query: words, \"phrases\", title: author: subject: year:2010-2015, OR, -word",
                                      _STR),
                               _param("page", "page number (bounded by max_results)", {"type": "integer", "minimum": 1}),
                               _param("size", "hits per page", {"type": "integer", "minimum": 1, "maximum": 100}),
                               _param("sort", "order", {"enum": list(SORTS)}),
                               _param("facets", "include facet counts", {"type": "boolean"}), *facet_params],
                "responses": {"200": _ok("SearchResult", "a page of hits with facet counts"), "400": _ERR}}},
            "/records": {"get": {
                "summary": "List records in id order", "operationId": "listRecords",
                "parameters": [_param("limit", "records per page", {"type": "integer", "minimum": 1, "maximum": 100}),
                               _param("after", "continue after this record id (see links.next)", _INT),
                               _param("institution", "only this institution's records", _STR),
                               _param("deleted", "include deleted records", {"type": "boolean"})],
                "responses": {"200": _ok("RecordPage", "a page of records"), "400": _ERR}}},
            "/records/{id}": {"get": {
                "summary": "One record", "operationId": "getRecord",
                "parameters": [_param("id", "record id", _INT, "path", True)],
                "responses": {"200": _ok("RecordDetail", "the record, its work and relations"), "404": _ERR}}},
            "/institutions": {"get": {"summary": "Member institutions", "operationId": "listInstitutions",
                                      "responses": {"200": _ok("InstitutionList", "every member")}}},
            "/institutions/{slug}": {"get": {
                "summary": "One institution", "operationId": "getInstitution",
                "parameters": [_param("slug", "the member's short name", _STR, "path", True)],
                "responses": {"200": _ok("Institution", "the member and its repositories"), "404": _ERR}}},
            "/repositories": {"get": {"summary": "Repositories", "operationId": "listRepositories",
                                      "responses": {"200": _ok("RepositoryList", "every repository")}}},
            "/dumps": {"get": {"summary": "Bulk dumps (JSON lines, gzip) and the licence of the metadata",
                                "operationId": "listDumps",
                                "responses": {"200": _ok("DumpList", "every dump: the hub's, then each member's")}}},
        },
        "components": {"schemas": SCHEMAS},
    }
