"""Highlighted snippets: found in Python for SQLite, rendered safely for every backend.

Backends mark matches with two private-use characters (``MARK_OPEN``/``MARK_CLOSE``;
the document builder strips them from harvested text, so only a highlighter can put
them there). :func:`render` escapes the fragment first and then turns the markers into
``<mark>`` elements: harvested text can never inject markup through a snippet.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from hub.search.analysis import CJK_RUN, normalise, query_tokens
from hub.search.query import Term
from hub.search.stemmer import stem

MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"
_MARKERS = re.compile(f"[{MARK_OPEN}{MARK_CLOSE}]")
_WORD = re.compile(r"[^\W_]+")


def strip_markers(text: str) -> str:
    """Text without the highlight marker characters."""
    return _MARKERS.sub("", text)


def render(fragment: str) -> Markup:
    """Escape a marked fragment and turn its markers into <mark> elements."""
    escaped = str(escape(fragment))
    return Markup(escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


def _match_spans(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Character spans of ``text`` matching the query terms (CJK by substring, words by stem)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = text
    spans: list[tuple[int, int]] = []
    stems: set[str] = set()
    for term in terms:
        for run in CJK_RUN.findall(normalise(term.text)):
            start = lowered.find(run)
            while start >= 0:
                spans.append((start, start + len(run)))
                start = lowered.find(run, start + len(run))
        stems.update(tok for tok in query_tokens(term.text) if not CJK_RUN.fullmatch(tok))
    if stems:
        for m in _WORD.finditer(lowered):
            word = m.group()
            if CJK_RUN.search(word):
                continue
            if stem(normalise(word)) in stems:
                spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _cut(text: str, start: int, end: int) -> tuple[int, int]:
    """Move a window's edges to nearby spaces so words are not cut in half."""
    if start > 0:
        space = text.rfind(" ", max(0, start - 15), start)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.find(" ", end, end + 15)
        end = space if space >= 0 else end
    return start, end


def highlight(text: str, terms: list[Term], fragment_size: int = 160, fragments: int = 2,
              whole: bool = False) -> list[str]:
    """Up to ``fragments`` marked fragments of ``text`` around the matches (empty when none).

    With ``whole`` the entire text is returned marked (for titles).
    """
    if not text or not terms:
        return []
    spans = _match_spans(text, terms)
    if not spans:
        return []
    if whole:
        return [_mark(text, spans, 0, len(text))]
    out: list[str] = []
    covered_until = -1
    for start, _end in spans:
        if len(out) >= fragments:
            break
        if start < covered_until:
            continue
        lo = max(0, start - fragment_size // 4)
        hi = min(len(text), lo + fragment_size)
        lo, hi = _cut(text, lo, hi)
        out.append(("…" if lo > 0 else "") + _mark(text, spans, lo, hi) + ("…" if hi < len(text) else ""))
        covered_until = hi
    return out


def _mark(text: str, spans: list[tuple[int, int]], lo: int, hi: int) -> str:
    parts = []
    pos = lo
    for start, end in spans:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        parts.append(text[pos:start])
        parts.append(MARK_OPEN + text[start:end] + MARK_CLOSE)
        pos = end
    parts.append(text[pos:hi])
    return "".join(parts)
