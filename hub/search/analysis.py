"""The shared text analyzer: CJK as overlapping bigrams, everything else as stemmed words.

Used by the embedded SQLite backend to turn text into index tokens and queries into the
same tokens, and by the highlighter to find matches in the original text. Elasticsearch
and OpenSearch do the same with their built-in ``cjk_bigram`` filter and English stemmer.

- Text is NFKC-normalised (full-width letters and digits become ASCII) and lower-cased;
  Latin diacritics are removed.
- A run of CJK characters (Han, kana, Hangul) of two or more characters becomes its
  overlapping bigrams (``机器学习`` -> ``机器 器学 学习``); a lone CJK character stays one
  token. For one-character queries the index also holds every CJK character as a unigram,
  appended after the field's sequence so that bigram positions stay adjacent for phrases.
- Any other run of letters and digits is one word, stemmed with the Porter stemmer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from hub.search.stemmer import stem

_CJK = "\u3040-\u30ff\u3100-\u312f\u31a0-\u31bf\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002ffff"
CJK_RUN = re.compile(f"[{_CJK}]+")
_SEGMENT = re.compile(f"(?P<cjk>[{_CJK}]+)|(?P<word>[^\\W_{_CJK}]+)")


def is_cjk(ch: str) -> bool:
    """True for a Han, kana or Hangul character."""
    return bool(CJK_RUN.fullmatch(ch))


def normalise(text: str) -> str:
    """NFKC, lower case, Latin diacritics removed."""
    text = unicodedata.normalize("NFKC", text).lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


@dataclass(frozen=True)
class Segment:
    """A run of the normalised text: CJK characters or one word."""

    text: str
    cjk: bool


def segments(text: str) -> list[Segment]:
    """The CJK runs and words of ``text``, normalised, in order."""
    return [Segment(m.group(), m.lastgroup == "cjk") for m in _SEGMENT.finditer(normalise(text))]


def bigrams(run: str) -> list[str]:
    """Overlapping bigrams of a CJK run; a one-character run is itself."""
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def query_tokens(text: str) -> list[str]:
    """The token sequence a query word or phrase must match, in order (adjacent for a phrase)."""
    tokens: list[str] = []
    for seg in segments(text):
        tokens.extend(bigrams(seg.text) if seg.cjk else [stem(seg.text)])
    return tokens


def index_tokens(text: str) -> list[str]:
    """The tokens indexed for ``text``: the query sequence, then every CJK character as a unigram."""
    sequence: list[str] = []
    unigrams: list[str] = []
    for seg in segments(text):
        if seg.cjk:
            sequence.extend(bigrams(seg.text))
            if len(seg.text) > 1:
                unigrams.extend(seg.text)
        else:
            sequence.append(stem(seg.text))
    return sequence + unigrams


def index_text(text: str) -> str:
    """``index_tokens`` joined by spaces: what the SQLite FTS5 table stores (tokenizer ``ascii``)."""
    return " ".join(index_tokens(text))


def word_stem(word: str) -> str:
    """The index form of one non-CJK word."""
    return stem(normalise(word))
