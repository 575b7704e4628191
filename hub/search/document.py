"""The search document of a record: what every backend indexes, stores and returns for display.

:func:`build_document` is a pure function of a Record, its Repository and Institution, and
the record's extracted full text (when extraction has run) and its work (hub.works): ``work_id``
is the key results are collapsed on, so a record is indexed again whenever its work changes
(the works -> index trigger of hub.pipeline.graph). ``disciplines`` holds the discipline catalogue codes the
normaliser gave the record (hub.normalise.disciplines), for the discipline facet; ``subjects_facet`` holds
each subject in its canonical form (hub.normalise.subjects: 计算机科学 and "Computer science" are one
value). The ``version`` field is the
record's hub datestamp plus whether full text was included, so ``chair index check`` sees
both metadata changes and newly extracted text as stale documents.
"""

from __future__ import annotations

import re
from typing import Any

from hub.models import Institution, Record, Repository
from hub.normalise.vocab import canonical_subject
from hub.search.highlight import strip_markers
from hub.states import FulltextState

# Extracted text beyond this many characters is not indexed (highlighters analyse at most ~1M).
MAX_FULLTEXT_CHARS = 900_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def clean(text: Any) -> str:
    """Harvested text made safe for an index: str, no control characters, no highlight markers."""
    if text is None:
        return ""
    return strip_markers(_CONTROL.sub(" ", str(text))).strip()


def _values(items: Any, key: str = "value") -> list[str]:
    out = []
    for item in items or []:
        value = item.get(key) if isinstance(item, dict) else item
        value = clean(value)
        if value:
            out.append(value)
    return out


def date_sort(issued: str, year: int | None) -> str:
    """A sortable ``YYYY-MM-DD`` from the issued date (missing parts as 01), or '' when unknown."""
    m = _DATE.match(issued or "")
    if m:
        return f"{m.group(1)}-{m.group(2) or '01'}-{m.group(3) or '01'}"
    return f"{year:04d}-01-01" if year else ""


def has_fulltext(record: Record) -> bool:
    """True when the hub holds the record's file, or the source lists an open-access file."""
    if record.fulltext_state in (FulltextState.STORED, FulltextState.EXTRACTED):
        return True
    return any((f.get("access") or "open") == "open" for f in (record.meta or {}).get("files") or [])


def version_of(record: Record, with_fulltext: bool) -> str:
    """The document version: hub datestamp, plus ``+text`` when extracted text was indexed."""
    stamp = record.hub_datestamp.strftime("%Y-%m-%dT%H:%M:%SZ") if record.hub_datestamp else ""
    return stamp + ("+text" if with_fulltext else "")


def expected_version(record: Record) -> str:
    """The version a current document of ``record`` has (text indexed once it is extracted)."""
    return version_of(record, record.fulltext_state == FulltextState.EXTRACTED)


def work_key(record_id: int, work_id: int | None) -> str:
    """The key results are collapsed on: ``w<work id>``, or ``r<record id>`` for a record in no work yet."""
    return f"w{work_id}" if work_id else f"r{record_id}"


def build_document(record: Record, repository: Repository, institution: Institution,
                   fulltext: str | None = None, work_id: int | None = None) -> dict[str, Any]:
    """The search document of a (live) record; ``fulltext`` is its extracted text, if any, and
    ``work_id`` the work it belongs to (hub.works), if it has been grouped."""
    meta = record.meta or {}
    titles = _values(meta.get("titles"))
    creators = [clean(c.get("name") if isinstance(c, dict) else c) for c in meta.get("creators") or []]
    creators = [c for c in creators if c]
    subjects = _values(meta.get("subjects"))
    abstracts = _values(meta.get("abstracts"))
    identifiers = _values(meta.get("identifiers"))
    doi = clean(meta.get("doi"))
    other = identifiers + ([doi] if doi and doi not in identifiers else []) + _values(meta.get("publisher")) + \
        _values(meta.get("source"))  # identifier: searches here, the DOI among them
    year = meta.get("year")
    year = int(year) if isinstance(year, int) or (isinstance(year, str) and year.isdigit()) else None
    text = clean(fulltext)[:MAX_FULLTEXT_CHARS] if fulltext else ""
    languages = [clean(x) for x in meta.get("languages") or [] if clean(x)]
    disciplines = list(dict.fromkeys(clean(x) for x in meta.get("disciplines") or [] if clean(x)))
    return {
        "id": record.id,
        "work_id": work_key(record.id, work_id),
        "version": version_of(record, fulltext is not None and record.fulltext_state == FulltextState.EXTRACTED),
        "title": " / ".join(titles),
        "titles": titles,
        "creators": creators,
        "subjects": subjects,
        "subjects_facet": sorted({canonical_subject(s)[:200] for s in subjects}),
        "abstract": "\n\n".join(abstracts),
        "fulltext": text,
        "other": " ".join(other),
        "institution": institution.slug,
        "institution_name_en": clean(institution.name_en),
        "institution_name_zh": clean(institution.name_zh),
        "repository": str(repository.id),
        "repository_name": clean(repository.label),
        "year": year,
        "issued": clean(meta.get("issued")),
        "date_sort": date_sort(clean(meta.get("issued")), year),
        "type": clean(meta.get("resource_type_label")),
        "resource_type": clean(meta.get("resource_type")),
        "languages": languages,
        "disciplines": disciplines,
        "doi": clean(meta.get("doi")),
        "has_fulltext": has_fulltext(record) or bool(text),
        "hub_datestamp": record.hub_datestamp.strftime("%Y-%m-%dT%H:%M:%SZ") if record.hub_datestamp else "",
    }


# Fields a search returns for display (full text is searched and highlighted, never returned whole).
STORED_FIELDS: tuple[str, ...] = (
    "id", "work_id", "version", "title", "titles", "creators", "subjects", "abstract", "institution",
    "institution_name_en", "institution_name_zh", "repository", "repository_name", "year", "issued",
    "type", "resource_type", "languages", "disciplines", "doi", "has_fulltext", "hub_datestamp",
)
