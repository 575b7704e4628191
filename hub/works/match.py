"""The pairwise rule: are two records copies (or versions) of one work, on what evidence, how surely.

:func:`compare` returns a :class:`Match` (evidence and a score in (0, 1]) or None:

1. **same DOI** -> ``["doi"]``, score 1.0 — unless it is a *container DOI*: a DOI shared by
   records whose titles differ while one of them is a chapter or part (the DOI of the book the
   chapters are in). A container DOI is no evidence either way;
2. **same Handle or URN** -> ``["handle"]`` / ``["urn"]``, score 1.0;
3. **same normalised title** (:func:`hub.normalise.keys.title_key`: width, punctuation, case) with
   - a compatible year: both known and at most one year apart (a record without a year is
     compatible, at a lower score),
   - an overlapping author (name keys: Chinese names as written, Latin family + first initial;
     ORCID iDs),
   - compatible kinds (:func:`compatible_families`: a thesis is never grouped with an article
     of the same title, nor a chapter with its book),
   - no DOI conflict: two different DOIs mean two works, unless one record is a preprint;
   -> ``["title", "year" | "year±1" | "year?", "authors:N"]``, score
   ``0.5 + 0.2·(same year) + 0.3·(shared authors / authors of the smaller list)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from hub.works.features import Features, TypeFamily, Version


class Evidence(StrEnum):
    """Kinds of evidence a grouping rests on."""

    DOI = "doi"
    HANDLE = "handle"
    URN = "urn"
    TITLE = "title"
    JOINED = "joined"  # a person joined the records


@dataclass(frozen=True)
class Match:
    """Why two records are one work, and how surely (0..1)."""

    evidence: tuple[str, ...]
    score: float


@dataclass(order=True)
class Edge:
    """A match between two records (sortable by score, strongest last)."""

    score: float
    a: int = field(compare=False)
    b: int = field(compare=False)
    evidence: tuple[str, ...] = field(compare=False, default=())


def compatible_families(a: TypeFamily, b: TypeFamily) -> bool:
    """Whether records of these kinds may hold one work (GENERIC fits anything)."""
    return a == b or TypeFamily.GENERIC in (a, b)


def _is_part(features: Features) -> bool:
    return features.family is TypeFamily.PART


def is_container_doi(a: Features, b: Features) -> bool:
    """A DOI shared by a chapter/part and a record of a different title: the container's DOI."""
    return (_is_part(a) or _is_part(b)) and not set(a.titles) & set(b.titles)


def _year_evidence(a: int | None, b: int | None) -> str | None:
    if a is None or b is None:
        return "year?"
    if a == b:
        return "year"
    return "year±1" if abs(a - b) <= 1 else None


def compare(a: Features, b: Features) -> Match | None:
    """The match between two records, or None (see the module docstring)."""
    if a.doi and a.doi == b.doi and not is_container_doi(a, b):
        return Match((Evidence.DOI.value,), 1.0)
    if a.handles and set(a.handles) & set(b.handles):
        return Match((Evidence.HANDLE.value,), 1.0)
    if a.urns and set(a.urns) & set(b.urns):
        return Match((Evidence.URN.value,), 1.0)
    if not (a.titles and b.titles) or not set(a.titles) & set(b.titles):
        return None
    if not compatible_families(a.family, b.family):
        return None
    if a.doi and b.doi and a.doi != b.doi and Version.PREPRINT not in (a.version, b.version):
        return None
    year = _year_evidence(a.year, b.year)
    if year is None:
        return None
    shared = len(a.authors & b.authors)
    if not shared:
        return None
    smaller = min(len(a.authors), len(b.authors))
    score = 0.5 + (0.2 if year == "year" else 0.0) + 0.3 * min(1.0, shared / smaller)
    return Match((Evidence.TITLE.value, year, f"authors:{shared}"), round(score, 3))
