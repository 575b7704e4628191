"""The researchers' part of the OpenAPI document (hub.web.openapi): schemas and paths of
/api/v1/researchers and /api/v1/researchers/{id} (hub.web.api_researchers). The list's schema,
``ResearcherList``, is the document's own page of ``ResearcherSummary`` items."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_STR = {"type": "string"}
_INT = {"type": "integer"}
_YEAR = {"type": ["integer", "null"]}
_REF = "#/components/schemas/"

_MEMBER = {"type": "object", "required": ["slug", "name_zh", "name_en", "url"], "additionalProperties": False,
           "properties": {"slug": _STR, "name_zh": _STR, "name_en": _STR, "url": _STR}}
_DISCIPLINE = {"type": "object", "required": ["code", "name_zh", "name_en"], "additionalProperties": False,
               "properties": {"code": {"type": "string", "pattern": "^[0-9]{2}([0-9]{2})?$"},
                              "name_zh": _STR, "name_en": _STR}}
_SUMMARY_PROPERTIES: dict[str, Any] = {
    "id": _INT, "url": _STR, "name": {"type": "string", "description": "the most frequent name as written"},
    "name_zh": {"type": "string", "description": "a form in Chinese characters ('' when none)"},
    "name_latin": {"type": "string", "description": "a Latin form ('' when none)"},
    "orcid": {"type": "string", "description": "ORCID iD ('' when none)"},
    "institution": {"anyOf": [{"$ref": _REF + "ResearcherMember"}, {"type": "null"}],
                    "description": "the member most of the researcher's records belong to"},
    "disciplines": {"type": "array", "items": {"$ref": _REF + "ResearcherDiscipline"},
                    "description": "first-level disciplines of the records, most frequent first"},
    "records": {"type": "integer", "minimum": 0}, "works": {"type": "integer", "minimum": 0},
    "first_year": _YEAR, "last_year": _YEAR,
}
_SUMMARY_REQUIRED = ["id", "url", "name", "name_zh", "name_latin", "orcid", "institution", "institutions",
                     "disciplines", "records", "works", "first_year", "last_year"]

SCHEMAS: dict[str, Any] = {
    "ResearcherMember": _MEMBER,
    "ResearcherDiscipline": _DISCIPLINE,
    "ResearcherSummary": {
        "type": "object", "required": _SUMMARY_REQUIRED, "additionalProperties": False,
        "description": "a person linked from the creators of the members' records",
        "properties": {**_SUMMARY_PROPERTIES,
                       "institutions": {"type": "integer", "minimum": 0, "description": "how many members"}}},
    "ResearcherEvidence": {
        "type": "object", "required": ["authorship", "with", "evidence", "kinds", "score"], "additionalProperties": False,
        "description": "why one authorship of the researcher is linked to another",
        "properties": {"authorship": {"type": "string", "description": "\"<record id>:<name as written>\""},
                       "with": {"type": "string", "description": "the other authorship, \"<record id>:<name>\""},
                       "evidence": {"type": "array", "items": _STR,
                                    "description": "as stored: orcid, name, member, coauthors:<n>, subjects:<n>, "
                                                   "pinyin..."},
                       "kinds": {"type": "array", "items": {"enum": ["orcid", "name", "member", "coauthors",
                                                                     "subjects", "pinyin", "disciplines",
                                                                     "decision", "other"]}},
                       "score": {"type": "number", "minimum": 0, "description": "how strongly (1: certain)"}}},
    "Researcher": {
        "type": "object", "additionalProperties": False,
        "required": [*_SUMMARY_REQUIRED, "names", "by_year", "undated", "coauthors", "timeline", "evidence",
                     "authorships", "truncated"],
        "properties": {
            **_SUMMARY_PROPERTIES,
            "institutions": {"type": "array", "items": {"$ref": _REF + "ResearcherMember"}},
            "names": {"type": "array", "items": {"type": "object", "required": ["name", "authorships"],
                                                 "properties": {"name": _STR, "authorships": _INT}}},
            "by_year": {"type": "array", "items": {"type": "object", "required": ["year", "records"],
                                                   "properties": {"year": _INT, "records": _INT}}},
            "undated": {"type": "integer", "minimum": 0, "description": "records without a year"},
            "coauthors": {"type": "array", "items": {
                "type": "object", "required": ["id", "url", "name", "institution", "shared_records", "scope"],
                "properties": {"id": _INT, "url": _STR, "name": _STR, "institution": {"type": ["string", "null"]},
                               "shared_records": _INT, "scope": {"enum": ["inside", "across"],
                                                                 "description": "inside: the co-author's main "
                                                                                "member is one of the researcher's"}}}},
            "timeline": {"type": "array", "description": "records by year, newest first (year null: unknown)",
                         "items": {"type": "object", "required": ["year", "records"], "properties": {
                             "year": _YEAR, "records": {"type": "array", "items": {
                                 "type": "object", "required": ["id", "url", "title", "name", "institution"],
                                 "properties": {"id": _INT, "url": _STR, "title": _STR, "name": _STR,
                                                "institution": {"type": ["string", "null"]}}}}}}},
            "evidence": {"type": "array", "items": {"$ref": _REF + "ResearcherEvidence"}},
            "authorships": {"type": "integer", "minimum": 0},
            "truncated": {"type": "boolean", "description": "the timeline and evidence cover the most recent "
                                                           "authorships only"}}},
}


def paths(ok: Callable[[str, str], dict[str, Any]], error: dict[str, Any], page: dict[str, Any],
          per_page: dict[str, Any], param: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """The researcher paths, made with the document's own helpers (``ok(schema, description)``,
    ``param(name, description, schema, where, required)``) and its page parameters."""
    return {
        "/researchers": {"get": {
            "summary": "Researchers, most records first", "operationId": "listResearchers",
            "parameters": [param("q", "a name, in Chinese characters or Latin letters (every word must occur)",
                                 {"type": "string", "maxLength": 100}),
                           param("institution", "a member's slug: the researchers whose main member it is", _STR),
                           page, per_page],
            "responses": {"200": ok("ResearcherList", "a page of researchers"), "400": error, "404": error}}},
        "/researchers/{id}": {"get": {
            "summary": "One researcher with the evidence of each link", "operationId": "getResearcher",
            "parameters": [param("id", "researcher id", _INT, "path", True)],
            "responses": {"200": ok("Researcher", "the researcher's profile"), "404": error}}},
    }
