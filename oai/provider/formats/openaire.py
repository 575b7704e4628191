"""``oai_openaire``: the OpenAIRE Guidelines for Literature Repositories v4 (application profile).

Mandatory fields of the guidelines are required of a record before it is served in this format:
a title, a creator, a publication date, a resource type from the COAR vocabulary version the
schema enumerates, and a COAR access right. The resource identifier, also mandatory, is always
available: the DOI, else a Handle, else the landing page, else the hub's own record page.
Creators carry their ORCID as ``nameIdentifier`` when the source gave one; open-access files
known from ``Record.fulltext_links`` are listed as ``oaire:file``.

Copies and versions of the same work held by other members are ``datacite:relatedIdentifier``s,
with the DataCite relation type of :func:`hub.works.api.relations_for` (``IsIdenticalTo``,
``IsVersionOf``, ``HasVersion``): each related record by the URL of its hub record page
(``relatedIdentifierType="URL"``), and its DOI as well (``"DOI"``, once per DOI) when it has one
other than the record's own.
"""

from __future__ import annotations

from typing import Any

from hub.normalise.coar import COAR_RESOURCE_TYPE, RESOURCE_TYPE_LABELS
from hub.normalise.rights import ACCESS_RIGHT_LABELS, OPEN_ACCESS
from oai.provider.formats.base import (
    MetadataFormat,
    RenderContext,
    Requirement,
    lang_strings,
    people,
    strings,
)
from oai.provider.xmltext import attr, element, lang_attr, text

OAIRE_NS = "http://namespace.openaire.eu/schema/oaire/"
DATACITE_NS = "http://datacite.org/schema/kernel-4"
_OPEN = (f'<oaire:resource xmlns:oaire="{OAIRE_NS}" xmlns:datacite="{DATACITE_NS}" '
         'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
         f'xsi:schemaLocation="{OAIRE_NS} https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd">')

# COAR resource types enumerated by oaire-resourceType-v4.xsd (COAR Resource Types 1.1).
OPENAIRE_RESOURCE_CODES = frozenset((
    "c_1162 c_0640 c_6501 c_b239 c_7a1f c_86bc c_2f33 c_3248 c_ba08 c_7ad9 c_e9a0 c_f744 c_c94f c_5794 "
    "c_6670 c_3e5a c_beb9 c_ddb1 c_db06 c_c513 c_8544 c_0857 c_bdcc c_8a7e c_2659 c_545b c_1843 c_15cd "
    "c_816b c_93fc c_ba1f c_baaf c_efa0 c_5ce6 c_ecc8 c_71bd c_393c c_8042 c_46ec c_12cc c_12cd c_12ce "
    "c_18cc c_18cd c_18cf c_18cp c_18co c_18cw c_18ww c_18wz c_18wq c_186u c_18op c_18hj c_18ws c_18gh "
    "c_dcae04bc c_2df8fbb1").split())
OPENAIRE_RESOURCE_TYPES = frozenset(COAR_RESOURCE_TYPE + code for code in OPENAIRE_RESOURCE_CODES)
_GENERAL_DATASET = {"c_ddb1"}
_GENERAL_SOFTWARE = {"c_5ce6"}
_GENERAL_OTHER = {"c_7ad9", "c_e9a0", "c_c513", "c_8a7e", "c_ecc8", "c_393c", "c_12cc", "c_12cd", "c_12ce",
                  "c_18cc", "c_18cd", "c_18cw", "c_1843", "c_15cd"}
_IDENTIFIER_TYPES = {"doi": "DOI", "handle": "HANDLE", "url": "URL", "urn": "URN", "ark": "ARK", "purl": "PURL"}
_ALTERNATE_TYPES = {"doi": "DOI", "handle": "Handle", "url": "URL", "urn": "URN", "isbn": "ISBN",
                    "issn": "ISSN", "ark": "ARK", "purl": "PURL", "other": "Local"}
ORCID_URI = "https://orcid.org/"


