"""Metadata quality checks of one normalised record: what is missing, what is invalid, what to change.

Fields checked (:class:`Field`) and whether OpenAIRE's Guidelines for Literature Repositories
require them (:data:`OPENAIRE_REQUIRED`: title, creator, publication date, resource type, access
rights, language, and an identifier or landing page). A record fails a check when the field is
empty (:attr:`Problem.MISSING`) or holds a value the hub cannot read (:attr:`Problem.INVALID`): a
date no form parses, a language no table knows, a DOI in a broken notation, a type outside the
COAR vocabulary, a Creative Commons licence named without a recognisable version.

Each finding carries bilingual advice (English and Chinese) saying what to change.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Field(StrEnum):
    """Fields whose quality is reported."""

    TITLE = "title"
    CREATOR = "creator"
    DATE = "date"
    TYPE = "type"
    ACCESS_RIGHTS = "access_rights"
    LANGUAGE = "language"
    IDENTIFIER = "identifier"
    DOI = "doi"
    ABSTRACT = "abstract"
    SUBJECT = "subject"
    LICENSE = "license"
    FULLTEXT = "fulltext"


class Problem(StrEnum):
    """What is wrong with a field."""

    MISSING = "missing"
    INVALID = "invalid"


OPENAIRE_REQUIRED: frozenset[Field] = frozenset({
    Field.TITLE, Field.CREATOR, Field.DATE, Field.TYPE, Field.ACCESS_RIGHTS, Field.LANGUAGE, Field.IDENTIFIER})

ADVICE: dict[tuple[Field, Problem], tuple[str, str]] = {
    (Field.TITLE, Problem.MISSING): ("Add the title (dc.title).", "请补充题名（dc.title）。"),
    (Field.CREATOR, Problem.MISSING): ("Add the authors (dc.creator), one per element, as 'Family, Given' or "
                                       "the Chinese name as written; add ORCID iDs where known.",
                                       "请补充作者（dc.creator），每位作者一个元素，西文姓名写作“姓, 名”，中文姓名照原样；"
                                       "如有 ORCID 请一并提供。"),
    (Field.DATE, Problem.MISSING): ("Add the publication date (dc.date, ISO 8601: 2016, 2016-05 or 2016-05-03).",
                                    "请补充发表日期（dc.date，ISO 8601 格式：2016、2016-05 或 2016-05-03）。"),
    (Field.DATE, Problem.INVALID): ("Write the publication date in ISO 8601 (2016-05-03); this value could not "
                                    "be read as a date.", "无法识别该日期，请按 ISO 8601 格式填写（如 2016-05-03）。"),
    (Field.TYPE, Problem.MISSING): ("Add the resource type (dc.type), preferably a COAR or "
                                    "info:eu-repo/semantics type.",
                                    "请补充资源类型（dc.type），建议使用 COAR 或 info:eu-repo/semantics 词表。"),
    (Field.TYPE, Problem.INVALID): ("Use a resource type of the COAR vocabulary (e.g. 'journal article', "
                                    "'doctoral thesis'); this value is not one.",
                                    "该类型不在 COAR 资源类型词表中，请改用词表中的类型（如“期刊论文”“博士学位论文”）。"),
    (Field.ACCESS_RIGHTS, Problem.MISSING): ("State the access rights (dc.rights: info:eu-repo/semantics/openAccess, "
                                             "embargoedAccess, restrictedAccess or closedAccess).",
                                             "请注明访问权限（dc.rights：info:eu-repo/semantics/openAccess、"
                                             "embargoedAccess、restrictedAccess 或 closedAccess）。"),
    (Field.LANGUAGE, Problem.MISSING): ("Add the language of the content (dc.language, ISO 639-3 such as zho, eng).",
                                        "请补充内容语种（dc.language，使用 ISO 639-3 代码，如 zho、eng）。"),
    (Field.LANGUAGE, Problem.INVALID): ("Write the language as an ISO 639 code (zho, eng); this value is not one.",
                                        "该语种值无法识别，请使用 ISO 639 代码（如 zho、eng）。"),
    (Field.IDENTIFIER, Problem.MISSING): ("Give a persistent identifier or the item's landing page URL "
                                          "(dc.identifier).", "请提供永久标识符或条目页面网址（dc.identifier）。"),
    (Field.DOI, Problem.MISSING): ("If the work has a DOI, add it (dc.identifier, https://doi.org/10...).",
                                   "如该成果有 DOI，请补充（dc.identifier，格式 https://doi.org/10...）。"),
    (Field.DOI, Problem.INVALID): ("Write the DOI as https://doi.org/10.xxxx/yyy; this value is not a valid DOI.",
                                   "该 DOI 格式有误，请写作 https://doi.org/10.xxxx/yyy。"),
    (Field.ABSTRACT, Problem.MISSING): ("Add an abstract (dc.description).", "请补充摘要（dc.description）。"),
    (Field.SUBJECT, Problem.MISSING): ("Add subject keywords (dc.subject), one per element.",
                                       "请补充主题词（dc.subject），每个关键词一个元素。"),
    (Field.LICENSE, Problem.MISSING): ("State the licence as a URL (e.g. https://creativecommons.org/licenses/by/4.0/).",
                                       "请以网址形式注明许可协议（如 https://creativecommons.org/licenses/by/4.0/）。"),
    (Field.LICENSE, Problem.INVALID): ("Name the Creative Commons licence with its version, best as its URL.",
                                       "请注明知识共享许可协议的版本，最好直接给出其网址。"),
    (Field.FULLTEXT, Problem.MISSING): ("Link the full text file (dc.identifier or the file section) when it may "
                                        "be shared.", "如全文可公开，请在 dc.identifier 或文件部分提供全文链接。"),
}

_DOI_ATTEMPT_RE = re.compile(r"(?:^|doi[:：\s/]|doi\.org/)\s*10[.,]", re.I)
_CC_MENTION_RE = re.compile(r"creative\s*commons|\bcc[\s_-]?by|知识共享|知識共享", re.I)


@dataclass(frozen=True)
class Finding:
    """One problem of one field of one record, with what to do about it."""

    field: Field
    problem: Problem
    value: str = ""
    required: bool = False  # OpenAIRE requires the field

    @property
    def advice(self) -> tuple[str, str]:
        """(English, Chinese) advice."""
        return ADVICE.get((self.field, self.problem), ("", ""))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["advice_en"], data["advice_zh"] = self.advice
        return data


def present_fields(meta: dict[str, Any], has_fulltext: bool) -> set[Field]:
    """The fields a record fills (whatever their quality)."""
    present = set()
    checks = {
        Field.TITLE: meta.get("titles"), Field.CREATOR: meta.get("creators"), Field.DATE: meta.get("dates"),
        Field.TYPE: meta.get("types") or meta.get("resource_type"), Field.ACCESS_RIGHTS: meta.get("access_rights"),
        Field.LANGUAGE: meta.get("languages") or (meta.get("extra") or {}).get("invalid", {}).get("languages"),
        Field.IDENTIFIER: meta.get("identifiers") or meta.get("landing_page"), Field.DOI: meta.get("doi"),
        Field.ABSTRACT: meta.get("abstracts"), Field.SUBJECT: meta.get("subjects"),
        Field.LICENSE: meta.get("license_url") or meta.get("license_spdx"), Field.FULLTEXT: has_fulltext,
    }
    for name, value in checks.items():
        if value:
            present.add(name)
    return present


def _invalid(meta: dict[str, Any]) -> list[Finding]:
    found = []
    if meta.get("dates") and not meta.get("issued"):
        found.append(Finding(Field.DATE, Problem.INVALID, "; ".join(meta["dates"])[:200], True))
    for value in (meta.get("extra") or {}).get("invalid", {}).get("languages", []):
        found.append(Finding(Field.LANGUAGE, Problem.INVALID, value[:200], True))
    if meta.get("types") and not meta.get("resource_type"):
        found.append(Finding(Field.TYPE, Problem.INVALID, "; ".join(meta["types"])[:200], True))
    if not meta.get("doi"):
        broken = [i["value"] for i in meta.get("identifiers", []) if i.get("scheme") == "other"
                  and _DOI_ATTEMPT_RE.search(i.get("value", ""))]
        found += [Finding(Field.DOI, Problem.INVALID, value[:200]) for value in broken[:1]]
    if not meta.get("license_url"):
        named = [r for r in meta.get("rights", []) if _CC_MENTION_RE.search(r)]
        found += [Finding(Field.LICENSE, Problem.INVALID, value[:200]) for value in named[:1]]
    return found


def check_record(meta: dict[str, Any], has_fulltext: bool) -> tuple[set[Field], list[Finding]]:
    """(fields present, findings) of one record's normalised metadata."""
    present = present_fields(meta, has_fulltext)
    findings = _invalid(meta)
    flagged = {f.field for f in findings}
    for name in Field:
        if name not in present and name not in flagged:
            findings.append(Finding(name, Problem.MISSING, "", name in OPENAIRE_REQUIRED))
    return present, findings
