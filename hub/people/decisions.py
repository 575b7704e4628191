"""Splitting a wrong researcher and joining two, by hub staff or member administrators.

A decision names authorships on two sides by reference (``"<record id>:<name as written>"``: a
creator's position may change when its source reorders creators, its record id and name do not).
:func:`decide` stores it (``researcher_decision``) and re-links the records concerned. Linking honours
every decision from then on, across re-harvests and full re-linking: a split keeps every authorship of
one side apart from every one of the other whatever the evidence (cannot-link), a join keeps them
together (must-link, even against two ORCID iDs or Han forms). The latest decision about a pair wins.

Who may decide is the face's check (a member administrator decides on their own member's authorships:
:func:`institutions_of` gives the members a decision touches); this module only validates the
references.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.models import Authorship, DecisionKind, ResearcherDecision
from hub.people.linking import DEFAULT_CAP, RelinkResult, relink
from hub.people.store import chunks, load_refs, parse_ref


class DecisionError(ValueError):
    """A split or join that cannot be done (unknown or malformed references, a side empty or both sides
    overlapping)."""


def institutions_of(session: Session, refs: list[str]) -> set[int]:
    """The members holding the authorships these references name (malformed references are ignored)."""
    parsed = [p for p in (parse_ref(r) for r in refs) if p is not None]
    wanted: dict[int, set[str]] = {}
    for record_id, name in parsed:
        wanted.setdefault(record_id, set()).add(name)
    found: set[int] = set()
    for batch in chunks(sorted(wanted)):
        for record_id, name, institution_id in session.execute(
                select(Authorship.record_id, Authorship.name, Authorship.institution_id)
                .where(Authorship.record_id.in_(batch))):
            if name in wanted[record_id]:
                found.add(institution_id)
    return found


def _checked(session: Session, refs: list[str], side: str) -> list[str]:
    clean = sorted(set(refs))
    if not clean:
        raise DecisionError(f"the {side} side names no authorship")
    bad = [r for r in clean if parse_ref(r) is None]
    if bad:
        raise DecisionError(f"not an authorship reference (\"<record id>:<name>\"): {bad[0]!r}")
    known = {a.ref for a in load_refs(session, clean).authors.values()}
    missing = [r for r in clean if r not in known]
    if missing:
        raise DecisionError(f"no authorship {missing[0]!r}")
    return clean


def decide(session: Session, kind: DecisionKind, left: list[str], right: list[str], *, username: str,
           note: str = "", cap: int = DEFAULT_CAP) -> RelinkResult:
    """Store a split (the sides are different people) or a join (one person) over authorship references,
    then re-link the records concerned (see the module docstring)."""
    if not isinstance(kind, DecisionKind):
        raise DecisionError(f"unknown decision {kind!r}")
    left, right = _checked(session, left, "left"), _checked(session, right, "right")
    if set(left) & set(right):
        raise DecisionError(f"an authorship on both sides: {sorted(set(left) & set(right))[0]!r}")
    decision = ResearcherDecision(kind=kind, left=left, right=right,
                                  institutions=sorted(institutions_of(session, left + right)),
                                  username=username[:64], note=note[:2000])
    session.add(decision)
    session.flush()
    records = {p[0] for p in (parse_ref(r) for r in left + right) if p is not None}
    return relink(session, records, cap)
