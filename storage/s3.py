"""S3-compatible object store (MinIO in production; any S3 server) through the ``minio`` client.

``s3://KEY:SECRET@host:port/bucket`` talks plain http; ``s3s://`` (or ``?secure=1``) uses TLS;
``?region=`` names the region (default ``us-east-1``, which spares a location lookup). The
bucket is created when absent. Uploads come from a spool (a bounded temporary file), so the
length is known and ``put_object`` sends large files in parts of ``PART_SIZE`` bytes; downloads
stream in chunks. Browsers can be redirected to short-lived presigned GET URLs.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from storage.base import (
    CHUNK_SIZE,
    ObjectInfo,
    ObjectMissing,
    ObjectStore,
    ObjectTooLarge,
    Spool,
    StorageError,
)

PART_SIZE = 16 * 1024 * 1024  # memory per in-flight upload part
_MISSING_CODES = {"NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound"}


class S3Store(ObjectStore):
    """Objects in one bucket of an S3-compatible server."""

    scheme = "s3"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        from minio import Minio

        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.secure = parts.scheme.lower() == "s3s" or query.get("secure", "") in {"1", "true", "yes"}
        self.bucket = parts.path.strip("/")
        if not self.bucket or not parts.hostname:
            raise ValueError(f"{self._redacted()}: an s3:// storage URL needs a host and a bucket")
        self.endpoint = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname
        self.region = query.get("region", "us-east-1")
        self.client = Minio(self.endpoint, access_key=unquote(parts.username or ""),
                            secret_key=unquote(parts.password or ""), secure=self.secure, region=self.region)
        self._bucket_ready = False
        self._lock = threading.Lock()

    def _redacted(self) -> str:
        parts = urlsplit(self.url)
        return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        from minio.error import S3Error

        with self._lock:
            if not self.client.bucket_exists(self.bucket):
                try:
                    self.client.make_bucket(self.bucket)
                except S3Error as exc:
                    if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                        raise
            self._bucket_ready = True

    def _spool_dir(self) -> Path:
        return Path(tempfile.gettempdir()) / "chair-spool"

    def _commit(self, spool: Spool, key: str, content_type: str) -> ObjectInfo:
        self._ensure_bucket()
        if key.startswith("files/"):
            existing = self.stat(key)
            if existing is not None and existing.size == spool.size:
                return existing  # content-addressed: the same bytes are already stored
        result = self.client.put_object(self.bucket, key, spool.file, length=spool.size, part_size=PART_SIZE,
                                        content_type=content_type)
        return ObjectInfo(key, spool.size, content_type, (result.etag or "").strip('"'))

    def stat(self, key: str) -> ObjectInfo | None:
        from minio.error import S3Error

        self._ensure_bucket()
        try:
            st = self.client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in _MISSING_CODES:
                return None
            raise
        return ObjectInfo(key, int(st.size or 0), st.content_type or "", (st.etag or "").strip('"'))

    def iter_chunks(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        from minio.error import S3Error

        self._ensure_bucket()
        length = 0 if end is None else end - start + 1
        try:
            response = self.client.get_object(self.bucket, key, offset=start, length=length)
        except S3Error as exc:
            if exc.code in _MISSING_CODES:
                raise ObjectMissing(f"no object {key}") from exc
            raise StorageError(f"reading {key}: {exc}") from exc
        return self._stream(response)

    @staticmethod
    def _stream(response) -> Iterator[bytes]:
        try:
            yield from response.stream(CHUNK_SIZE)
        finally:
            response.close()
            response.release_conn()

    def delete(self, key: str) -> bool:
        existed = self.stat(key) is not None
        if existed:
            self.client.remove_object(self.bucket, key)
        return existed

    def keys(self, prefix: str = "") -> Iterator[str]:
        self._ensure_bucket()
        for obj in self.client.list_objects(self.bucket, prefix=prefix or None, recursive=True):
            yield obj.object_name

    @contextmanager
    def local_copy(self, key: str, max_bytes: int | None = None) -> Iterator[Path]:
        with self.spool(max_bytes) as spool:
            for chunk in self.iter_chunks(key):
                spool.write(chunk)
            spool.finish()
            yield spool.path

    def presigned_url(self, key: str, expires: int = 300, content_type: str = "",
                      filename: str = "") -> str | None:
        self._ensure_bucket()
        headers: dict[str, str | list[str] | tuple[str]] = {}
        if content_type:
            headers["response-content-type"] = content_type
        if filename:
            headers["response-content-disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return self.client.presigned_get_object(self.bucket, key, expires=timedelta(seconds=expires),
                                                response_headers=headers or None)

    def describe(self) -> str:
        import urllib3

        self._ensure_bucket()
        scheme = "https" if self.secure else "http"
        http = urllib3.PoolManager(timeout=5.0, retries=False)
        server = http.request("HEAD", f"{scheme}://{self.endpoint}/").headers.get("Server", "unknown server")
        return f"S3 {scheme}://{self.endpoint} ({server}), bucket {self.bucket} reachable"


__all__ = ["S3Store", "ObjectTooLarge", "PART_SIZE"]
