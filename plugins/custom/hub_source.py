"""Another CHAIR hub as a source: a national hub aggregating regional hubs over OAI-PMH.

The upstream hub's OAI-PMH provider is harvested like any repository (oai_dc unless another
prefix is registered); every record's ``<about><provenance>`` block is kept verbatim in
``NormalisedRecord.extra['provenance']`` so that this hub's provider nests it inside its own
``originDescription``: the chain back to the member repository is never lost. The upstream
record identifier and datestamp stay the record's source identifier and datestamp.
"""

from __future__ import annotations

from lxml import etree

from hub.normalise.record import NormalisedRecord
from hub.platform import HarvestedItem
from oai.xml import safe_parser
from plugins.oai.platform import OAIPlatform

PROVENANCE_TAG = "{http://www.openarchives.org/OAI/2.0/provenance}provenance"


def provenance_of(about: list[str]) -> str:
    """The first ``provenance`` element among a record's ``<about>`` contents, as XML text ('' if none)."""
    for text in about:
        try:
            root = etree.fromstring(text.encode("utf-8"), safe_parser())
        except (etree.XMLSyntaxError, ValueError):
            continue
        node = root if root.tag == PROVENANCE_TAG else root.find(f".//{PROVENANCE_TAG}")
        if node is not None:
            return etree.tostring(node, encoding="unicode", with_tail=False)
    return ""


class HubPlatform(OAIPlatform):
    """An upstream CHAIR hub (or any aggregator exposing OAI provenance)."""

    name = "chair-hub"
    label = "CHAIR hub (aggregator)"
    description = "Another CHAIR hub harvested over OAI-PMH, keeping each record's provenance chain."

    def normalise(self, item: HarvestedItem) -> NormalisedRecord:
        record = super().normalise(item)
        provenance = provenance_of(item.about)
        if provenance:
            record.extra["provenance"] = provenance
        return record
