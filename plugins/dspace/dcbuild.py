"""Build a synthetic ``oai_dc`` element from richer formats, so one set of rules normalises all.

The DIM and MODS crosswalks pick the right values out of their richer source (the issued date
rather than DSpace's accession dates, authors rather than every contributor, ORCID iDs from
authority keys) and hand them to :func:`~hub.normalise.oai_dc.crosswalk_oai_dc` through a
:class:`DCBuilder`; the vocabulary rules (languages, COAR types, licences, links) then apply
exactly as they do for oai_dc.
"""

from __future__ import annotations

from lxml import etree

from hub.normalise.oai_dc import OAI_DC_NS, XML_LANG, crosswalk_oai_dc
from hub.normalise.record import NormalisedRecord

DC_NS = "http://purl.org/dc/elements/1.1/"
DC_ELEMENTS = frozenset({
    "title", "creator", "contributor", "subject", "description", "date", "type", "identifier",
    "language", "rights", "publisher", "source", "relation", "format",
})


class DCBuilder:
    """Collects (element, value, lang) triples and crosswalks them as one oai_dc record."""

    def __init__(self) -> None:
        self.root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS})

    def add(self, element: str, value: str | None, lang: str = "") -> None:
        """Add one value (stripped; empty values and unknown elements are ignored)."""
        text = (value or "").strip()
        if not text or element not in DC_ELEMENTS:
            return
        node = etree.SubElement(self.root, f"{{{DC_NS}}}{element}")
        node.text = _xml_safe(text)
        if lang:
            node.set(XML_LANG, lang.replace("_", "-"))

    def crosswalk(self) -> NormalisedRecord:
        """The normalised record of everything added."""
        return crosswalk_oai_dc(self.root)


def _xml_safe(text: str) -> str:
    """Drop characters lxml refuses (they never come from a well-formed source, but JSON feeds can)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or (ord(ch) >= 0x20 and ch not in "\ufffe\uffff"
                                                             and not 0xD800 <= ord(ch) <= 0xDFFF))
