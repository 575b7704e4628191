"""Resource Dumps: zip packages of a set's resources with a Resource Dump Manifest.

``chair resourcesync dump [--member SLUG]`` builds the dump of the whole hub (or of one member)
into the object store: a zip holding ``manifest.xml`` (``capability="resourcedump-manifest"``:
each resource's URL, datestamp, hash, length, type and ``path`` in the zip) and the resources
themselves (``records/<id>.xml``, ``records/<id>.json``, ``files/<sha256>``), the same bytes the
hub serves at those URLs. The zip is written to a temporary file (resources streamed in, never
held whole) and put under ``resourcesync/dumps/<set>/<fingerprint>.zip``; a small pointer
(``latest.json``) names it with its md5, sha-256, length and times, and the Resource Dump
document (``capability="resourcedump"``) is written from that pointer.

A dump is reused while nothing changed: its fingerprint digests the set's state (live records,
latest hub datestamp, highest id, served files, tombstones); the same fingerprint and the object
still in the store mean the dump is current. The dump before the current one is kept (a client
may still be downloading it), older ones are deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.models import Record, StoredFile, utcnow
from oai.resourcesync import documents as doc
from oai.resourcesync.digests import file_md5s
from oai.resourcesync.documents import Capability
from oai.resourcesync.lists import Source, file_md
from oai.resourcesync.resources import file_rows, record_views, served_condition
from oai.resourcesync.scopes import Scope
from storage.base import ObjectMissing, ObjectStore, file_key

DUMPS = "resourcesync/dumps"
FORMAT_VERSION = "1"  # part of the fingerprint: a change of the dump's layout makes a new dump
ZIP_TYPE = "application/zip"


@dataclass(frozen=True)
class DumpInfo:
    """A built dump: its name, object keys, digests, size, times and what it holds."""

    name: str
    key: str
    manifest_key: str
    md5: str
    sha256: str
    length: int
    at: str
    completed: str
    fingerprint: str
    resources: int
    reused: bool = False

    @property
    def hash(self) -> str:
        """The ``hash`` attribute value of the zip."""
        return f"md5:{self.md5} sha-256:{self.sha256}"


def pointer_key(scope: Scope) -> str:
    """The key of the pointer naming a set's current dump."""
    return f"{DUMPS}/{scope.slug}/latest.json"


def latest_dump(store: ObjectStore, scope: Scope) -> DumpInfo | None:
    """The current dump of a set (None when none was built, or its object is gone)."""
    try:
        data = json.loads(store.get_bytes(pointer_key(scope), max_bytes=64 * 1024))
        info = DumpInfo(**{k: v for k, v in data.items() if k != "reused"})
    except (ObjectMissing, FileNotFoundError, ValueError, TypeError):
        return None
    return info if store.exists(info.key) else None


def fingerprint(session: Session, scope: Scope) -> str:
    """A digest of the set's state: it changes whenever a record or a served file comes, goes or changes."""
    where = scope.records()
    live = session.execute(select(func.count(), func.max(Record.hub_datestamp), func.max(Record.id))
                           .where(Record.deleted.is_(False), *where)).one()
    dead = session.execute(select(func.count(), func.max(Record.hub_datestamp))
                           .where(Record.deleted.is_(True), *where)).one()
    files = session.execute(select(func.count(), func.max(StoredFile.created_at))
                            .where(served_condition(scope))).one()
    state = "|".join(str(v) for v in (FORMAT_VERSION, scope.path, *live, *dead, *files))
    return hashlib.sha256(state.encode()).hexdigest()


