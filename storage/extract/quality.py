"""Cheap judgements about extracted text: its language (by script) and its quality.

The language detector counts characters by script: Han without kana is Chinese (``zho``),
Han with kana Japanese (``jpn``), Hangul Korean (``kor``), Cyrillic Russian (``rus``), Arabic
(``ara``); Latin text is English (``eng``) when common English words are frequent, else ``und``.
The quality score (0..1) is the share of plausible characters times a length factor: empty
or garbage text from a scanned document scores low and marks the file as needing OCR.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

SAMPLE_CHARS = 200_000
MIN_CHARS_PER_PAGE = 40
NEEDS_OCR_BELOW = 0.35
_WORD_RE = re.compile(r"[a-z]+")
_ENGLISH = frozenset("the of and to in a is for that on with by as are this from be an we at which or it "
                     "not was were have has our these can results study using".split())


def _script(ch: str) -> str:
    code = ord(ch)
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FFFF:
        return "han"
    if 0x3040 <= code <= 0x30FF:
        return "kana"
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF:
        return "hangul"
    if 0x0400 <= code <= 0x04FF:
        return "cyrillic"
    if 0x0600 <= code <= 0x06FF:
        return "arabic"
    if ch.isascii() and ch.isalpha() or 0x00C0 <= code <= 0x024F:
        return "latin"
    return "other"


def detect_language(text: str) -> str:
    """ISO 639-3 code of the dominant language of ``text`` (``und`` when unknown)."""
    sample = text[:SAMPLE_CHARS]
    counts = Counter(_script(ch) for ch in sample if not ch.isspace())
    counts.pop("other", None)
    if not counts:
        return "und"
    cjk = counts["han"] + counts["kana"]
    if counts["hangul"] > max(cjk, counts["latin"]) / 2:
        return "kor"
    if counts["kana"] > 0.1 * cjk and counts["kana"] >= 5:
        return "jpn"
    # One Han character carries about as much as a whole Latin word: weigh them so.
    if counts["han"] * 4 >= counts["latin"] and counts["han"] >= 2:
        return "zho"
    top = max(("latin", "cyrillic", "arabic"), key=lambda s: counts[s])
    if top == "cyrillic":
        return "rus"
    if top == "arabic":
        return "ara"
    words = _WORD_RE.findall(sample.lower())
    if words and sum(w in _ENGLISH for w in words) / len(words) >= 0.08:
        return "eng"
    return "und"


def _plausible(ch: str) -> bool:
    if ch.isalnum():
        return _script(ch) != "other" or unicodedata.category(ch) in {"Nd", "Lu", "Ll"}
    return unicodedata.category(ch)[0] in {"P", "Z"} or ch in "\n\t"


def quality_score(text: str, pages: int | None = None) -> float:
    """0..1: share of plausible characters, scaled down when there is too little text for the pages."""
    sample = [ch for ch in text[:SAMPLE_CHARS] if not ch.isspace()]
    if not sample:
        return 0.0
    share = sum(_plausible(ch) for ch in sample) / len(sample)
    replacement = sample.count("\ufffd") / len(sample)
    expected = MIN_CHARS_PER_PAGE * max(1, pages or 1)
    length_factor = min(1.0, len(sample) / expected)
    return round(max(0.0, share - 2 * replacement) * length_factor, 3)


def needs_ocr(score: float) -> bool:
    """True when text of this quality is no real text layer (a scan, garbage glyphs)."""
    return score < NEEDS_OCR_BELOW
