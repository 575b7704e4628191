"""The contract of an output metadata format, and eligibility rules expressible in Python and SQL.

A format declares what a record must hold to be expressed in it (``requirements``: paths into
``Record.meta``, the normalised dict, with optionally the values allowed there). The same rules
give :meth:`MetadataFormat.can_disseminate` (Python, for one record) and
:meth:`MetadataFormat.sql_clause` (SQL, to filter lists and count ``completeListSize`` without
loading records), so a list never contains a record that GetRecord would refuse. Normalised
records leave empty values out (``NormalisedRecord.to_dict``), so "present" means "not empty".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, true
from sqlalchemy.sql.elements import ColumnElement

from hub.models import Record

if TYPE_CHECKING:
    from hub.works.api import Relation

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Requirement:
    """A value ``Record.meta`` must hold at ``path`` (non-empty, and in ``allowed`` when given)."""

    path: Path
    allowed: frozenset[str] | None = None

    def met_by(self, meta: dict[str, Any] | None) -> bool:
        """Whether ``meta`` satisfies this requirement."""
        value: Any = meta or {}
        for step in self.path:
            if isinstance(step, int):
                if not isinstance(value, list) or len(value) <= step:
                    return False
            elif not isinstance(value, dict):
                return False
            value = value[step] if isinstance(step, int) else value.get(step)
        if value is None or value == "" or value == [] or value == {}:
            return False
        if self.allowed is not None:
            return isinstance(value, str) and value in self.allowed
        return True

    def clause(self) -> ColumnElement[bool]:
        """The same test in SQL (SQLite JSON1 and PostgreSQL JSONB alike)."""
        path = self.path[0] if len(self.path) == 1 else self.path
        value = Record.meta[path].as_string()
        if self.allowed is not None:
            allowed: ColumnElement[bool] = value.in_(sorted(self.allowed))
            return allowed
        return and_(value.is_not(None), value != "", value != "[]", value != "{}")


@dataclass(frozen=True)
class RenderContext:
    """What a format may need besides the record: the hub's base URL, record page addresses, and
    the relations of the records being rendered to the other records of their works.

    ``relations`` holds, for the records of one response (a ListRecords page, a GetRecord), what
    :func:`hub.works.api.relations_for` returns, loaded once for them all; a record not in it has
    no relation.
    """

    base_url: str
    identifier_prefix: str
    record_url: Callable[[int], str] = field(repr=False, default=lambda record_id: "")
    relations: Mapping[int, Sequence[Relation]] = field(repr=False, default_factory=dict)

    def oai_identifier(self, record_id: int) -> str:
        """The hub's OAI identifier of a record."""
        return f"oai:{self.identifier_prefix}:{record_id}"

    def relations_of(self, record_id: int) -> list[Relation]:
        """The relations of a record to the other records of its work, by related record id."""
        return sorted(self.relations.get(record_id, ()), key=lambda relation: relation.record_id)


class MetadataFormat:
    """An OAI-PMH output format. Subclasses set the class attributes and implement ``render``.

    ``render(record, context)`` returns the XML fragment that goes inside ``<metadata>``; the
    record is anything with the attributes of :class:`hub.models.Record` (a row of a query).
    Every value written must go through :mod:`oai.provider.xmltext`.
    """

    prefix: str = ""
    schema: str = ""
    namespace: str = ""
    requirements: tuple[Requirement, ...] = ()

    def can_disseminate(self, record: Any) -> bool:
        """Whether ``record``'s metadata can be expressed validly in this format."""
        meta = getattr(record, "meta", None) or {}
        return all(req.met_by(meta) for req in self.requirements)

    def sql_clause(self) -> ColumnElement[bool]:
        """SQL condition on the Record table equivalent to :meth:`can_disseminate` (built once per
        set of requirements: every list request uses it, and building it costs more than running it)."""
        return requirements_clause(tuple(self.requirements))

    def render(self, record: Any, context: RenderContext) -> str:  # pragma: no cover - abstract
        """The ``<metadata>`` child of ``record`` in this format."""
        raise NotImplementedError


@cache
def requirements_clause(requirements: tuple[Requirement, ...]) -> ColumnElement[bool]:
    """The SQL condition of a set of requirements, built once (formats are made per request)."""
    return and_(*(req.clause() for req in requirements)) if requirements else true()


def lang_strings(items: Iterable[dict[str, Any]] | None) -> list[tuple[str, str]]:
    """``(value, lang)`` pairs of a normalised list of language strings, skipping malformed items."""
    pairs = []
    for item in items or ():
        if isinstance(item, dict) and item.get("value"):
            pairs.append((str(item["value"]), str(item.get("lang") or "")))
        elif isinstance(item, str) and item:
            pairs.append((item, ""))
    return pairs


def strings(items: Any) -> list[str]:
    """A normalised list of plain strings (a lone string becomes a one-item list)."""
    if isinstance(items, str):
        return [items] if items else []
    return [str(item) for item in items or () if isinstance(item, str | int | float) and str(item)]


def people(items: Any) -> list[dict[str, str]]:
    """A normalised list of persons, each with at least a name."""
    found = []
    for item in items or ():
        if isinstance(item, dict) and item.get("name"):
            if all(type(v) is str for v in item.values()):
                found.append(item)
            else:
                found.append({k: str(v) for k, v in item.items() if isinstance(v, str | int)})
        elif isinstance(item, str) and item:
            found.append({"name": item})
    return found


def doi_url(doi: str) -> str:
    """The resolver URL of a bare DOI."""
    return f"https://doi.org/{doi}"
