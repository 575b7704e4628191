"""What a record is compared on: its :class:`Features`, computed once from ``Record.meta``.

Features are stored as JSON in ``work_member.features`` (see :meth:`Features.to_json`), so that
regrouping compares records without re-reading and re-parsing their metadata.

Blocking keys (:func:`blocking_keys`): ``doi:<doi>``, ``hdl:<handle>``, ``urn:<urn>`` and
``t:<title key>`` for every title whose key is long enough (:data:`MIN_TITLE_KEY`). Handles of
DSpace's unregistered default prefix ``123456789`` are not identifiers: every unconfigured DSpace
uses them, so two repositories' ``123456789/10`` are unrelated records.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hub.normalise.keys import MIN_TITLE_KEY, name_keys, title_key
from hub.normalise.record import Person

UNREGISTERED_HANDLE_PREFIXES = frozenset({"123456789"})
MAX_KEY = 255


class TypeFamily(StrEnum):
    """Kinds of resources that can be copies of one another; GENERIC is compatible with every kind."""

    GENERIC = "generic"  # unknown, text, other
    PUBLICATION = "publication"  # articles, preprints, conference papers, reports...
    THESIS = "thesis"
    BOOK = "book"
    PART = "part"  # book chapters, report parts
    DATASET = "dataset"
    SOFTWARE = "software"
    PATENT = "patent"
    MEDIA = "media"  # images, video, sound, maps


class Version(StrEnum):
    """Which version of a work a record holds, as far as its types tell."""

    UNKNOWN = ""
    PREPRINT = "preprint"  # submitted version, preprint, working paper
    ACCEPTED = "accepted"
    PUBLISHED = "published"


_FAMILY_BY_CODE: dict[str, TypeFamily] = {
    **dict.fromkeys(("c_46ec", "c_db06", "c_bdcc", "c_7a1f"), TypeFamily.THESIS),
    **dict.fromkeys(("c_2f33", "c_f744", "c_86bc"), TypeFamily.BOOK),
    **dict.fromkeys(("c_3248", "c_ba1f"), TypeFamily.PART),
    "c_ddb1": TypeFamily.DATASET, "c_5ce6": TypeFamily.SOFTWARE, "c_15cd": TypeFamily.PATENT,
    **dict.fromkeys(("c_18cc", "c_18cd", "c_18cw", "c_12ce", "c_8a7e", "c_ecc8", "c_c513", "c_12cd", "c_12cc"),
                    TypeFamily.MEDIA),
    **dict.fromkeys(("c_18cf", "c_1843", ""), TypeFamily.GENERIC),
}
_PREPRINT_CODES = frozenset({"c_816b", "c_8042"})
_VERSION_WORDS = {
    "info:eu-repo/semantics/submittedversion": Version.PREPRINT,
    "info:eu-repo/semantics/draft": Version.PREPRINT,
    "info:eu-repo/semantics/acceptedversion": Version.ACCEPTED,
    "info:eu-repo/semantics/publishedversion": Version.PUBLISHED,
    "info:eu-repo/semantics/updatedversion": Version.PUBLISHED,
}


def type_family(resource_type: str) -> TypeFamily:
    """The family of a COAR resource type URI (or bare code)."""
    code = resource_type.rstrip("/").rpartition("/")[2]
    return _FAMILY_BY_CODE.get(code, TypeFamily.PUBLICATION)


def version_of(resource_type: str, types: list[str]) -> Version:
    """The version a record holds: OpenAIRE version types first, then a preprint resource type."""
    for value in types:
        found = _VERSION_WORDS.get(value.strip().lower())
        if found:
            return found
    code = resource_type.rstrip("/").rpartition("/")[2]
    return Version.PREPRINT if code in _PREPRINT_CODES else Version.UNKNOWN


@dataclass(frozen=True)
class Features:
    """The comparison features of one record."""

    record_id: int
    repository_id: int
    titles: tuple[str, ...] = ()  # title keys
    year: int | None = None
    authors: frozenset[str] = frozenset()  # name keys and orcid:<iD> keys
    doi: str = ""
    handles: tuple[str, ...] = ()
    urns: tuple[str, ...] = ()
    family: TypeFamily = TypeFamily.GENERIC
    version: Version = Version.UNKNOWN
    title: str = ""  # the first title as written (for display)

    def to_json(self) -> dict[str, Any]:
        """The JSON stored in ``work_member.features`` (record and repository ids are columns)."""
        data: dict[str, Any] = {"t": list(self.titles), "y": self.year, "a": sorted(self.authors), "d": self.doi,
                                "h": list(self.handles), "u": list(self.urns), "f": self.family.value,
                                "v": self.version.value, "n": self.title[:200]}
        return {k: v for k, v in data.items() if v not in ("", [], None)}

    @classmethod
    def from_json(cls, record_id: int, repository_id: int, data: dict[str, Any]) -> Features:
        """Rebuild from :meth:`to_json` output."""
        return cls(record_id, repository_id, tuple(data.get("t", ())), data.get("y"),
                   frozenset(data.get("a", ())), data.get("d", ""), tuple(data.get("h", ())),
                   tuple(data.get("u", ())), TypeFamily(data.get("f", "generic")), Version(data.get("v", "")),
                   data.get("n", ""))


def _author_keys(creators: list[dict[str, Any]]) -> frozenset[str]:
    keys: set[str] = set()
    for creator in creators:
        person = Person(name=creator.get("name", ""), family=creator.get("family", ""),
                        given=creator.get("given", ""))
        keys.update(name_keys(person))
        if creator.get("orcid"):
            keys.add(f"orcid:{creator['orcid']}")
    return frozenset(keys)


def features_of(record_id: int, repository_id: int, meta: dict[str, Any]) -> Features:
    """The features of a record from its normalised metadata (``Record.meta``)."""
    titles = tuple(dict.fromkeys(k for k in (title_key(t.get("value", "")) for t in meta.get("titles", ())) if k))
    handles, urns = [], []
    for identifier in meta.get("identifiers", ()):
        scheme, value = identifier.get("scheme"), identifier.get("value", "")
        if scheme == "handle" and value.partition("/")[0] not in UNREGISTERED_HANDLE_PREFIXES:
            handles.append(value.lower())
        elif scheme == "urn":
            urns.append(value.lower())
    resource_type = meta.get("resource_type", "")
    first_title = meta["titles"][0].get("value", "") if meta.get("titles") else ""
    return Features(record_id, repository_id, titles, meta.get("year"),
                    _author_keys(meta.get("creators", ())), meta.get("doi", ""), tuple(dict.fromkeys(handles)),
                    tuple(dict.fromkeys(urns)), type_family(resource_type),
                    version_of(resource_type, meta.get("types", [])), first_title)


def _bounded(key: str) -> str:
    """Keys longer than the column are shortened to a prefix and a digest of the whole."""
    if len(key) <= MAX_KEY:
        return key
    return key[:MAX_KEY - 17] + "#" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def blocking_keys(features: Features) -> list[str]:
    """The keys under which a record is compared with others (see the module docstring)."""
    keys = []
    if features.doi:
        keys.append(f"doi:{features.doi}")
    keys += [f"hdl:{h}" for h in features.handles]
    keys += [f"urn:{u}" for u in features.urns]
    keys += [f"t:{t}" for t in features.titles if len(t) >= MIN_TITLE_KEY]
    return list(dict.fromkeys(_bounded(k) for k in keys))
