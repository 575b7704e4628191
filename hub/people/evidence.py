"""The pairwise rule: are two authorships one person, on what evidence, how surely.

:func:`compare` returns a :class:`Link` (evidence and a score in (0, 1]) or None. Strongest first:

1. **ORCID**: the same iD links (``["orcid"]``, 1.0); two different iDs never link.
2. The names must agree (:func:`name_relation`), else no link:
   - ``name``: the same Han form (王伟 / 王伟), or the same full Latin form (``Wang Wei`` / ``Wang, Wei``);
   - ``pinyin``: a Han form and a Latin full form equal to its pinyin (王伟 / ``Wang Wei``);
   - ``initials``: one side's given name is only initials with the same family and first initial
     (``Wang, W.`` / ``Wang Wei`` / 王伟);
   - two different Han forms (王伟 / 王薇) or two different full given names (``Wang Wei`` /
     ``Wang Wen``) never link.
3. Same member (``member``), with:
   - ``name``: a shared co-author, or two shared subjects in a shared discipline (stricter than "a
     subject or a discipline": namesakes of one member in one discipline are common, and on the demo's
     known truth one subject or the discipline linked them);
   - ``pinyin``: a shared co-author or subject (a shared discipline alone is not enough), as the issue
     asks. One subject suffices here but not for ``name``: measured on the crafted set
     (bench/bench_people.py) and the demo's truth (tests/people/test_demo_truth.py), namesakes
     written alike in one member's records are the commoner trap, a person's Chinese and English
     records the commoner miss;
   - ``initials``: two shared co-authors, or one and a shared subject or discipline; and an initials form linking to two people's different full names
     links to neither (:func:`hub.people.cluster.drop_ambiguous_initials`).
   When both records are classified in disciplines and share none, a shared subject does not count
   (``deep learning`` is written in many disciplines): only co-authors do. So two 王伟 of one university
   in different disciplines, sharing no co-author, stay two.
4. Different members: a ``name`` or ``pinyin`` match (never initials alone) with at least
   :data:`CROSS_MEMBER_COAUTHORS` shared co-authors. A researcher who moved keeps co-authors; two
   namesakes at two universities rarely share two.

Scores order the links for clustering (strongest first) and are shown with the evidence:
``0.5`` (name) / ``0.4`` (pinyin) / ``0.3`` (initials), ``+0.1`` for the same member, ``+0.1`` per
shared co-author (up to three), ``+0.05`` per shared subject (up to two) and ``+0.05`` for a shared
discipline, at most 0.99.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from hub.people.features import AuthorFeatures

CROSS_MEMBER_COAUTHORS = 2


class NameRelation(StrEnum):
    """How two authorships' names agree."""

    NAME = "name"
    PINYIN = "pinyin"
    INITIALS = "initials"


class Evidence(StrEnum):
    """Kinds of evidence a link rests on (besides the name relation and the shared counts)."""

    ORCID = "orcid"
    MEMBER = "member"
    JOINED = "joined"  # a person joined the authorships
    PROFILE = "profile"  # co-authors counted over two people's records (hub.people.cluster.profile_links)


@dataclass(frozen=True)
class Link:
    """Why two authorships are one person, and how surely (0..1)."""

    evidence: tuple[str, ...]
    score: float


@dataclass(order=True)
class Edge:
    """A link between two authorships (indexes into the compared list), sortable by score."""

    score: float
    a: int = field(compare=False)
    b: int = field(compare=False)
    evidence: tuple[str, ...] = field(compare=False, default=())


def name_relation(a: AuthorFeatures, b: AuthorFeatures) -> NameRelation | None:
    """How the names of two authorships agree (see the module docstring), None when they disagree."""
    if a.han and b.han:
        return NameRelation.NAME if a.han == b.han else None
    if not set(a.keys) & set(b.keys):
        return None
    if a.initials or b.initials:
        return NameRelation.INITIALS
    if not (set(a.fulls) & set(b.fulls)):
        return None
    return NameRelation.PINYIN if (a.han or b.han) else NameRelation.NAME


_BASE = {NameRelation.NAME: 0.5, NameRelation.PINYIN: 0.4, NameRelation.INITIALS: 0.3}


def compare(a: AuthorFeatures, b: AuthorFeatures) -> Link | None:
    """The link between two authorships, or None (see the module docstring)."""
    if a.orcid and b.orcid:
        return Link((Evidence.ORCID.value,), 1.0) if a.orcid == b.orcid else None
    relation = name_relation(a, b)
    if relation is None:
        return None
    coauthors = len(a.coauthors & b.coauthors)
    subjects = len(a.subjects & b.subjects)
    disciplines = len(set(a.disciplines) & set(b.disciplines))
    same_member = a.institution_id == b.institution_id
    # both records classified, in no common discipline: a subject shared across disciplines is no evidence
    apart = bool(a.disciplines and b.disciplines and not disciplines)
    if same_member:
        if relation is NameRelation.NAME:
            linked = bool(coauthors or (subjects >= 2 and disciplines))
        elif relation is NameRelation.PINYIN:
            linked = bool(coauthors or (subjects and not apart))
        else:
            linked = coauthors >= 2 or (coauthors >= 1 and bool(subjects or disciplines) and not apart)
    else:
        linked = relation is not NameRelation.INITIALS and coauthors >= CROSS_MEMBER_COAUTHORS
    if not linked:
        return None
    evidence = [relation.value]
    if same_member:
        evidence.append(Evidence.MEMBER.value)
    if coauthors:
        evidence.append(f"coauthors:{coauthors}")
    if subjects:
        evidence.append(f"subjects:{subjects}")
    if disciplines:
        evidence.append(f"disciplines:{disciplines}")
    score = (_BASE[relation] + (0.1 if same_member else 0.0) + 0.1 * min(coauthors, 3)
             + 0.05 * min(subjects, 2) + (0.05 if disciplines else 0.0))
    return Link(tuple(evidence), round(min(score, 0.99), 3))
