"""Object stores (a local directory, S3/MinIO) and text extractors (embedded, Apache Tika).

``open_store(url)`` picks the object store named by ``STORAGE_URL``; ``storage.extract``
picks the extractor named by ``TIKA_URL``. Both sides share one small base class each, so the
hub never needs to know which backend it runs on.
"""

from __future__ import annotations

from storage.base import ObjectInfo, ObjectStore, ObjectTooLarge, Spool, StorageError, open_store

__all__ = ["ObjectInfo", "ObjectStore", "ObjectTooLarge", "Spool", "StorageError", "open_store"]
