"""Custom OAI-PMH sources: any format (mods, marcxml, a local schema) read by an XPath mapping.

``Repository.options``::

    {"namespaces": {"marc": "http://www.loc.gov/MARC21/slim"},
     "fields": {"titles": "marc:datafield[@tag='245']/marc:subfield[@code='a']",
                "creators": "marc:datafield[@tag='100' or @tag='700']/marc:subfield[@code='a']",
                "dates": "marc:datafield[@tag='260']/marc:subfield[@code='c']", ...}}

XPaths are evaluated on the element inside ``<metadata>``. A field may also be an object naming
how the texts of a selected element's children are joined (a space by default) and whether MARC
trailing punctuation is trimmed::

    "creators": {"xpath": "marc:datafield[@tag='100' or @tag='700']", "separator": ", "}

so that ``<subfield code="a">Röglin</subfield><subfield code="b">Heiko</subfield>`` reads
``Röglin, Heiko``, never ``RöglinHeiko``. The mapping is compiled and checked when the repository
is saved (see :mod:`plugins.custom.mapping`, which documents the rules).
"""

from __future__ import annotations

from typing import Any

from hub.normalise.record import NormalisedRecord
from hub.platform import HarvestedItem
from plugins.custom.mapping import apply_xpaths, compile_xpaths, validate_xpath_mapping
from plugins.oai.platform import OAIPlatform


class MappedOAIPlatform(OAIPlatform):
    """An OAI-PMH repository whose format is read through a declarative XPath mapping."""

    name = "oai-mapped"
    label = "OAI-PMH with a field mapping"
    description = "Any OAI-PMH format (mods, marcxml, local schemas) read by XPaths given in the options."

    @classmethod
    def validate_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        """Refuse a mapping with unknown fields or XPaths that do not compile."""
        return validate_xpath_mapping(options)

    def normalise(self, item: HarvestedItem) -> NormalisedRecord:
        if item.metadata is None:
            raise ValueError("record has no metadata")
        if not hasattr(self, "_compiled"):
            self._compiled = compile_xpaths(self.source.options)
        record = apply_xpaths(self._compiled, item.metadata)
        return record
