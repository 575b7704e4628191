"""The object store and extractor of a hub, built once per process and settings."""

from __future__ import annotations

import threading
from typing import Any

from storage.base import ObjectStore, open_store
from storage.extract import Extractor, make_extractor

_stores: dict[str, ObjectStore] = {}
_extractors: dict[tuple, Extractor] = {}
_lock = threading.Lock()


def store_for(settings: dict[str, Any]) -> ObjectStore:
    """The object store named by ``STORAGE_URL`` (shared by every caller in the process)."""
    url = settings["STORAGE_URL"]
    with _lock:
        if url not in _stores:
            _stores[url] = open_store(url)
        return _stores[url]


def extractor_for(settings: dict[str, Any]) -> Extractor:
    """The extractor named by ``TIKA_URL`` with this process's bounds."""
    key = tuple(settings.get(name) for name in ("TIKA_URL", "EXTRACT_TIMEOUT", "EXTRACT_MAX_BYTES",
                                                 "EXTRACT_MAX_CHARS", "EXTRACT_MEMORY_LIMIT",
                                                 "EXTRACT_OCR_LANGUAGES"))
    with _lock:
        if key not in _extractors:
            _extractors[key] = make_extractor(settings)
        return _extractors[key]