def resource_type_general(code: str) -> str:
    """OpenAIRE's resourceTypeGeneral of a COAR resource-type code."""
    if code in _GENERAL_DATASET:
        return "dataset"
    if code in _GENERAL_SOFTWARE:
        return "software"
    if code in _GENERAL_OTHER:
        return "other research product"
    return "literature"


def primary_identifier(meta: dict[str, Any], context: RenderContext, record_id: int) -> tuple[str, str]:
    """``(identifierType, value)`` of the resource: DOI, Handle, landing page, or the hub's page."""
    if meta.get("doi"):
        return "DOI", str(meta["doi"])
    for item in meta.get("identifiers") or ():
        if isinstance(item, dict) and item.get("scheme") == "handle" and item.get("value"):
            return "HANDLE", str(item["value"])
    if meta.get("landing_page"):
        return "URL", str(meta["landing_page"])
    for item in meta.get("identifiers") or ():
        if isinstance(item, dict) and item.get("scheme") in _IDENTIFIER_TYPES and item.get("value"):
            return _IDENTIFIER_TYPES[item["scheme"]], str(item["value"])
    return "URL", context.record_url(record_id)


class OpenAireFormat(MetadataFormat):
    """OpenAIRE Guidelines for Literature Repositories v4 from the normalised record."""

    prefix = "oai_openaire"
    schema = "https://www.openaire.eu/schema/repo-lit/4.0/openaire.xsd"
    namespace = OAIRE_NS
    requirements = (
        Requirement(("titles", 0, "value")),
        Requirement(("creators", 0, "name")),
        Requirement(("issued",)),
        Requirement(("resource_type",), OPENAIRE_RESOURCE_TYPES),
        Requirement(("access_rights",), frozenset(ACCESS_RIGHT_LABELS)),
    )

    def render(self, record: Any, context: RenderContext) -> str:
        """The ``<oaire:resource>`` element of ``record``."""
        meta: dict[str, Any] = record.meta or {}
        parts: list[str] = [_OPEN]
        add = parts.append
        titles = [element("datacite:title", value, lang_attr(lang)) for value, lang in lang_strings(meta.get("titles"))]
        add("<datacite:titles>" + "".join(titles) + "</datacite:titles>")
        add(_persons("creator", people(meta.get("creators"))))
        contributors = people(meta.get("contributors"))
        if contributors:
            add(_persons("contributor", contributors))
        for value in strings(meta.get("languages")):
            add(element("dc:language", value))
        for value in strings(meta.get("publisher")):
            add(element("dc:publisher", value))
        add('<datacite:dates>' + element("datacite:date", meta["issued"], ' dateType="Issued"')
            + _embargo_dates(record) + "</datacite:dates>")
        code = str(meta["resource_type"]).rpartition("/")[2]
        label = meta.get("resource_type_label") or RESOURCE_TYPE_LABELS.get(code, "").split("|")[0] or code
        add(f'<oaire:resourceType resourceTypeGeneral="{resource_type_general(code)}" '
            f'uri="{attr(meta["resource_type"])}">{text(label)}</oaire:resourceType>')
        for value, lang in lang_strings(meta.get("abstracts")):
            add(element("dc:description", value, lang_attr(lang)))
        formats = strings(meta.get("formats")) + [str(f.get("mime_type")) for f in _files(record)
                                                  if f.get("mime_type")]
        for value in dict.fromkeys(formats):
            add(element("dc:format", value))
        id_type, id_value = primary_identifier(meta, context, record.id)
        add(element("datacite:identifier", id_value, f' identifierType="{id_type}"'))
        add(_alternate_identifiers(meta, id_value))
        add(_related_identifiers(meta, context, record.id))
        access = meta["access_rights"]
        add(f'<datacite:rights rightsURI="{attr(access)}">{text(ACCESS_RIGHT_LABELS[access])}</datacite:rights>')
        for value in strings(meta.get("source")):
            add(element("dc:source", value))
        subjects = [element("datacite:subject", value, lang_attr(lang))
                    for value, lang in lang_strings(meta.get("subjects"))]
        if any(subjects):
            add("<datacite:subjects>" + "".join(subjects) + "</datacite:subjects>")
        for link in _files(record):
            if link.get("access", "open") == "open" and link.get("url"):
                mime = f' mimeType="{attr(link["mime_type"])}"' if link.get("mime_type") else ""
                add(element("oaire:file", link["url"], f' accessRightsURI="{OPEN_ACCESS}"{mime} objectType="fulltext"'))
        if meta.get("license_url"):
            add(element("oaire:licenseCondition", meta["license_url"], f' uri="{attr(meta["license_url"])}"'))
        add("</oaire:resource>")
        return "".join(parts)


