"""The hub's set hierarchy: member institutions, repositories, resource types, OpenAIRE, full text.

=====================  ======================================================================
setSpec                records
=====================  ======================================================================
``inst``, ``inst:<slug>``  of any member institution / of the institution with that slug
``repo``, ``repo:<id>``    of any repository / harvested from repository ``<id>``
``type``, ``type:<code>``  with a resource type / of COAR resource type ``<code>`` (``c_6501``)
``openaire``           meeting the mandatory fields of the OpenAIRE Guidelines v4
``fulltext``           whose full text the hub holds (fulltext_state stored or extracted)
=====================  ======================================================================

Membership is computed from the Record row (repository, ``meta``, fulltext_state) by the same
rules in SQL (:func:`set_clause`, to filter lists) and in Python (:func:`record_set_specs`, for
headers); a deleted record keeps the sets its stored metadata puts it in, and a record deleted in
``oai_openaire`` only (it stopped meeting the guidelines) stays in ``openaire`` in that format's
lists. The sets of a removed member or repository stay, marked as removed, for the tombstones
that name them. Set names and descriptions are bilingual (Chinese and English).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hub.models import Institution, Record, Repository
from hub.normalise.coar import COAR_RESOURCE_TYPE, RESOURCE_TYPE_LABELS
from hub.states import FulltextState
from oai.provider.disseminated import was_disseminated
from oai.provider.formats.openaire import OpenAireFormat

SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
REPOSITORY_NUMBER = re.compile(r"[1-9][0-9]{0,8}")  # "repo:01" is not "repo:1"
FULLTEXT_STATES = (FulltextState.STORED, FulltextState.EXTRACTED)
OPENAIRE_FORMAT = OpenAireFormat()


@dataclass(frozen=True)
class SetInfo:
    """One set as ListSets shows it."""

    spec: str
    name: str
    description_zh: str
    description_en: str


@dataclass(frozen=True)
class RepositoryInfo:
    """What headers and provenance need to know of a repository."""

    id: int
    institution_slug: str
    base_url: str


_FIXED_SETS = (
    SetInfo("inst", "成员机构 / Member institutions", "按成员机构划分的记录。", "Records by member institution."),
    SetInfo("repo", "知识库 / Repositories", "按来源知识库划分的记录。", "Records by source repository."),
    SetInfo("type", "资源类型 / Resource types", "按 COAR 资源类型划分的记录。",
            "Records by COAR resource type."),
    SetInfo("openaire", "OpenAIRE 兼容记录 / OpenAIRE-compliant records",
            "满足 OpenAIRE 文献知识库指南 v4 必备字段的记录。",
            "Records meeting the mandatory fields of the OpenAIRE Guidelines for Literature Repositories v4."),
    SetInfo("fulltext", "含全文的记录 / Records with full text", "本平台已保存全文的记录。",
            "Records whose full text the hub has stored."),
)


_REPOSITORIES = (select(Repository.id, Repository.base_url, Institution.slug)
                 .join(Institution, Repository.institution_id == Institution.id))


def repositories(session: Session) -> dict[int, RepositoryInfo]:
    """Every repository with its institution's slug (a few dozen rows: read once per request)."""
    rows = session.connection().execute(_REPOSITORIES)
    return {row.id: RepositoryInfo(row.id, row.slug, row.base_url) for row in rows}


def openaire_membership(deleted_here: ColumnElement[bool] | None = None) -> ColumnElement[bool]:
    """SQL: the record is in the ``openaire`` set; given ``deleted_here`` (the record is deleted in
    the format listed), a record deleted there stays in the set if it was ever served as
    ``oai_openaire`` (its deleted header keeps the sets it had)."""
    clause = OPENAIRE_FORMAT.sql_clause()
    if deleted_here is None:
        return clause
    return or_(clause, and_(deleted_here, was_disseminated(OPENAIRE_FORMAT.prefix)))


