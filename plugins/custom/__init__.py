"""Custom sources: OAI-PMH with a field mapping (``oai-mapped``), JSON-lines/CSV feeds (``feed``)
and other CHAIR hubs (``chair-hub``)."""

from __future__ import annotations

from hub.hookspecs import hookimpl
from plugins.custom.feed import FeedPlatform
from plugins.custom.hub_source import HubPlatform
from plugins.custom.oai_mapped import MappedOAIPlatform


@hookimpl
def register_platforms():
    return [MappedOAIPlatform, FeedPlatform, HubPlatform]