def _files(record: Any) -> list[dict[str, Any]]:
    return [f for f in getattr(record, "fulltext_links", None) or () if isinstance(f, dict)]


def _embargo_dates(record: Any) -> str:
    ends = sorted({str(f["embargo_until"]) for f in _files(record) if f.get("embargo_until")})
    return element("datacite:date", ends[-1], ' dateType="Available"') if ends else ""


def _persons(role: str, persons: list[dict[str, str]]) -> str:
    out = [f"<datacite:{role}s>"]
    extra = ' contributorType="Other"' if role == "contributor" else ""
    for person in persons:
        if not text(person["name"]):
            continue
        out.append(f"<datacite:{role}{extra}>")
        if person.get("organisation"):  # an organisation among the creators: no given or family name
            out.append(element(f"datacite:{role}Name", person["name"], ' nameType="Organizational"'))
        else:
            out.append(element(f"datacite:{role}Name", person["name"], ' nameType="Personal"'))
            out.append(element("datacite:givenName", person.get("given", "")))
            out.append(element("datacite:familyName", person.get("family", "")))
        if person.get("orcid"):
            out.append(element("datacite:nameIdentifier", person["orcid"],
                               f' nameIdentifierScheme="ORCID" schemeURI="{ORCID_URI}"'))
        out.append(element("datacite:affiliation", person.get("affiliation", "")))
        out.append(f"</datacite:{role}>")
    out.append(f"</datacite:{role}s>")
    return "".join(out)


def _alternate_identifiers(meta: dict[str, Any], primary: str) -> str:
    found: dict[str, str] = {}
    for item in meta.get("identifiers") or ():
        if isinstance(item, dict) and item.get("value") and str(item["value"]) != primary:
            found.setdefault(str(item["value"]), _ALTERNATE_TYPES.get(str(item.get("scheme")), "Local"))
    if meta.get("landing_page") and meta["landing_page"] != primary:
        found.setdefault(str(meta["landing_page"]), "URL")
    items = [element("datacite:alternateIdentifier", value, f' alternateIdentifierType="{kind}"')
             for value, kind in found.items()]
    items = [item for item in items if item]
    return "<datacite:alternateIdentifiers>" + "".join(items) + "</datacite:alternateIdentifiers>" if items else ""


def _related_identifiers(meta: dict[str, Any], context: RenderContext, record_id: int) -> str:
    """``datacite:relatedIdentifiers`` naming the other records of the record's work (see the module)."""
    own_doi = str(meta.get("doi") or "").lower()
    seen_dois: set[str] = set()
    items: list[str] = []
    for relation in context.relations_of(record_id):
        kind = f' relationType="{attr(relation.type)}"'
        items.append(element("datacite:relatedIdentifier", context.record_url(relation.record_id),
                             f' relatedIdentifierType="URL"{kind}'))
        doi = relation.doi.lower()
        if doi and doi != own_doi and doi not in seen_dois:
            seen_dois.add(doi)
            items.append(element("datacite:relatedIdentifier", relation.doi, f' relatedIdentifierType="DOI"{kind}'))
    items = [item for item in items if item]
    return "<datacite:relatedIdentifiers>" + "".join(items) + "</datacite:relatedIdentifiers>" if items else ""