def build_dump(settings: Mapping[str, Any], session: Session, store: ObjectStore, scope: Scope,
               *, force: bool = False) -> DumpInfo:
    """Build (or reuse) the Resource Dump of ``scope`` in the object store."""
    mark = fingerprint(session, scope)
    current = latest_dump(store, scope)
    if current is not None and current.fingerprint == mark and not force:
        return DumpInfo(**{**asdict(current), "reused": True})
    source = Source(settings, session, scope, store)
    at = utcnow()
    name = f"{at.strftime('%Y%m%dT%H%M%SZ')}-{mark[:12]}"
    folder = f"{DUMPS}/{scope.slug}"
    handle, path = tempfile.mkstemp(suffix=".zip")
    os.close(handle)
    try:
        with tempfile.SpooledTemporaryFile(max_size=1024 * 1024, mode="w+", encoding="utf-8") as manifest:
            count = _write_zip(path, source, store, manifest)
            completed = utcnow()
            manifest.seek(0)
            head = doc.opening("urlset", doc.md(capability=Capability.RESOURCE_DUMP_MANIFEST, at=at,
                                                completed=completed), [source.up()])
            manifest_bytes = _read_all(manifest, head, doc.URLSET_END)
        with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.xml", manifest_bytes)
        md5, sha256, length = _file_digests(path)
        key = f"{folder}/{name}.zip"
        manifest_key = f"{folder}/{name}.manifest.xml"
        with open(path, "rb") as stream:
            store.put_stream(iter(lambda: stream.read(1024 * 1024), b""), key, ZIP_TYPE)
        store.put_bytes(manifest_key, manifest_bytes, doc.CONTENT_TYPE)
    finally:
        os.unlink(path)
    info = DumpInfo(name, key, manifest_key, md5, sha256, length, doc.w3c(at), doc.w3c(completed), mark, count)
    store.put_bytes(pointer_key(scope), json.dumps(asdict(info)).encode(), "application/json")
    _prune(store, folder, keep={info.name, current.name if current is not None else ""})
    return info


def _write_zip(path: str, source: Source, store: ObjectStore, manifest: Any) -> int:
    """Write the set's resources into the zip at ``path`` and their manifest entries to ``manifest``."""
    count = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        views = record_views(source.session, source.live_conditions(), None, None)
        for view, representations in source.renderer.representations(views):
            for rep in representations:
                if rep.data is None:
                    continue
                member = f"records/{rep.loc.rsplit('/', 1)[1]}"
                archive.writestr(member, rep.data)
                manifest.write(doc.url(rep.loc, view.hub_datestamp,
                                       doc.digest_md(rep.digest, rep.mime_type, path=f"/{member}")))
                count += 1
        rows = list(file_rows(source.session, source.scope, None, None))
        for start in range(0, len(rows), 500):
            batch = rows[start:start + 500]
            md5s = file_md5s(source.session, store, [row.sha256 for row in batch])
            for row in batch:
                member = f"files/{row.sha256}"
                try:
                    with archive.open(member, "w", force_zip64=True) as target:
                        for chunk in store.iter_chunks(file_key(row.sha256)):
                            target.write(chunk)
                except ObjectMissing:
                    continue
                manifest.write(doc.url(source.renderer.file_url(row.sha256), row.created_at,
                                       file_md(row, md5s.get(row.sha256), path=f"/{member}")))
                count += 1
    return count


def _read_all(spool: Any, head: str, closing: str) -> bytes:
    parts = [head.encode("utf-8")]
    while chunk := spool.read(256 * 1024):
        parts.append(chunk.encode("utf-8"))
    parts.append(closing.encode("utf-8"))
    return b"".join(parts)


def _file_digests(path: str) -> tuple[str, str, int]:
    md5, sha256, length = hashlib.md5(usedforsecurity=False), hashlib.sha256(), 0
    with open(path, "rb") as stream:
        while chunk := stream.read(1024 * 1024):
            md5.update(chunk)
            sha256.update(chunk)
            length += len(chunk)
    return md5.hexdigest(), sha256.hexdigest(), length


def _prune(store: ObjectStore, folder: str, keep: set[str]) -> None:
    """Delete the dumps of ``folder`` other than those named in ``keep``."""
    for key in list(store.keys(folder + "/")):
        name = key.rsplit("/", 1)[1]
        stem = name.removesuffix(".manifest.xml").removesuffix(".zip")
        if name != "latest.json" and stem not in keep:
            store.delete(key)


def dump_document(source: Source, info: DumpInfo) -> Iterator[str]:
    """The Resource Dump document of a set: its current zip, with hash, length and manifest link."""
    at = datetime.strptime(info.at, "%Y-%m-%dT%H:%M:%SZ")
    entry = doc.url(source.url(f"dumps/{info.name}.zip"), at,
                    doc.md(hash=info.hash, length=info.length, type=ZIP_TYPE, at=info.at, completed=info.completed),
                    [doc.ln("contents", source.url(f"dumps/{info.name}.manifest.xml"), type=doc.CONTENT_TYPE)])
    return doc.urlset(doc.md(capability=Capability.RESOURCE_DUMP, at=info.at, completed=info.completed),
                      [entry], [source.up()])
