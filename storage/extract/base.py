"""The extractor contract: a file in, its text, metadata, language and quality out.

Every extractor returns an :class:`ExtractionResult` or raises :class:`ExtractionError` whose
``kind`` (an :class:`ExtractErrorKind`) says what went wrong and whether trying again may help.
Shared post-processing (text cap, language, quality, needs-OCR) lives here, once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from storage.extract.quality import detect_language, needs_ocr, quality_score


class ExtractErrorKind(StrEnum):
    """Why an extraction failed."""

    ENCRYPTED = "encrypted"  # password-protected: no retry helps
    UNSUPPORTED = "unsupported"  # a format the extractor cannot read
    TOO_LARGE = "too-large"  # larger than EXTRACT_MAX_BYTES
    CORRUPT = "corrupt"  # the parser failed on the bytes
    TIMEOUT = "timeout"  # longer than EXTRACT_TIMEOUT
    RESOURCE = "resource-limit"  # the extraction process ran out of memory or died
    UNAVAILABLE = "unavailable"  # the extraction server could not be reached
    FAILED = "failed"  # anything else

    @property
    def permanent(self) -> bool:
        """True when retrying the same bytes cannot succeed."""
        return self in {ExtractErrorKind.ENCRYPTED, ExtractErrorKind.UNSUPPORTED, ExtractErrorKind.TOO_LARGE}


class ExtractionError(Exception):
    """An extraction that failed, with its kind."""

    def __init__(self, kind: ExtractErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class ExtractionResult:
    """Text and facts extracted from one file."""

    text: str
    extractor: str
    content_type: str = ""
    pages: int | None = None
    embedded: int = 0  # embedded documents whose text is included
    truncated: bool = False  # the text was cut at the character limit
    ocr: bool = False  # the text comes from OCR
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    language: str = "und"
    quality: float = 0.0
    needs_ocr: bool = False

    def finish(self, max_chars: int) -> ExtractionResult:
        """Cap the text and compute language, quality and needs-OCR."""
        if len(self.text) > max_chars:
            self.text = self.text[:max_chars]
            self.truncated = True
        self.text = self.text.replace("\x00", "")
        self.language = detect_language(self.text)
        self.quality = quality_score(self.text, self.pages)
        self.needs_ocr = needs_ocr(self.quality)
        return self

    def facts(self) -> dict[str, Any]:
        """Everything but the text (the metadata JSON stored beside the text)."""
        data = asdict(self)
        data.pop("text")
        data["chars"] = len(self.text)
        return data


class Extractor(ABC):
    """Turns one local file into text; ``in_flight`` files at once may be given to one extractor from
    as many threads (the extract stage's pool size)."""

    name = ""
    in_flight = 1

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = settings
        # ``settings`` is the hub's Settings (every key present; defaults live in hub.config only).
        self.timeout = float(settings["EXTRACT_TIMEOUT"])
        self.max_bytes = int(settings["EXTRACT_MAX_BYTES"])
        self.max_chars = int(settings["EXTRACT_MAX_CHARS"])

    def extract(self, path: Path, mime_type: str = "") -> ExtractionResult:
        """Extract ``path`` within the time and size bounds; raises :class:`ExtractionError`."""
        size = Path(path).stat().st_size
        if size > self.max_bytes:
            raise ExtractionError(ExtractErrorKind.TOO_LARGE,
                                  f"{size} bytes, more than EXTRACT_MAX_BYTES={self.max_bytes}")
        return self._extract(Path(path), mime_type).finish(self.max_chars)

    @abstractmethod
    def _extract(self, path: Path, mime_type: str) -> ExtractionResult:
        """Backend-specific extraction."""

    @abstractmethod
    def describe(self) -> str:
        """One line for ``chair doctor`` (raises when the backend is unusable)."""
