"""Text extractors: the embedded pure-Python one and the Apache Tika server, one interface.

``make_extractor(settings)`` returns :class:`~storage.extract.tika.TikaExtractor` when
``TIKA_URL`` is set, else :class:`~storage.extract.embedded.EmbeddedExtractor`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storage.extract.base import ExtractErrorKind, ExtractionError, ExtractionResult, Extractor


def make_extractor(settings: Mapping[str, Any]) -> Extractor:
    """The extractor the settings name."""
    if settings.get("TIKA_URL"):
        from storage.extract.tika import TikaExtractor

        return TikaExtractor(settings)
    from storage.extract.embedded import EmbeddedExtractor

    return EmbeddedExtractor(settings)


__all__ = ["ExtractErrorKind", "ExtractionError", "ExtractionResult", "Extractor", "make_extractor"]
