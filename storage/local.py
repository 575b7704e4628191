"""The embedded object store: a local directory (``file:///path``).

Writes are atomic and safe under concurrent writers: a spool is written in ``<root>/.tmp``
(the same file system), fsynced, then ``os.replace``-d onto its key; two writers of the same
content-addressed file both produce the same bytes, and the second simply finds it there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from storage.base import CHUNK_SIZE, ObjectInfo, ObjectMissing, ObjectStore, ObjectTooLarge, Spool, check_key


class LocalStore(ObjectStore):
    """Objects as files under one root folder."""

    scheme = "file"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        parts = urlsplit(url)
        self.root = Path(unquote(parts.netloc + parts.path) if parts.netloc else unquote(parts.path))
        if not str(self.root):
            raise ValueError(f"{url!r}: a file:// storage URL needs a path")
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _spool_dir(self) -> Path:
        return self.root / ".tmp"

    def _commit(self, spool: Spool, key: str, content_type: str) -> ObjectInfo:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        spool.file.close()
        if key.startswith("files/") and target.exists() and target.stat().st_size == spool.size:
            return ObjectInfo(key, spool.size, content_type)  # same digest, same bytes: keep the stored copy
        os.replace(spool.path, target)
        spool.committed = True
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return ObjectInfo(key, spool.size, content_type)

    def stat(self, key: str) -> ObjectInfo | None:
        try:
            st = self._path(key).stat()
        except FileNotFoundError:
            return None
        return ObjectInfo(key, st.st_size, "", f"{st.st_size:x}-{int(st.st_mtime_ns):x}")

    def iter_chunks(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        try:
            fh = open(self._path(key), "rb")  # noqa: SIM115 - closed in the generator's finally
        except FileNotFoundError as exc:
            raise ObjectMissing(f"no object {key}") from exc
        return self._read(fh, start, end)

    @staticmethod
    def _read(fh, start: int, end: int | None) -> Iterator[bytes]:
        try:
            fh.seek(start)
            remaining = None if end is None else end - start + 1
            while remaining is None or remaining > 0:
                chunk = fh.read(CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining))
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            fh.close()

    def delete(self, key: str) -> bool:
        try:
            self._path(key).unlink()
            return True
        except FileNotFoundError:
            return False

    def keys(self, prefix: str = "") -> Iterator[str]:
        base = self.root
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != ".tmp")
            rel = Path(dirpath).relative_to(base)
            for name in sorted(filenames):
                key = (rel / name).as_posix()
                if key.startswith(prefix):
                    yield key

    @contextmanager
    def local_copy(self, key: str, max_bytes: int | None = None) -> Iterator[Path]:
        path = self._path(key)
        if not path.exists():
            raise ObjectMissing(f"no object {key}")
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise ObjectTooLarge(f"{key} is larger than {max_bytes} bytes")
        yield path

    def describe(self) -> str:
        usage = shutil.disk_usage(self.root)
        if not os.access(self.root, os.W_OK):
            raise PermissionError(f"{self.root} is not writable by this user")
        return f"local directory {self.root}, {usage.free / 1e9:.1f} GB free"
