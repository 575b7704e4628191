"""The DSpace Intermediate Metadata (``dim``) crosswalk, richer than DSpace's oai_dc.

DSpace's oai_dc flattens every ``dc.date.*`` (accessioned, available, issued) into ``dc:date`` and
every contributor role into ``dc:contributor``. From ``dim:field`` elements (``mdschema``,
``element``, ``qualifier``, ``lang``, ``authority``) this crosswalk keeps:

- ``dc.date.issued`` as the date (``dc.date.created`` or an unqualified date only when there is no
  issued date; accessioned/available are DSpace's own and are kept in ``extra['dspace']``);
- ``dc.contributor.author`` and ``dc.creator`` as creators, other roles as contributors, with the
  ORCID iD of an ORCID authority key (``authority`` holding an iD) on the person;
- ``dc.description.abstract`` and unqualified descriptions (never ``description.provenance``);
- ``dc.relation.ispartof`` / ``ispartofseries`` as the source; ``dc.identifier.citation`` as a citation;
- ``dc.date.embargo`` / ``dc.embargo.lift`` / ``dc.rights.embargodate`` as ``extra['embargo_end']``;
- ``dc.identifier.uri`` handles as identifiers (the hub's DSpace plugin uses them for REST lookups).
"""

from __future__ import annotations

from typing import Any

from hub.normalise.dates import parse_date
from hub.normalise.names import extract_orcid, split_name
from hub.normalise.record import NormalisedRecord
from plugins.dspace.dcbuild import DCBuilder

DIM_NS = "http://www.dspace.org/xmlns/dspace/dim"
_EMBARGO = {("date", "embargo"), ("embargo", "lift"), ("rights", "embargodate"), ("embargo", "terms")}
_SYSTEM_DATES = {"accessioned", "available", "updated"}


def _fields(metadata: Any) -> list[tuple[str, str, str, str, str, str]]:
    """(schema, element, qualifier, text, lang, authority) of every dim:field."""
    if metadata is None:
        return []
    found = []
    for node in metadata.iter(f"{{{DIM_NS}}}field"):
        text = "".join(node.itertext()).strip()
        if text:
            found.append((node.get("mdschema", "dc"), node.get("element", ""), node.get("qualifier") or "",
                          text, node.get("lang") or "", node.get("authority") or ""))
    return found


def crosswalk_dim(metadata: Any) -> NormalisedRecord:
    """The NormalisedRecord of a ``dim:dim`` element (see the module docstring)."""
    builder = DCBuilder()
    fields = _fields(metadata)
    orcids: dict[str, str] = {}
    issued = [f for f in fields if f[:3] == ("dc", "date", "issued")]
    fallback_dates = [f for f in fields if f[0] == "dc" and f[1] == "date" and f[2] in ("created", "")]
    system_dates: dict[str, list[str]] = {}
    embargo = ""
    for schema, element, qualifier, text, lang, authority in fields:
        if (element, qualifier) in _EMBARGO:
            parsed = parse_date(text)
            embargo = embargo or (parsed.iso if parsed else "")
            continue
        if schema != "dc":
            continue
        if element in ("contributor", "creator"):
            target = "creator" if element == "creator" or qualifier == "author" else "contributor"
            _name, orcid = extract_orcid(authority) if authority else ("", "")
            if orcid:
                orcids[split_name(text).name] = orcid  # keyed as the crosswalk names the person
            builder.add(target, text)
        elif element == "date":
            if qualifier in _SYSTEM_DATES:
                system_dates.setdefault(qualifier, []).append(text)
        elif element == "description":
            if qualifier in ("", "abstract"):
                builder.add("description", text, lang)
        elif element == "relation" and qualifier in ("ispartof", "ispartofseries"):
            builder.add("source", text)
        elif element == "format" and qualifier not in ("", "mimetype"):
            continue
        else:
            builder.add(element, text, lang if element in ("title", "subject") else "")
    for _s, _e, _q, text, _l, _a in issued or fallback_dates:
        builder.add("date", text)
    record = builder.crosswalk()
    for person in record.creators + record.contributors:
        person.orcid = person.orcid or orcids.get(person.name, "")
    if embargo:
        record.extra["embargo_end"] = embargo
    if system_dates:
        record.extra["dspace"] = {"dates": system_dates}
    return record
