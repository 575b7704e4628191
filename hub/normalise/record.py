"""The normalised record: the one shape every crosswalk produces and every output reads.

Stored as JSON in ``Record.meta``. Fields are lists where sources repeat them; a value
that carries a language keeps it (``{"value": ..., "lang": "zho"}``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class LangString:
    """A string with its ISO 639-3 language, when known."""

    value: str
    lang: str = ""


@dataclass
class Person:
    """A creator or contributor. ``name`` is the form the source gave.

    ``organisation``: the creator is a body (a university, an agency, a company), not a person;
    its name is never split into family and given names. Stored only when true.
    """

    name: str
    family: str = ""
    given: str = ""
    orcid: str = ""
    affiliation: str = ""
    key: str = ""  # person key: "orcid:<iD>" or the name key (see hub.normalise.keys); set by enrichment
    organisation: bool = False


@dataclass
class Identifier:
    """An identifier with its scheme: doi, handle, url, isbn, issn, urn, other."""

    scheme: str
    value: str


@dataclass
class FileLink:
    """A full-text candidate: where to download it and what the source says of it."""

    url: str
    mime_type: str = ""
    size: int | None = None
    checksum: str = ""  # "md5:..." or "sha256:..." as the source gives it
    access: str = "open"  # open, embargoed, restricted
    embargo_until: str = ""
    label: str = ""


@dataclass
class NormalisedRecord:
    """What the hub knows of a record, in one shape whatever its source format."""

    titles: list[LangString] = field(default_factory=list)
    abstracts: list[LangString] = field(default_factory=list)
    creators: list[Person] = field(default_factory=list)
    contributors: list[Person] = field(default_factory=list)
    subjects: list[LangString] = field(default_factory=list)
    disciplines: list[str] = field(default_factory=list)  # discipline catalogue codes (hub.normalise.disciplines)
    dates: list[str] = field(default_factory=list)  # verbatim
    issued: str = ""  # ISO 8601, as precise as the source allows: 2016, 2016-05, 2016-05-03
    year: int | None = None
    types: list[str] = field(default_factory=list)  # verbatim
    resource_type: str = ""  # COAR resource type URI
    resource_type_label: str = ""  # its English label
    identifiers: list[Identifier] = field(default_factory=list)
    doi: str = ""  # canonical lower-case 10.x/..., no resolver
    languages: list[str] = field(default_factory=list)  # ISO 639-3
    rights: list[str] = field(default_factory=list)
    license_url: str = ""
    license_spdx: str = ""  # SPDX id of the licence (CC-BY-4.0, CC0-1.0...), set by enrichment
    access_rights: str = ""  # COAR access right URI
    publisher: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)  # journal, conference, container
    relations: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    files: list[FileLink] = field(default_factory=list)
    landing_page: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # platform-specific findings

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with empty values left out.

        Written out by hand rather than with ``dataclasses.asdict``, which deep-copies every
        value: this runs once per harvested record and was a third of the import time.
        """
        out: dict[str, Any] = {}
        for name in _FIELD_NAMES:
            value = getattr(self, name)
            if value is None or value == "" or value == [] or value == {}:
                continue
            if name in _NESTED:
                value = [_item_dict(item) for item in value]
            elif isinstance(value, list):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            out[name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NormalisedRecord:
        """Rebuild a record from :meth:`to_dict` output."""
        data = dict(data)
        for key, kind in _NESTED.items():
            if key in data:
                data[key] = [kind(**item) for item in data[key]]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    @property
    def title(self) -> str:
        return self.titles[0].value if self.titles else ""


_NESTED: dict[str, type] = {
    "titles": LangString, "abstracts": LangString, "subjects": LangString,
    "creators": Person, "contributors": Person, "identifiers": Identifier, "files": FileLink,
}
_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(NormalisedRecord))
# fields of nested items left out of to_dict() when false, so records written before they
# existed serialise (and hash) exactly as they did
_STORED_WHEN_TRUE: dict[type, tuple[str, ...]] = {Person: ("organisation",)}


def _item_dict(item: Any) -> dict[str, Any]:
    data = dict(item.__dict__)
    for name in _STORED_WHEN_TRUE.get(type(item), ()):
        if not data.get(name):
            data.pop(name, None)
    return data
