"""The Source Description (``/.well-known/resourcesync``) and the Capability List of each set."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy.orm import Session

from oai.resourcesync import documents as doc
from oai.resourcesync.documents import Capability
from oai.resourcesync.dumps import latest_dump
from oai.resourcesync.lists import Source
from oai.resourcesync.scopes import live_scopes
from storage.base import ObjectStore

WELL_KNOWN = "/.well-known/resourcesync"


def source_description(settings: Mapping[str, Any], session: Session) -> Iterator[str]:
    """The Source Description: one Capability List per live set (hub, members, repositories)."""
    base = str(settings["BASE_URL"]).rstrip("/")
    entries = (doc.url(f"{base}/resourcesync/{scope.path}/capabilitylist.xml", None,
                       doc.md(capability=Capability.CAPABILITY_LIST),
                       [doc.ln("describedby", f"{base}{_described_by(scope.path)}")])
               for scope in live_scopes(session))
    return doc.urlset(doc.md(capability=Capability.DESCRIPTION), entries,
                      [doc.ln("describedby", f"{base}/about")])


def _described_by(path: str) -> str:
    """The portal page that describes a set."""
    kind, _, key = path.partition("/")
    if kind == "members":
        return f"/institutions/{key}"
    return "/about"


def capability_list(source: Source, store: ObjectStore) -> Iterator[str]:
    """The Capability List of a set: its Resource List, Change List index and (once built) Resource Dump."""
    entries = [doc.url(source.url("resourcelist.xml"), None, doc.md(capability=Capability.RESOURCE_LIST)),
               doc.url(source.url("changelist.xml"), None, doc.md(capability=Capability.CHANGE_LIST))]
    if latest_dump(store, source.scope) is not None:
        entries.append(doc.url(source.url("resourcedump.xml"), None, doc.md(capability=Capability.RESOURCE_DUMP)))
    links = [doc.ln("up", f"{source.base}{WELL_KNOWN}")]
    return doc.urlset(doc.md(capability=Capability.CAPABILITY_LIST), entries, links)
