"""Cheap judgements about extracted text: its language (by script) and its quality.

The language detector counts characters by script: Han without kana is Chinese (``zho``),
Han with kana Japanese (``jpn``), Hangul Korean (``kor``), Cyrillic Russian (``rus``), Arabic
(``ara``); Latin text is English (``eng``) when common English words are frequent, else ``und``.
The quality score (0..1) is the share of plausible characters times a length factor: empty
or garbage text from a scanned document scores low and marks the file as needing OCR.
"""

from __future__ import annotations

import re

SAMPLE_CHARS = 200_000
MIN_CHARS_PER_PAGE = 40
NEEDS_OCR_BELOW = 0.35
_WORD_RE = re.compile(r"[a-z]+")
_ENGLISH = frozenset("the of and to in a is for that on with by as are this from be an we at which or it "
                     "not was were have has our these can results study using".split())


_SCRIPTS = {
    "han": re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]"),
    "kana": re.compile("[\u3040-\u30ff]"),
    "hangul": re.compile("[\uac00-\ud7af\u1100-\u11ff]"),
    "cyrillic": re.compile("[\u0400-\u04ff]"),
    "arabic": re.compile("[\u0600-\u06ff]"),
    "latin": re.compile("[A-Za-z\u00c0-\u024f]"),
}
_SPACE_RE = re.compile(r"\s+")
# Characters no real text layer is made of: controls, private use, replacement, unassigned-looking junk.
_JUNK_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufff0-\uffff\U000f0000-\U0010ffff]")
_SYMBOL_RUN_RE = re.compile(r"[^\w\s.,;:!?'\"()\[\]\-\u3000-\u303f\uff00-\uffef]")


def _counts(sample: str) -> dict[str, int]:
    return {name: len(rx.findall(sample)) for name, rx in _SCRIPTS.items()}


def detect_language(text: str) -> str:
    """ISO 639-3 code of the dominant language of ``text`` (``und`` when unknown)."""
    sample = text[:SAMPLE_CHARS]
    counts = _counts(sample)
    if not any(counts.values()):
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


def quality_score(text: str, pages: int | None = None) -> float:
    """0..1: share of plausible characters, scaled down when there is too little text for the pages."""
    sample = _SPACE_RE.sub("", text[:SAMPLE_CHARS])
    if not sample:
        return 0.0
    junk = len(_JUNK_RE.findall(sample)) + 0.5 * len(_SYMBOL_RUN_RE.findall(sample))
    share = 1.0 - junk / len(sample)
    replacement = sample.count("\ufffd") / len(sample)
    expected = MIN_CHARS_PER_PAGE * max(1, pages or 1)
    length_factor = min(1.0, len(sample) / expected)
    return round(max(0.0, share - 2 * replacement) * length_factor, 3)


def needs_ocr(score: float) -> bool:
    """True when text of this quality is no real text layer (a scan, garbage glyphs)."""
    return score < NEEDS_OCR_BELOW
