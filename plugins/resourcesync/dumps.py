"""Full harvests through a Resource Dump: zip packages with a manifest instead of one request a resource.

A Resource Dump (``rs:md capability="resourcedump"``) lists packages; each is a ZIP file holding
``manifest.xml``, a Resource Dump Manifest (``resourcedump-manifest``) whose entries name each
resource's URI, its ``rs:md path`` inside the package, hash and length. A package is downloaded
to a spooled temporary file (at most ``FILE_MAX_BYTES``), its own declared hash and length
verified (a mismatch fails the run resumably: the source must mend it), then its resources are
read from the package and verified one by one like fetched resources (a mismatch is an item
error keeping the bytes). Members larger than ``HARVEST_MAX_PAGE_BYTES`` uncompressed are item
errors, never read whole. Checkpoints are the package reached and the position in its manifest.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from hub.http import CHUNK_SIZE, HarvestError, ResponseTooLarge
from hub.platform import HarvestedItem, Notice, Page
from plugins.resourcesync.documents import RsEntry, digest_matches, parse_document
from plugins.resourcesync.records import ResourceFault, declared_kind, wanted_kind

if TYPE_CHECKING:
    from plugins.resourcesync.platform import ResourceSyncPlatform

MANIFEST = "manifest.xml"
SPOOL_BYTES = 8 * 1024 * 1024


class BrokenPackage(HarvestError):
    """A dump package that cannot be used: not a ZIP, no manifest, or not the bytes the dump declares."""


def download_package(platform: ResourceSyncPlatform, package: dict[str, str]) -> IO[bytes]:
    """The verified bytes of one package, in a spooled temporary file (the caller closes it)."""
    cap = platform.http.settings.FILE_MAX_BYTES
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned to the caller
    digests = {"md5": hashlib.md5(), "sha-1": hashlib.sha1(), "sha-256": hashlib.sha256()}
    size = 0
    with platform.http.stream(package["loc"], max_bytes=cap) as response:
        for chunk in response.iter_content(CHUNK_SIZE):
            size += len(chunk)
            if size > cap:
                spool.close()
                raise ResponseTooLarge(f"the dump package {package['loc']} is larger than FILE_MAX_BYTES={cap:,}")
            spool.write(chunk)
            for digest in digests.values():
                digest.update(chunk)
    problem = _package_problem(package, size, digests)
    if problem:
        spool.close()
        raise BrokenPackage(f"the dump package {package['loc']} does not verify: {problem}")
    spool.seek(0)
    return spool


def _package_problem(package: dict[str, str], size: int, digests: dict[str, Any]) -> str:
    """What differs between a downloaded package and the hash and length its dump declares ('' if nothing)."""
    length = package.get("length", "")
    if length.isdigit() and int(length) != size:
        return f"declared length {int(length):,} bytes, received {size:,}"
    for token in package.get("hash", "").split():
        algorithm, _, value = token.partition(":")
        digest = digests.get(algorithm.lower())
        if digest is not None and value and not digest_matches(value, digest.digest()):
            return f"declared {algorithm} {value}, received {digest.hexdigest()}"
    return ""


def _member(archive: zipfile.ZipFile, entry: RsEntry, cap: int) -> bytes | HarvestedItem:
    """The bytes of an entry's file in the package, or the item error saying why there are none."""
    path = entry.md.get("path", "").lstrip("/")
    try:
        info = archive.getinfo(path)
    except KeyError:
        return HarvestedItem(entry.loc, error=f"{entry.loc}: the package holds no {path!r}",
                             error_kind=ResourceFault.UNAVAILABLE)
    if info.file_size > cap:
        return HarvestedItem(entry.loc, error=f"{entry.loc}: {info.file_size:,} bytes in the package, more than "
                             f"HARVEST_MAX_PAGE_BYTES={cap:,}", error_kind=ResourceFault.UNREADABLE)
    with archive.open(info) as member:
        body = member.read(cap + 1)  # the declared size may lie: never more than the cap is read
    if len(body) > cap:
        return HarvestedItem(entry.loc, error=f"{entry.loc}: more than HARVEST_MAX_PAGE_BYTES={cap:,} bytes "
                             "in the package", error_kind=ResourceFault.UNREADABLE)
    return body


def gather_dump(platform: ResourceSyncPlatform, plan: dict[str, Any], index: int, position: int, last_loc: str,
                mark: str, notices: list[Notice]) -> Iterator[Page]:
    """Pages of the resources of the dump's packages, from package ``index`` and manifest ``position``."""
    cap = platform.http.settings.HARVEST_MAX_PAGE_BYTES
    wanted = wanted_kind(platform.source.metadata_prefix)
    packages = plan["lists"]
    for package_index in range(index, len(packages)):
        package = packages[package_index]
        spool = download_package(platform, package)
        try:
            try:
                archive = zipfile.ZipFile(spool)
                manifest = parse_document(archive.read(MANIFEST), f"{package['loc']}#{MANIFEST}",
                                          ("resourcedump-manifest",))
            except (zipfile.BadZipFile, KeyError) as exc:
                raise BrokenPackage(f"the dump package {package['loc']} is not a ZIP with a {MANIFEST}: {exc}") from exc
            entries = manifest.entries
            start = position if package_index == index else 0
            if start and (start > len(entries) or entries[start - 1].loc != last_loc):
                notices.append(Notice("list-changed", f"{package['loc']} changed since the interrupted harvest: "
                                      "read again from its start"))
                start = 0
            last = package_index == len(packages) - 1
            for first in range(start, max(len(entries), start + 1), platform.page_size):
                chunk = entries[first:first + platform.page_size]
                items = []
                for entry in chunk:
                    kind = declared_kind(entry.md.get("type", ""))
                    if not entry.loc or (kind and kind != wanted):
                        continue
                    body = _member(archive, entry, cap)
                    items.append(body if isinstance(body, HarvestedItem) else platform.verified_item(entry, body))
                end = first + len(chunk)
                yield Page(items=items, response_date=mark, notices=notices,
                           checkpoint={**plan, "index": package_index, "position": end,
                                       "last_loc": chunk[-1].loc if chunk else "",
                                       "done": last and end >= len(entries)})
                notices = []
        finally:
            spool.close()


def dump_packages(entries: list[RsEntry]) -> list[dict[str, str]]:
    """The packages of a Resource Dump, as the plan stores them (location, declared hash and length)."""
    return [{"loc": e.loc, "hash": e.md.get("hash", ""), "length": e.md.get("length", "")} for e in entries if e.loc]
