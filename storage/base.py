"""The object-store contract shared by every backend, and the parts they have in common.

Files are content-addressed: a full-text file lives at ``files/ab/cd/<sha256>``, so a file
held by several members is stored once; its extracted text sits at ``text/ab/cd/<sha256>.txt``
and the extraction metadata at ``text/ab/cd/<sha256>.json``.

Writing always goes through a :class:`Spool`: a bounded temporary file hashed while it is
written (the hub never holds a whole file in memory), then committed under its key by the
backend (an atomic rename on disk, a (multipart) upload to S3). Reading yields chunks.
"""

from __future__ import annotations

import hashlib
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

CHUNK_SIZE = 1024 * 1024
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
KEY_RE = re.compile(r"^[A-Za-z0-9_-]+(?:/[A-Za-z0-9_.-]+)*$")


class StorageError(Exception):
    """The object store failed or refused an operation."""


class ObjectTooLarge(StorageError):
    """More bytes were written to a spool than its limit allows."""


class ObjectMissing(StorageError, FileNotFoundError):
    """No object is stored under the key."""


@dataclass(frozen=True)
class ObjectInfo:
    """What the store knows about one object."""

    key: str
    size: int
    content_type: str = ""
    etag: str = ""


def check_sha256(sha256: str) -> str:
    """Return ``sha256`` if it is 64 lower-case hex digits, else raise ``ValueError``."""
    if not SHA256_RE.match(sha256 or ""):
        raise ValueError(f"{sha256!r} is not a sha256 hex digest")
    return sha256


def check_key(key: str) -> str:
    """Return ``key`` if it is a safe relative key (no '..', no leading '/'), else raise ``ValueError``."""
    if not KEY_RE.match(key or "") or any(part in {".", ".."} for part in key.split("/")):
        raise ValueError(f"{key!r} is not a valid object key")
    return key


def file_key(sha256: str) -> str:
    """Key of the full-text file with this digest: ``files/ab/cd/<sha256>``."""
    check_sha256(sha256)
    return f"files/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def text_key(sha256: str) -> str:
    """Key of the extracted text of a file: ``text/ab/cd/<sha256>.txt``."""
    check_sha256(sha256)
    return f"text/{sha256[:2]}/{sha256[2:4]}/{sha256}.txt"


def meta_key(sha256: str) -> str:
    """Key of the extraction metadata (JSON) of a file: ``text/ab/cd/<sha256>.json``."""
    check_sha256(sha256)
    return f"text/{sha256[:2]}/{sha256[2:4]}/{sha256}.json"


class Spool:
    """A bounded temporary file, hashed (sha256) while it is written; :meth:`reset` starts over."""

    def __init__(self, path: Path, max_bytes: int | None = None) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.file: BinaryIO = open(path, "w+b")  # noqa: SIM115 - closed by discard/commit
        self._hash = hashlib.sha256()
        self.size = 0
        self.committed = False

    def write(self, data: bytes) -> None:
        """Append ``data``; raise :class:`ObjectTooLarge` past ``max_bytes``."""
        if self.max_bytes is not None and self.size + len(data) > self.max_bytes:
            raise ObjectTooLarge(f"more than the limit of {self.max_bytes} bytes")
        self.file.write(data)
        self._hash.update(data)
        self.size += len(data)

    def reset(self) -> None:
        """Forget everything written so far (a download that must restart from byte 0)."""
        self.file.seek(0)
        self.file.truncate()
        self._hash = hashlib.sha256()
        self.size = 0

    @property
    def sha256(self) -> str:
        """Hex digest of the bytes written so far."""
        return self._hash.hexdigest()

    def head(self, n: int = 4096) -> bytes:
        """The first ``n`` bytes written (for content sniffing)."""
        self.file.flush()
        with open(self.path, "rb") as fh:
            return fh.read(n)

    def finish(self) -> None:
        """Flush and fsync the file and rewind it for reading."""
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.seek(0)

    def discard(self) -> None:
        """Close and delete the temporary file (a no-op once committed by a rename)."""
        if not self.file.closed:
            self.file.close()
        if not self.committed:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass


