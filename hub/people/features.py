"""What an authorship is compared on: its :class:`AuthorFeatures`, computed once from ``Record.meta``.

:func:`authorships_of` gives one :class:`AuthorFeatures` per person-creator of a record (organisations,
``Person.organisation``, and empty names are skipped; ``position`` is the index in ``meta["creators"]``):
the name as written, its :mod:`hub.people.names` form (blocking key, every reading's key and full form,
the Han form), the ORCID iD, the keys of the record's other person-creators (co-authors), its subjects
(folded, at most :data:`MAX_SUBJECTS`), its disciplines (first-level codes) and year. The member comes
from the record's repository. Stored as JSON in ``authorship.features`` (:meth:`AuthorFeatures.to_json`).

:func:`block_keys` are the comparison blocks stored in ``authorship_key``. Every link but an ORCID one
needs a shared co-author, subject or discipline (see :mod:`hub.people.evidence`), so an authorship is
only ever compared with those sharing, with one of its name keys (both readings of a comma-less Latin
name: ``Peng Xue`` is blocked under ``peng x`` and ``xue p``), one of:

- ``o:<ORCID iD>``;
- ``<key>|d:<member>:<discipline>``: the same member and a discipline;
- ``<key>|s:<member>:<subject>``: the same member and a subject (the first :data:`BLOCK_SUBJECTS`);
- ``<key>|c:<co-author key>``: a co-author, at any member (the first :data:`BLOCK_COAUTHORS`).

So the bucket of a common name (``wang w``: tens of thousands of authorships at a million records) is
never compared pair by pair: it is cut into subsets sharing a discipline, a subject or a co-author.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from hub.people.names import name_form

MAX_SUBJECTS = 8
MAX_COAUTHORS = 30
BLOCK_SUBJECTS = 3
BLOCK_COAUTHORS = 8
MAX_KEY = 255


@dataclass(frozen=True)
class AuthorFeatures:
    """The comparison features of one authorship (a person-creator of one record)."""

    record_id: int
    position: int
    institution_id: int
    repository_id: int
    name: str  # as written
    key: str = ""  # blocking key of the first reading
    orcid: str = ""
    keys: tuple[str, ...] = ()  # the key of every reading
    fulls: tuple[str, ...] = ()  # the full form of every reading with a full given name ("wang wei")
    initials: bool = False  # the first reading's given name is only initials
    han: str = ""  # the name in Chinese characters, when written so
    coauthors: frozenset[str] = frozenset()  # keys of the record's other person-creators
    subjects: frozenset[str] = frozenset()  # folded subjects
    disciplines: tuple[str, ...] = ()  # first-level codes
    year: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def ref(self) -> str:
        """The reference decisions use: ``"<record id>:<name as written>"``."""
        return f"{self.record_id}:{self.name}"

    @property
    def full(self) -> str:
        """The full form of the first reading (``""`` when only initials are known)."""
        return self.fulls[0] if self.fulls and not self.initials else ""

    def to_json(self) -> dict[str, Any]:
        """The JSON stored in ``authorship.features`` (ids, name, key and ORCID are columns)."""
        data: dict[str, Any] = {"k": list(self.keys), "f": list(self.fulls), "i": self.initials, "h": self.han,
                                "c": sorted(self.coauthors), "s": sorted(self.subjects), "d": list(self.disciplines),
                                "y": self.year}
        return {k: v for k, v in data.items() if v not in ("", [], None, False)}

    @classmethod
    def from_json(cls, record_id: int, position: int, institution_id: int, repository_id: int, name: str,
                  key: str, orcid: str, data: dict[str, Any]) -> AuthorFeatures:
        """Rebuild from the columns and :meth:`to_json` output."""
        return cls(record_id, position, institution_id, repository_id, name, key, orcid,
                   tuple(data.get("k", ())), tuple(data.get("f", ())), bool(data.get("i")), data.get("h", ""),
                   frozenset(data.get("c", ())), frozenset(data.get("s", ())), tuple(data.get("d", ())),
                   data.get("y"))


def _subject_key(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())[:80]


def _subjects(meta: dict[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    for subject in meta.get("subjects", ()):
        value = subject.get("value", "") if isinstance(subject, dict) else str(subject)
        key = _subject_key(value)
        if key and key not in found:
            found.append(key)
        if len(found) == MAX_SUBJECTS:
            break
    return tuple(found)


def _disciplines(meta: dict[str, Any]) -> tuple[str, ...]:
    """First-level disciplines (four digits); a category (``10`` medicine, two digits) is too broad to tell
    two namesakes apart, so it is left out."""
    codes = (str(code)[:4] for code in meta.get("disciplines", ()))
    return tuple(dict.fromkeys(code for code in codes if len(code) == 4 and code.isdigit()))


def authorships_of(record_id: int, repository_id: int, institution_id: int,
                   meta: dict[str, Any]) -> list[AuthorFeatures]:
    """The authorships of a record (see the module docstring)."""
    people: list[tuple[int, dict[str, Any], Any]] = []
    for position, creator in enumerate(meta.get("creators", ())):
        if not isinstance(creator, dict) or creator.get("organisation"):
            continue
        name = str(creator.get("name") or "").strip()
        if not name:
            name = ", ".join(p for p in (creator.get("family", ""), creator.get("given", "")) if p)
        form = name_form(name, str(creator.get("family") or ""), str(creator.get("given") or ""))
        if not form.key:
            continue
        people.append((position, {**creator, "name": name}, form))
    subjects = frozenset(_subjects(meta))
    disciplines = _disciplines(meta)
    year = meta.get("year") if isinstance(meta.get("year"), int) else None
    all_keys = [form.key for _, _, form in people]
    found = []
    for index, (position, creator, form) in enumerate(people):
        others = frozenset(k for i, k in enumerate(all_keys) if i != index and k != form.key)
        if len(others) > MAX_COAUTHORS:
            others = frozenset(sorted(others)[:MAX_COAUTHORS])
        primary = form.primary
        found.append(AuthorFeatures(
            record_id, position, institution_id, repository_id, creator["name"][:255], form.key[:128],
            str(creator.get("orcid") or "")[:19], tuple(dict.fromkeys(r.key for r in form.readings)),
            tuple(dict.fromkeys(r.full for r in form.readings if r.full)),
            bool(primary and primary.initials), form.han, others, subjects, disciplines, year))
    return found


def _bounded(key: str) -> str:
    """Keys longer than the column are shortened to a prefix and a digest of the whole."""
    if len(key) <= MAX_KEY:
        return key
    return key[:MAX_KEY - 17] + "#" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def block_keys(author: AuthorFeatures) -> list[str]:
    """The comparison blocks of an authorship (see the module docstring)."""
    keys: list[str] = []
    if author.orcid:
        keys.append(f"o:{author.orcid}")
    member = author.institution_id
    for name in author.keys or ((author.key,) if author.key else ()):
        keys += [f"{name}|d:{member}:{code}" for code in author.disciplines]
        keys += [f"{name}|s:{member}:{subject}" for subject in sorted(author.subjects)[:BLOCK_SUBJECTS]]
        keys += [f"{name}|c:{other}" for other in sorted(author.coauthors)[:BLOCK_COAUTHORS]]
    return list(dict.fromkeys(_bounded(k) for k in keys))
