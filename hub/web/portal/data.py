"""What the portal and the API read from the database and the search index (no Flask here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from hub.models import Institution, Record, Repository, UsageEvent, UsageKind
from hub.normalise.vocab import canonical_subject
from hub.search import FacetValue, Hit, SearchRequest, search_backend
from hub.works.api import WorkView

if TYPE_CHECKING:
    from hub.context import Hub


@dataclass
class InstitutionRow:
    """A member institution with its live record count."""

    id: int
    slug: str
    name_en: str
    name_zh: str
    region: str
    website: str
    records: int

    def name(self, lang: str) -> str:
        return (self.name_zh or self.name_en) if lang == "zh" else (self.name_en or self.name_zh)


def _index_counts(hub: Hub) -> tuple[int, dict[str, int]]:
    """Live records and the counts of institutions and full text, read from the search index.

    The index holds exactly the live records, and counting there costs a facet lookup, where
    counting the Record table would read every (large) row.
    """
    result = search_backend(hub).search(SearchRequest(size=1, facet_size=1000, highlight=False,
                                                      only_facets=("institution", "fulltext")))
    counts = {f"institution:{v.value}": v.count for v in result.facets.get("institution", [])}
    counts.update({f"fulltext:{v.value}": v.count for v in result.facets.get("fulltext", [])})
    return result.records, counts


def institutions(hub: Hub) -> list[InstitutionRow]:
    """Every member institution with its number of live records, most records first."""
    _total, counts = _index_counts(hub)
    with hub.db.session() as session:
        rows = [InstitutionRow(i.id, i.slug, i.name_en, i.name_zh, i.region, i.website,
                               counts.get(f"institution:{i.slug}", 0))
                for i in session.scalars(select(Institution).where(Institution.removed_at.is_(None)))]
    return sorted(rows, key=lambda r: (-r.records, r.slug))


def name_lookup(hub: Hub, lang: str) -> dict[tuple[str, str], str]:
    """Facet value labels: ("institution", slug) and ("repository", id) -> name in ``lang``."""
    names: dict[tuple[str, str], str] = {}
    with hub.db.session() as session:
        for inst in session.scalars(select(Institution)):
            names[("institution", inst.slug)] = inst.name(lang)
        for repo in session.scalars(select(Repository)):
            names[("repository", str(repo.id))] = repo.label
    return names


def totals(hub: Hub) -> dict[str, int]:
    """Live records, records with full text, institutions and repositories."""
    live, counts = _index_counts(hub)
    with hub.db.session() as session:
        insts = session.scalar(select(func.count(Institution.id)).where(Institution.removed_at.is_(None))) or 0
        repos = session.scalar(select(func.count(Repository.id)).where(Repository.removed_at.is_(None))) or 0
    return {"records": live, "fulltext": counts.get("fulltext:true", 0), "institutions": insts,
            "repositories": repos}


def newest(hub: Hub, limit: int = 8, **filters: list[str]) -> list[dict[str, Any]]:
    """The most recently published records (search documents), optionally filtered."""
    result = search_backend(hub).search(SearchRequest(filters=filters, size=limit, sort="newest", facets=False,
                                                      highlight=False))
    return [h.doc for h in result.hits]


def year_counts(hub: Hub, **filters: list[str]) -> list[tuple[int, int]]:
    """(year, records) for every year with records, oldest first."""
    result = search_backend(hub).search(SearchRequest(filters=filters, size=1, facet_size=200, highlight=False,
                                                      only_facets=("year",)))
    return sorted((int(v.value), v.count) for v in result.facets.get("year", []) if v.value.isdigit())


def record_with_context(hub: Hub, record_id: int) -> tuple[Record, Repository, Institution] | None:
    """A record with its repository and institution (deleted records included: they show a tombstone;
    those of a removed repository are gone: they live on in the OAI-PMH provider only)."""
    with hub.db.session() as session:
        record = session.get(Record, record_id)
        if record is None:
            return None
        repo = session.get(Repository, record.repository_id)
        if repo.removed:
            return None
        return record, repo, session.get(Institution, repo.institution_id)


def hit_works(hub: Hub, hits: list[Hit]) -> dict[int, WorkView]:
    """Hit id -> its work with every copy, for one page of hits (one lookup for the page); hits
    whose record is not grouped yet are left out."""
    from hub.works.api import works_for

    if not hits:
        return {}
    with hub.db.session() as session:
        return works_for(session, [h.id for h in hits])


def other_copies(hub: Hub, record: Record) -> list[dict[str, Any]]:
    """Other live records of the record's work (copies and versions, see hub.works), the best first;
    for a record not grouped yet, the other live records carrying the same DOI."""
    from hub.works.api import work_of

    with hub.db.session() as session:
        work = work_of(session, record.id)
    if work is not None:
        return [{"id": c.record_id, "title": c.title, "institution_name_en": c.institution_name_en,
                 "institution_name_zh": c.institution_name_zh, "repository_name": c.repository_name,
                 "version": c.version, "doi": c.doi, "has_fulltext": c.has_fulltext}
                for c in work.copies if c.record_id != record.id]
    doi = (record.meta or {}).get("doi")
    if not doi:
        return []
    backend = search_backend(hub)
    return [backend.get(i) or {"id": i} for i in backend.ids_by("doi", doi, limit=50) if i != record.id]


def record_files(hub: Hub, record_id: int) -> list[dict[str, Any]]:
    """The record's stored files (downloadable at /files/<sha256>), or [] without the full-text stages."""
    try:
        from hub.fulltext.objects import record_files as rows
    except ImportError:
        return []
    return rows(hub, record_id)


