"""``mods``: MODS 3.8 (Library of Congress) from the normalised record.

Titles (the first as the main title, the others as translated titles), personal names with their
role and ORCID, the COAR resource type as ``genre``, publisher and issue date, languages
(ISO 639-3), abstracts, subjects, identifiers, the landing page and open files as ``location``,
rights as ``accessCondition``, the container (journal, proceedings) as a host ``relatedItem``.
A record needs a title to be served.

Copies and versions of the same work held by other members are ``relatedItem type="otherVersion"``
(``otherType`` carrying the DataCite relation type of :func:`hub.works.api.relations_for`, with
``otherTypeAuth="datacite"``), each with the URL of its hub record page as ``identifier type="uri"``,
its DOI when it has one, and its hub OAI identifier as ``recordInfo/recordIdentifier`` (as the
record's own ``recordInfo`` does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub.normalise.rights import ACCESS_RIGHT_LABELS
from oai.provider.formats.base import (
    MetadataFormat,
    RenderContext,
    Requirement,
    doi_url,
    lang_strings,
    people,
    strings,
)
from oai.provider.xmltext import attr, element, text, uri

if TYPE_CHECKING:
    from hub.works.api import Relation

MODS_NS = "http://www.loc.gov/mods/v3"
_OPEN = (f'<mods xmlns="{MODS_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="3.8" '
         f'xsi:schemaLocation="{MODS_NS} http://www.loc.gov/standards/mods/v3/mods-3-8.xsd">')
_TYPE_OF_RESOURCE = {
    "c_12cd": "cartographic", "c_12cc": "cartographic", "c_18cw": "notated music",
    "c_18cc": "sound recording", "c_18cd": "sound recording", "c_ecc8": "still image", "c_c513": "still image",
    "c_12ce": "moving image", "c_8a7e": "moving image", "c_5ce6": "software, multimedia",
    "c_ddb1": "software, multimedia", "c_e9a0": "software, multimedia", "c_7ad9": "software, multimedia",
}
_IDENTIFIER_TYPES = {"doi": "doi", "handle": "hdl", "url": "uri", "isbn": "isbn", "issn": "issn", "urn": "urn"}


def _lang(lang: str) -> str:
    return f' lang="{attr(lang)}"' if text(lang) else ""


class ModsFormat(MetadataFormat):
    """MODS 3.8 from the normalised record."""

    prefix = "mods"
    schema = "http://www.loc.gov/standards/mods/v3/mods-3-8.xsd"
    namespace = MODS_NS
    requirements = (Requirement(("titles", 0, "value")),)

    def render(self, record: Any, context: RenderContext) -> str:
        """The ``<mods>`` element of ``record``."""
        meta: dict[str, Any] = record.meta or {}
        parts: list[str] = [_OPEN]
        add = parts.append
        for index, (value, lang) in enumerate(lang_strings(meta.get("titles"))):
            kind = ' type="translated"' if index else ""
            title = element("title", value)
            if title:
                add(f"<titleInfo{kind}{_lang(lang)}>{title}</titleInfo>")
        for role, persons in (("author", meta.get("creators")), ("contributor", meta.get("contributors"))):
            for person in people(persons):
                add(_name(person, role))
        code = str(meta.get("resource_type") or "").rpartition("/")[2]
        add(element("typeOfResource", _TYPE_OF_RESOURCE.get(code, "text")))
        if meta.get("resource_type"):
            add(element("genre", meta.get("resource_type_label") or code,
                        f' authority="coar" valueURI="{attr(meta["resource_type"])}"'))
        for value in strings(meta.get("types")):
            add(element("genre", value))
        origin = "".join(element("publisher", value) for value in strings(meta.get("publisher")))
        if meta.get("issued"):
            origin += element("dateIssued", meta["issued"], ' encoding="w3cdtf" keyDate="yes"')
        if origin:
            add(f"<originInfo>{origin}</originInfo>")
        for value in strings(meta.get("languages")):
            term = element("languageTerm", value, ' type="code" authority="iso639-3"')
            if term:
                add(f"<language>{term}</language>")
        for value, lang in lang_strings(meta.get("abstracts")):
            add(element("abstract", value, _lang(lang)))
        for value, lang in lang_strings(meta.get("subjects")):
            topic = element("topic", value)
            if topic:
                add(f"<subject{_lang(lang)}>{topic}</subject>")
        for source in strings(meta.get("source")):
            title = element("title", source)
            if title:
                add(f'<relatedItem type="host"><titleInfo>{title}</titleInfo></relatedItem>')
        for relation in context.relations_of(record.id):
            add(_other_version(relation, context))
        if meta.get("doi"):
            add(element("identifier", meta["doi"], ' type="doi"'))
        for item in meta.get("identifiers") or ():
            if isinstance(item, dict) and item.get("value") and item.get("value") != meta.get("doi"):
                kind = _IDENTIFIER_TYPES.get(str(item.get("scheme")), "local")
                add(element("identifier", item["value"], f' type="{kind}"'))
        add(_location(record, meta, context))
        for value in strings(meta.get("rights")):
            add(element("accessCondition", value, ' type="use and reproduction"'))
        if meta.get("license_url"):
            add(element("accessCondition", meta["license_url"], ' type="use and reproduction"'))
        if meta.get("access_rights") in ACCESS_RIGHT_LABELS:
            add(element("accessCondition", ACCESS_RIGHT_LABELS[meta["access_rights"]],
                        f' type="restriction on access" authorityURI="http://purl.org/coar/access_right/"'
                        f' valueURI="{attr(meta["access_rights"])}"'))
        add(f"<recordInfo>{element('recordIdentifier', 'oai:' + context.identifier_prefix + ':' + str(record.id))}"
            "</recordInfo>")
        add("</mods>")
        return "".join(parts)


def _other_version(relation: Relation, context: RenderContext) -> str:
    """The ``relatedItem`` of another record of the work (see the module docstring)."""
    parts = [element("identifier", context.record_url(relation.record_id), ' type="uri"')]
    if relation.doi:
        parts.append(element("identifier", relation.doi, ' type="doi"'))
    parts.append(f"<recordInfo>{element('recordIdentifier', context.oai_identifier(relation.record_id))}"
                 "</recordInfo>")
    return (f'<relatedItem type="otherVersion" otherType="{attr(relation.type)}" otherTypeAuth="datacite">'
            f'{"".join(parts)}</relatedItem>')


def _name(person: dict[str, str], role: str) -> str:
    parts = []
    if person.get("family") and person.get("given"):
        parts.append(element("namePart", person["family"], ' type="family"'))
        parts.append(element("namePart", person["given"], ' type="given"'))
    else:
        parts.append(element("namePart", person["name"]))
    if person.get("orcid"):
        parts.append(element("nameIdentifier", person["orcid"], ' type="orcid"'))
    parts.append(element("affiliation", person.get("affiliation", "")))
    parts.append(f'<role><roleTerm type="text" authority="marcrelator">{role}</roleTerm></role>')
    kind = "corporate" if person.get("organisation") else "personal"
    return f'<name type="{kind}">{"".join(parts)}</name>'


def _location(record: Any, meta: dict[str, Any], context: RenderContext) -> str:
    urls: list[str] = []
    primary = meta.get("landing_page") or (doi_url(meta["doi"]) if meta.get("doi") else "") \
        or context.record_url(record.id)
    if primary and uri(primary):
        urls.append(f'<url usage="primary" access="object in context">{uri(primary)}</url>')
    for link in getattr(record, "fulltext_links", None) or ():
        if isinstance(link, dict) and link.get("url") and link.get("access", "open") == "open" and uri(link["url"]):
            urls.append(f'<url access="raw object">{uri(link["url"])}</url>')
    return f"<location>{''.join(urls)}</location>" if urls else ""
