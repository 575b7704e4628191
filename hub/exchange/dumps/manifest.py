"""The stored description of a dump: its parts in order, size, record count, sha-256 and date.

A dump is the concatenation of its parts (gzip members); nothing else is stored for it, so a
rebuild that changes one part writes that part and this small manifest only. The manifest sits
at ``dumps/<name>.json``; the dump's bytes are served by streaming its parts in order, and its
``size`` and ``sha256`` are those of exactly these bytes. ``updated`` is when its content last
changed (a rebuild that changed nothing keeps the manifest as it was).

Names: ``hub`` for the whole hub, ``member-<slug>`` for one member.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hub.exchange.dumps.parts import StoredPart
from storage.base import ObjectMissing, ObjectStore

MANIFEST_PREFIX = "dumps/"
HUB_DUMP = "hub"
MEMBER_PREFIX = "member-"
INDEX_KEY = MANIFEST_PREFIX + "index.json"
NAME_RE = re.compile(r"^(?:hub|member-[A-Za-z0-9_-]{1,64})$")


class DumpScope(StrEnum):
    """What a dump covers."""

    HUB = "hub"
    MEMBER = "member"


def member_dump_name(slug: str) -> str:
    """The dump name of a member: ``member-<slug>``."""
    return f"{MEMBER_PREFIX}{slug}"


def valid_name(name: str) -> bool:
    """Whether ``name`` can name a dump (anything else is simply not found)."""
    return bool(NAME_RE.match(name or ""))


def manifest_key(name: str) -> str:
    """Object key of a dump's manifest."""
    if not valid_name(name):
        raise ValueError(f"{name!r} is not a dump name")
    return f"{MANIFEST_PREFIX}{name}.json"


@dataclass
class DumpManifest:
    """One dump: the parts it is made of, in order, and the figures of their concatenation."""

    name: str
    scope: DumpScope
    member: str | None
    parts: list[StoredPart]
    sha256: str
    updated: str  # ISO 8601 UTC, when the content last changed
    superseded: list[str] = field(default_factory=list)  # parts of the previous version, kept one generation

    @property
    def records(self) -> int:
        return sum(p.records for p in self.parts)

    @property
    def deleted(self) -> int:
        return sum(p.deleted for p in self.parts)

    @property
    def size(self) -> int:
        return sum(p.size for p in self.parts)

    @property
    def file_name(self) -> str:
        return f"{self.name}.jsonl.gz"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "scope": self.scope.value, "member": self.member, "records": self.records,
                "deleted": self.deleted, "size": self.size, "sha256": self.sha256, "updated": self.updated,
                "parts": [p.to_dict() for p in self.parts], "superseded": self.superseded}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DumpManifest:
        parts = [StoredPart(p["key"], int(p["records"]), int(p.get("deleted", 0)), int(p["size"]), p["sha256"])
                 for p in data["parts"]]
        return cls(data["name"], DumpScope(data["scope"]), data.get("member"), parts, data["sha256"],
                   data["updated"], list(data.get("superseded", [])))


def save_manifest(store: ObjectStore, manifest: DumpManifest) -> None:
    """Store the manifest (the dump's new version is visible from now on)."""
    body = json.dumps(manifest.to_dict(), ensure_ascii=False, indent=1).encode()
    store.put_bytes(manifest_key(manifest.name), body, "application/json")


def load_manifest(store: ObjectStore, name: str) -> DumpManifest | None:
    """The manifest of dump ``name``, or None (no such dump, or a name no dump can have)."""
    if not valid_name(name):
        return None
    try:
        return DumpManifest.from_dict(json.loads(store.get_bytes(manifest_key(name), max_bytes=64 * 1024 * 1024)))
    except ObjectMissing:
        return None


def dump_names(store: ObjectStore) -> list[str]:
    """Names of the stored dumps, the hub's first, from the index ``dumps/index.json`` (listing the
    store's keys would walk every stored file on a local store)."""
    try:
        names = json.loads(store.get_bytes(INDEX_KEY, max_bytes=16 * 1024 * 1024))
    except ObjectMissing:
        return []
    return sorted((n for n in names if isinstance(n, str) and valid_name(n)), key=lambda n: (n != HUB_DUMP, n))


def save_index(store: ObjectStore, names: list[str]) -> bool:
    """Store the index of dump names when it changed; True if it was written."""
    wanted = sorted(set(names), key=lambda n: (n != HUB_DUMP, n))
    if dump_names(store) == wanted and store.exists(INDEX_KEY):
        return False
    store.put_bytes(INDEX_KEY, json.dumps(wanted).encode(), "application/json")
    return True


def delete_manifest(store: ObjectStore, name: str) -> bool:
    """Remove a dump's manifest (a member that left); True if it existed."""
    return store.delete(manifest_key(name))


def list_manifests(store: ObjectStore) -> list[DumpManifest]:
    """Every stored dump's manifest (the hub's first)."""
    found = (load_manifest(store, name) for name in dump_names(store))
    return [m for m in found if m is not None]


def dump_chunks(store: ObjectStore, manifest: DumpManifest) -> Iterator[bytes]:
    """The dump's bytes: its parts streamed in order (memory stays at one chunk)."""
    for part in manifest.parts:
        yield from store.iter_chunks(part.key)
