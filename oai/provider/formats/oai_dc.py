"""``oai_dc``: unqualified Dublin Core, the format every OAI-PMH repository must serve.

Built from ``Record.meta`` (the normalised record), not from the source's XML, so that every
record reads the same whatever its source format. A record needs a title to be served.

Copies and versions of the same work held by other members stay records of their own; each is
named by one ``dc:relation`` holding its hub OAI identifier (``oai:<prefix>:<id>``, the identifier
of its header in this very repository, so a harvester can match it against what it harvested).
Simple Dublin Core cannot say how they are related; ``oai_openaire`` and ``mods`` do.
"""

from __future__ import annotations

from typing import Any

from oai.provider.formats.base import (
    MetadataFormat,
    RenderContext,
    Requirement,
    doi_url,
    lang_strings,
    people,
    strings,
)
from oai.provider.xmltext import element, lang_attr

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
_OPEN = (f'<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="{DC_NS}" '
         'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
         f'xsi:schemaLocation="{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd">')


class OaiDcFormat(MetadataFormat):
    """Simple Dublin Core from the normalised record."""

    prefix = "oai_dc"
    schema = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
    namespace = OAI_DC_NS
    requirements = (Requirement(("titles", 0, "value")),)

    def render(self, record: Any, context: RenderContext) -> str:
        """The ``<oai_dc:dc>`` element of ``record``."""
        meta: dict[str, Any] = record.meta or {}
        parts: list[str] = [_OPEN]
        add = parts.append
        for value, lang in lang_strings(meta.get("titles")):
            add(element("dc:title", value, lang_attr(lang)))
        for person in people(meta.get("creators")):
            add(element("dc:creator", person["name"]))
        for person in people(meta.get("contributors")):
            add(element("dc:contributor", person["name"]))
        for value, lang in lang_strings(meta.get("subjects")):
            add(element("dc:subject", value, lang_attr(lang)))
        for value, lang in lang_strings(meta.get("abstracts")):
            add(element("dc:description", value, lang_attr(lang)))
        for value in strings(meta.get("publisher")):
            add(element("dc:publisher", value))
        issued = meta.get("issued")
        for value in [issued] if issued else strings(meta.get("dates"))[:1]:
            add(element("dc:date", value))
        for value in strings(meta.get("types")):
            add(element("dc:type", value))
        if meta.get("resource_type"):
            add(element("dc:type", meta["resource_type"]))
        for value in strings(meta.get("formats")):
            add(element("dc:format", value))
        for value in identifiers(meta, context, record.id):
            add(element("dc:identifier", value))
        for value in strings(meta.get("source")):
            add(element("dc:source", value))
        for value in strings(meta.get("languages")):
            add(element("dc:language", value))
        for value in strings(meta.get("relations")):
            add(element("dc:relation", value))
        for relation in context.relations_of(record.id):
            add(element("dc:relation", context.oai_identifier(relation.record_id)))
        for right in [*strings(meta.get("rights")), meta.get("license_url"), meta.get("access_rights")]:
            if right:
                add(element("dc:rights", right))
        add("</oai_dc:dc>")
        return "".join(parts)


def identifiers(meta: dict[str, Any], context: RenderContext, record_id: int) -> list[str]:
    """The record's identifiers as dc:identifier values: DOI URL, source identifiers, landing pages."""
    found: list[str] = []
    if meta.get("doi"):
        found.append(doi_url(str(meta["doi"])))
    for item in meta.get("identifiers") or ():
        if isinstance(item, dict) and item.get("value"):
            found.append(str(item["value"]))
    if meta.get("landing_page"):
        found.append(str(meta["landing_page"]))
    record_page = context.record_url(record_id)
    if record_page:
        found.append(record_page)
    return list(dict.fromkeys(found))  # each once, in order
