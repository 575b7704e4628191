"""The ``resourcesync`` platform plugin: members and other hubs that publish ResourceSync (ANSI/NISO Z39.99)."""

from __future__ import annotations

from hub.hookspecs import hookimpl
from plugins.resourcesync.platform import ResourceSyncPlatform


@hookimpl
def register_platforms():
    return [ResourceSyncPlatform]
