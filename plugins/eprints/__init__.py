"""The EPrints platform plugin (``eprints``)."""

from __future__ import annotations

from hub.hookspecs import hookimpl
from plugins.eprints.platform import EPrintsPlatform


@hookimpl
def register_platforms():
    return [EPrintsPlatform]
