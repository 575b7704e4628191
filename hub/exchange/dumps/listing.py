"""What the portal page ``/data`` and the API ``/api/v1/dumps`` say about the dumps.

One listing for both: each dump's name, what it covers, its record and tombstone counts, size in
bytes, sha-256 of exactly the bytes served, date of its last change and stable download URL
(``/data/dumps/<name>.jsonl.gz``), and the licence of the metadata (``METADATA_LICENSE``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hub.exchange.dumps.manifest import DumpManifest, list_manifests

if TYPE_CHECKING:
    from hub.context import Hub

DUMP_FORMAT = "application/x-ndjson+gzip"


@dataclass(frozen=True)
class License:
    """The licence of the hub's metadata: an SPDX identifier and its page."""

    id: str
    url: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "url": self.url}


def metadata_license(settings: Mapping[str, Any]) -> License:
    """The licence named by ``METADATA_LICENSE`` (an SPDX identifier; its SPDX page as the URL)."""
    spdx = str(settings["METADATA_LICENSE"]).strip() or "CC0-1.0"
    return License(spdx, f"https://spdx.org/licenses/{spdx}.html")


def download_path(manifest: DumpManifest) -> str:
    """The stable path of a dump's download."""
    return f"/data/dumps/{manifest.file_name}"


def entry(manifest: DumpManifest, base_url: str) -> dict[str, Any]:
    """The public description of one dump."""
    return {"name": manifest.name, "scope": manifest.scope.value, "member": manifest.member,
            "records": manifest.records, "deleted": manifest.deleted, "size": manifest.size,
            "sha256": manifest.sha256, "updated": manifest.updated, "format": DUMP_FORMAT,
            "url": base_url.rstrip("/") + download_path(manifest)}


def listing(hub: Hub) -> dict[str, Any]:
    """Every stored dump (the hub's first) and the licence of the metadata."""
    base = str(hub.settings["BASE_URL"])
    return {"license": metadata_license(hub.settings).to_dict(),
            "items": [entry(m, base) for m in list_manifests(hub.store)]}
