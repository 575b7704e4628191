"""The generic OAI-PMH platform plugin (``oai``) and the oai_dc crosswalk registration."""

from __future__ import annotations

from hub.hookspecs import hookimpl
from hub.normalise.oai_dc import crosswalk_oai_dc
from plugins.oai.platform import OAIPlatform


@hookimpl
def register_platforms():
    return [OAIPlatform]


@hookimpl
def register_crosswalks():
    return {"oai_dc": crosswalk_oai_dc}