def facet_values(hub: Hub, name: str, size: int = 200, **filters: list[str]):
    """Values of one facet over the whole collection (browse pages), most records first; and the
    number of records."""
    result = search_backend(hub).search(SearchRequest(filters=filters, size=1, facet_size=size, highlight=False,
                                                      only_facets=(name,)))
    return result.facets.get(name, []), result.records


def merged_subjects(values: list[FacetValue]) -> list[FacetValue]:
    """Subject facet values with every spelling of one concept summed under its canonical form
    (an index built before subjects were merged holds 计算机科学 and "Computer science" apart)."""
    merged: dict[str, int] = {}
    for value in values:
        key = canonical_subject(value.value)
        merged[key] = merged.get(key, 0) + value.count
    return [FacetValue(k, n) for k, n in sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))]


def usage_counts(hub: Hub, record_id: int) -> dict[str, int]:
    """Counted views and downloads of one record (hub.stats.usage; robots and double clicks left out)."""
    with hub.db.session() as session:
        rows = session.execute(select(UsageEvent.kind, func.count(UsageEvent.id))
                               .where(UsageEvent.record_id == record_id).group_by(UsageEvent.kind)).all()
    counts = {kind.value if isinstance(kind, UsageKind) else str(kind): n for kind, n in rows}
    return {"views": counts.get(UsageKind.VIEW.value, 0), "downloads": counts.get(UsageKind.DOWNLOAD.value, 0)}


class FulltextOffer(StrEnum):
    """What a record page offers of the full text."""

    HUB = "hub"  # the hub stores a copy: download it here
    SOURCE = "source"  # the source lists an open file the hub has not stored
    EMBARGOED = "embargoed"  # the source's file opens at the embargo's end
    RESTRICTED = "restricted"  # the source lists a file it does not make public
    NONE = "none"  # metadata only


@dataclass(frozen=True)
class Offer:
    """The full-text offer of a record page, with the embargo's end (ISO date) when embargoed."""

    kind: FulltextOffer
    embargo_until: str = ""


def fulltext_offer(stored: list[dict[str, Any]], listed: list[dict[str, Any]], today: str | None = None) -> Offer:
    """What a record offers: a stored copy, else an open file at the source (an embargo that has ended
    counts as open), else an embargo with its end date, else a restricted file, else nothing."""
    if stored:
        return Offer(FulltextOffer.HUB)
    today = today or datetime.now(UTC).strftime("%Y-%m-%d")
    ends: list[str] = []
    restricted = False
    for f in listed:
        access = (f.get("access") or "open").lower()
        until = str(f.get("embargo_until") or "")
        url = str(f.get("url") or "")
        downloadable = url.startswith(("http://", "https://"))
        if access == "open" or (access == "embargoed" and until and until[:10] <= today):
            if downloadable:
                return Offer(FulltextOffer.SOURCE)
        elif access == "embargoed":
            ends.append(until[:10])
        else:
            restricted = True
    if ends:
        return Offer(FulltextOffer.EMBARGOED, min(e for e in ends if e) if any(ends) else "")
    return Offer(FulltextOffer.RESTRICTED) if restricted else Offer(FulltextOffer.NONE)


_RESOLVERS = {"doi": "https://doi.org/", "handle": "https://hdl.handle.net/", "hdl": "https://hdl.handle.net/",
              "arxiv": "https://arxiv.org/abs/", "pmid": "https://pubmed.ncbi.nlm.nih.gov/"}


def identifier_links(meta: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(scheme, value, link or '') of the record's identifiers other than its DOI: handles resolve at
    hdl.handle.net, DOIs at doi.org, URLs are links when http(s)."""
    out = []
    doi = (meta.get("doi") or "").lower()
    for ident in meta.get("identifiers") or []:
        scheme, value = str(ident.get("scheme") or "").lower(), str(ident.get("value") or "").strip()
        if not value or (scheme == "doi" and value.lower() == doi):
            continue
        if scheme in _RESOLVERS and not value.startswith(("http://", "https://")):
            link = _RESOLVERS[scheme] + value
        elif value.startswith(("http://", "https://")):
            link = value
        else:
            link = ""
        out.append((scheme, value, link))
    return out
