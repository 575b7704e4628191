"""The showcase's part of the OpenAPI document (hub.web.openapi): schemas and paths of
/api/v1/disciplines, /api/v1/disciplines/{code} and /api/v1/collaboration (hub.web.api_showcase).
The list's schema, ``DisciplineList``, is the document's own page of ``DisciplineSummary`` items."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_STR = {"type": "string"}
_INT = {"type": "integer"}
_COUNT = {"type": "integer", "minimum": 0}
_SHARE = {"type": "number", "minimum": 0, "maximum": 1}
_REF = "#/components/schemas/"
_CODE = {"type": "string", "pattern": "^[0-9]{2}([0-9]{2})?$", "description": "code of the discipline catalogue"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _nullable(name: str) -> dict[str, Any]:
    return {"anyOf": [_ref(name), {"type": "null"}]}


_OUTPUT_PROPERTIES: dict[str, Any] = {
    "records": _COUNT, "open_access": _COUNT, "fulltext": _COUNT,
    "open_access_share": _SHARE, "fulltext_share": _SHARE,
    "by_year": {"type": "array", "items": _ref("YearCount"), "description": "records per known year, oldest first"},
    "year_unknown": {"type": "integer", "minimum": 0, "description": "records without a year"},
}
_OUTPUT = ["records", "open_access", "fulltext", "open_access_share", "fulltext_share", "by_year", "year_unknown"]
_NAMED = ["code", "name_zh", "name_en", "category"]

SCHEMAS: dict[str, Any] = {
    "ShowcaseMember": {"type": "object", "required": ["slug", "name_zh", "name_en", "url"],
                       "additionalProperties": False,
                       "properties": {"slug": _STR, "name_zh": _STR, "name_en": _STR, "url": _STR}},
    "DisciplineRef": {"type": "object", "required": ["code", "name_zh", "name_en"], "additionalProperties": False,
                      "properties": {"code": _CODE, "name_zh": _STR, "name_en": _STR}},
    "YearCount": {"type": "object", "required": ["year", "records"], "additionalProperties": False,
                  "properties": {"year": _INT, "records": _COUNT}},
    "Growth": {"type": "object", "required": ["year", "window", "recent", "previous", "change"],
               "additionalProperties": False,
               "description": "records of the `window` years up to `year` (recent) against the window before",
               "properties": {"year": _INT, "window": _INT, "recent": _COUNT, "previous": _COUNT,
                              "change": {"type": ["number", "null"],
                                         "description": "relative change (0.25: a quarter more); null: none before"}}},
    "DisciplineSummary": {
        "type": "object", "additionalProperties": False,
        "required": [*_NAMED, *_OUTPUT, "members", "growth", "url", "page"],
        "description": "a first-level discipline and the network's records in it (a record in two counts in both)",
        "properties": {"code": _CODE, "name_zh": _STR, "name_en": _STR, "category": _ref("DisciplineRef"),
                       **_OUTPUT_PROPERTIES, "members": {"type": "integer", "minimum": 0,
                                                         "description": "members with records in it"},
                       "growth": _ref("Growth"), "url": _STR, "page": _STR}},
    "MemberOutput": {"type": "object", "additionalProperties": False, "required": ["institution", *_OUTPUT, "growth"],
                     "properties": {"institution": _ref("ShowcaseMember"), **_OUTPUT_PROPERTIES,
                                    "growth": _ref("Growth")}},
    "RankedResearcher": {"type": "object", "additionalProperties": False,
                         "required": ["id", "name", "name_zh", "name_latin", "institution", "records", "url"],
                         "properties": {"id": _INT, "name": _STR, "name_zh": _STR, "name_latin": _STR,
                                        "institution": _nullable("ShowcaseMember"), "records": _COUNT, "url": _STR}},
    "Discipline": {
        "type": "object", "additionalProperties": False,
        "required": [*_NAMED, *_OUTPUT, "growth", "members", "researchers", "subjects", "page", "csv", "report"],
        "properties": {"code": _CODE, "name_zh": _STR, "name_en": _STR, "category": _ref("DisciplineRef"),
                       **_OUTPUT_PROPERTIES, "growth": _ref("Growth"),
                       "members": {"type": "array", "items": _ref("MemberOutput"), "description": "most records first"},
                       "researchers": {"type": "array", "items": _ref("RankedResearcher"),
                                       "description": "the most active researchers, most records first"},
                       "subjects": {"type": "array", "items": {
                           "type": "object", "required": ["subject", "records"], "additionalProperties": False,
                           "properties": {"subject": _STR, "records": _COUNT}}},
                       "page": _STR, "csv": {"type": "string", "description": "the member x year table (CSV)"},
                       "report": {"type": "string", "description": "the printable report"}}},
    "CollaborationPair": {"type": "object", "required": ["a", "b", "works", "researchers"],
                          "additionalProperties": False,
                          "description": "two members sharing works (held by both) and researchers (linked from both)",
                          "properties": {"a": _ref("ShowcaseMember"), "b": _ref("ShowcaseMember"),
                                         "works": _COUNT, "researchers": _COUNT}},
}


# Besides its page of pairs (``items``, strongest first), the collaboration answer carries these.
COLLABORATION_FIELDS: dict[str, Any] = {
    "institution": {**_nullable("ShowcaseMember"), "description": "the member asked for (null: the network)"},
    "meeting": {"type": "array", "description": "pairs of disciplines classifying the same works, most first",
                "items": {"type": "object", "required": ["a", "b", "works"], "additionalProperties": False,
                          "properties": {"a": _ref("DisciplineRef"), "b": _ref("DisciplineRef"), "works": _COUNT}}},
    "crossing": {"type": "array", "description": "the works crossing most disciplines (a work once)",
                 "items": {"type": "object", "additionalProperties": False,
                           "required": ["record_id", "url", "work_id", "title", "year", "disciplines", "institution"],
                           "properties": {"record_id": _INT, "url": _STR, "work_id": {"type": ["integer", "null"]},
                                          "title": _STR, "year": {"type": ["integer", "null"]},
                                          "disciplines": {"type": "array", "items": _ref("DisciplineRef")},
                                          "institution": _nullable("ShowcaseMember")}}},
}


def collaboration_schema(page_of: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """The collaboration answer: the document's page of ``CollaborationPair`` items (``page_of``,
    its own list schema) with :data:`COLLABORATION_FIELDS`, all required."""
    schema = page_of("CollaborationPair", **COLLABORATION_FIELDS)
    return {**schema, "required": [*schema["required"], *COLLABORATION_FIELDS]}


def paths(ok: Callable[[str, str], dict[str, Any]], error: dict[str, Any], page: dict[str, Any],
          per_page: dict[str, Any], param: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """The showcase paths, made with the document's own helpers (``ok(schema, description)``,
    ``param(name, description, schema, where, required)``) and its page parameters."""
    return {
        "/disciplines": {"get": {
            "summary": "First-level disciplines with records: records, members, growth, open access, full text",
            "operationId": "listDisciplines", "parameters": [page, per_page],
            "responses": {"200": ok("DisciplineList", "a page of disciplines, by code"), "400": error}}},
        "/disciplines/{code}": {"get": {
            "summary": "One discipline: each member's output by year, researchers, subjects",
            "operationId": "getDiscipline",
            "parameters": [param("code", "a first-level discipline code (four digits, 0812)", _STR, "path", True)],
            "responses": {"200": ok("Discipline", "the discipline's figures"),
                          "400": error, "404": error}}},
        "/collaboration": {"get": {
            "summary": "Members working together (a page of pairs, strongest first), disciplines meeting, works "
                       "crossing most disciplines",
            "operationId": "getCollaboration",
            "parameters": [param("institution", "a member's slug: its partners and its works only", _STR),
                           page, per_page],
            "responses": {"200": ok("Collaboration", "collaboration and interdisciplinarity"),
                          "400": error, "404": error}}},
    }