class ObjectStore(ABC):
    """One object store. Subclasses implement the storage primitives; keys and spooling live here."""

    scheme = ""

    def __init__(self, url: str) -> None:
        self.url = url

    # -- writing --------------------------------------------------------------------------

    @contextmanager
    def spool(self, max_bytes: int | None = None) -> Iterator[Spool]:
        """A fresh :class:`Spool` in the backend's temporary folder, deleted on exit unless committed."""
        folder = self._spool_dir()
        folder.mkdir(parents=True, exist_ok=True)
        name = f"spool-{os.getpid()}-{os.urandom(8).hex()}"
        spool = Spool(folder / name, max_bytes)
        try:
            yield spool
        finally:
            spool.discard()

    def commit(self, spool: Spool, key: str | None = None, content_type: str = "") -> ObjectInfo:
        """Store the spool's bytes under ``key`` (default: the content-addressed file key)."""
        key = check_key(key or file_key(spool.sha256))
        spool.finish()
        return self._commit(spool, key, content_type or "application/octet-stream")

    def put_stream(self, chunks: Iterable[bytes], key: str | None = None, content_type: str = "",
                   max_bytes: int | None = None) -> tuple[str, ObjectInfo]:
        """Store a stream of chunks; returns (sha256, info). Memory stays at one chunk."""
        with self.spool(max_bytes) as spool:
            for chunk in chunks:
                spool.write(chunk)
            return spool.sha256, self.commit(spool, key, content_type)

    def put_bytes(self, key: str, data: bytes, content_type: str = "") -> ObjectInfo:
        """Store small bytes (a text, a JSON document) under ``key``."""
        return self.put_stream([data], key, content_type)[1]

    def get_bytes(self, key: str, max_bytes: int = 256 * 1024 * 1024) -> bytes:
        """Read a whole (small) object; raise :class:`ObjectTooLarge` past ``max_bytes``."""
        out = bytearray()
        for chunk in self.iter_chunks(key):
            out += chunk
            if len(out) > max_bytes:
                raise ObjectTooLarge(f"{key} is larger than {max_bytes} bytes")
        return bytes(out)

    def exists(self, key: str) -> bool:
        """True when an object is stored under ``key``."""
        return self.stat(key) is not None

    # -- backend primitives ---------------------------------------------------------------

    @abstractmethod
    def _spool_dir(self) -> Path:
        """Folder for spools (on the same file system as the objects, for a local store)."""

    @abstractmethod
    def _commit(self, spool: Spool, key: str, content_type: str) -> ObjectInfo:
        """Make the finished spool the object ``key``; an existing content-addressed object is kept."""

    @abstractmethod
    def stat(self, key: str) -> ObjectInfo | None:
        """Size and type of the object, or None when absent."""

    @abstractmethod
    def iter_chunks(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Bytes ``start..end`` (inclusive; ``end`` None = to the end) as chunks; :class:`ObjectMissing` if absent."""

    @abstractmethod
    def delete(self, key: str) -> bool:
        """Remove the object; True if it existed."""

    @abstractmethod
    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under ``prefix``."""

    @abstractmethod
    def local_copy(self, key: str, max_bytes: int | None = None) -> AbstractContextManager[Path]:
        """Context manager yielding a local file path holding the object (a temporary copy if remote)."""

    def presigned_url(self, key: str, expires: int = 300, content_type: str = "",
                      filename: str = "") -> str | None:
        """A short-lived URL a browser can download the object from, or None if the backend has none."""
        return None

    @abstractmethod
    def describe(self) -> str:
        """One line for ``chair doctor``: reachable, version, location (raises when unreachable)."""


def open_store(url: str) -> ObjectStore:
    """The object store named by ``url``: ``file:///path``, ``s3://KEY:SECRET@host:port/bucket`` (or ``s3s://``)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "file":
        from storage.local import LocalStore

        return LocalStore(url)
    if scheme in {"s3", "s3s", "minio"}:
        from storage.s3 import S3Store

        return S3Store(url)
    raise ValueError(f"unknown STORAGE_URL scheme {scheme!r}: use file:///path or s3://KEY:SECRET@host:port/bucket")