def _removed(removed_at: object) -> tuple[str, str, str]:
    """Name suffix and descriptions' suffixes of a removed member or repository's set."""
    if removed_at is None:
        return "", "", ""
    return " [已移除 / removed]", "已移除，其记录作为删除记录保留。", " Removed: its records remain as deleted records."


def all_sets(session: Session) -> list[SetInfo]:
    """Every set, ordered by setSpec (those of removed members and repositories included)."""
    found = list(_FIXED_SETS)
    for inst in session.scalars(select(Institution)):
        spec = f"inst:{inst.slug}"
        if SET_SPEC.fullmatch(spec):
            flag, zh, en = _removed(inst.removed_at)
            name = (" / ".join(n for n in (inst.name_zh, inst.name_en) if n) or inst.slug) + flag
            found.append(SetInfo(spec, name, f"{inst.name_zh or inst.name_en}提交的记录。{zh}",
                                 f"Records of {inst.name_en or inst.name_zh}.{en}"))
    for repo, inst in session.execute(select(Repository, Institution).join(Institution)):
        label = repo.name or repo.base_url
        flag, zh, en = _removed(repo.removed_at)
        found.append(SetInfo(f"repo:{repo.id}",
                             f"{label} ({inst.name_zh or inst.name_en} / {inst.name_en or inst.name_zh}){flag}",
                             f"从{inst.name_zh or inst.name_en}的知识库 {label} 收割的记录。{zh}",
                             f"Records harvested from {label}, a repository of {inst.name_en or inst.name_zh}.{en}"))
    for code, label in RESOURCE_TYPE_LABELS.items():
        english = label.split("|")[0]
        found.append(SetInfo(f"type:{code}", f"{english} ({code})", f"COAR 资源类型：{english}（{code}）。",
                             f"Records of the COAR resource type {english} ({COAR_RESOURCE_TYPE}{code})."))
    return sorted(found, key=lambda s: s.spec)


def set_clause(session: Session, spec: str,
               deleted_here: ColumnElement[bool] | None = None) -> ColumnElement[bool] | None:
    """SQL condition selecting the records of set ``spec``; None when no such set can exist.
    ``deleted_here``: the records deleted in the format listed (see :func:`openaire_membership`)."""
    if spec in ("inst", "repo"):
        return true()
    if spec == "type":
        typed: ColumnElement[bool] = Record.meta["resource_type"].as_string().is_not(None)
        return typed
    if spec == "openaire":
        return openaire_membership(deleted_here)
    if spec == "fulltext":
        return Record.fulltext_state.in_(FULLTEXT_STATES)
    kind, _, value = spec.partition(":")
    if not value or ":" in value:
        return None
    if kind == "inst":
        inst_id = session.scalar(select(Institution.id).where(Institution.slug == value))
        if inst_id is None:
            return None
        return Record.repository_id.in_(select(Repository.id).where(Repository.institution_id == inst_id))
    if kind == "repo":
        return Record.repository_id == int(value) if REPOSITORY_NUMBER.fullmatch(value) else None
    if kind == "type":
        of_type: ColumnElement[bool] = Record.meta["resource_type"].as_string() == COAR_RESOURCE_TYPE + value
        return of_type
    return None


def record_set_specs(record: Any, repos: dict[int, RepositoryInfo], resource_type: str,
                     in_openaire: bool) -> list[str]:
    """The setSpecs of one record (leaf sets; the parent sets ``inst``/``repo``/``type`` are implied)."""
    specs: list[str] = []
    repo = repos.get(record.repository_id)
    if repo is not None and SET_SPEC.fullmatch(f"inst:{repo.institution_slug}"):
        specs.append(f"inst:{repo.institution_slug}")
    specs.append(f"repo:{record.repository_id}")
    if resource_type.startswith(COAR_RESOURCE_TYPE):
        spec = "type:" + resource_type[len(COAR_RESOURCE_TYPE):]
        if SET_SPEC.fullmatch(spec):
            specs.append(spec)
    if in_openaire:
        specs.append("openaire")
    if record.fulltext_state in FULLTEXT_STATES:
        specs.append("fulltext")
    return specs
