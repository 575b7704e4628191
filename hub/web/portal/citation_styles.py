"""Ready-to-copy citations of a record: GB/T 7714-2015 (顺序编码制 entry) and APA 7th edition.

Both are plain text built from the normalised metadata (``Record.meta``), pure functions.

GB/T 7714-2015 (信息与文献 参考文献著录规则):

- 主要责任者: at most three, then ``, 等`` (a Chinese-language work) or ``, et al.`` (any other);
  names separated by ``, ``. A name in Han characters is written as it is (``王力``); a name in
  Latin letters family name first, in capitals, the given names as initials without full stops
  (``SMITH J A``; ``ZHANG S F`` for Zhang San-Feng), as 8.1.2 asks;
- the type code after the title: ``[J]`` journal article, ``[D]`` thesis, ``[M]`` book,
  ``[C]`` conference paper, ``[R]`` report, ``[P]`` patent, ``[DS]`` dataset, ``[Z]`` other;
  a book chapter is a part of ``[M]`` (``[M]//book``), a conference paper a part of its
  proceedings (``[C]//proceedings``);
- then the container (journal, proceedings) and year, or the degree-granting institution and year
  (thesis), or the publisher and year (book, report); ``DOI:`` and the DOI last when there is one.
  Punctuation is the standard's (half-width ``.`` ``,`` ``:`` ``//``), in Chinese and English alike.

APA 7 (Publication Manual, 7th ed., ch. 9-10):

- up to 20 authors, ``Family, G. M.``, the last after ``&``; 21 or more: the first 19, an
  ellipsis, the last. A name in Han characters is written whole;
- ``(year).`` (``(n.d.).`` without one), the title, then the journal, the thesis description
  ``[Doctoral dissertation, Institution]`` or the publisher; the DOI as ``https://doi.org/…``,
  else the record's URL.
"""

from __future__ import annotations

import re
from typing import Any

from hub.normalise.vocab import has_han

__all__ = ["apa", "apa_name", "gbt7714", "gbt_name", "is_chinese"]

_GBT_CODES = {
    "journal article": "J", "research article": "J", "review article": "J", "doctoral thesis": "D",
    "master thesis": "D", "bachelor thesis": "D", "thesis": "D", "book": "M", "book part": "M",
    "conference paper": "C", "conference object": "C", "report": "R", "working paper": "R", "patent": "P",
    "dataset": "DS",
}
_THESES = {"doctoral thesis": "Doctoral dissertation", "master thesis": "Master's thesis",
           "bachelor thesis": "Bachelor's thesis", "thesis": "Thesis"}
_SPACE = re.compile(r"\s+")
GBT_MAX_AUTHORS = 3
APA_MAX_AUTHORS = 20


def _clean(text: Any) -> str:
    return _SPACE.sub(" ", str(text or "")).strip()


def _first(items: Any) -> str:
    for item in items or []:
        value = _clean(item.get("value") if isinstance(item, dict) else item)
        if value:
            return value
    return ""


def _parts(person: dict[str, Any]) -> tuple[str, str, str]:
    """(name as given, family, given) of a creator, splitting 'Family, Given' and 'Given Family'."""
    name = _clean(person.get("name"))
    family, given = _clean(person.get("family")), _clean(person.get("given"))
    if not family and "," in name:
        family, given = (p.strip() for p in name.split(",", 1))
    elif not family and " " in name and not has_han(name):
        given, family = name.rsplit(" ", 1)
    return name, family, given


def _initials(given: str, dots: bool) -> str:
    """Initials of given names: 'Jane Anne' -> 'J A' (GB/T) or 'J. A.' (APA); 'San-Feng' -> 'S F' / 'S.-F.'."""
    words = []
    for word in given.replace(".", " ").split():
        pieces = [p[0].upper() for p in word.split("-") if p]
        if dots:
            words.append("-".join(f"{p}." for p in pieces))
        else:
            words.extend(pieces)
    return " ".join(words)


def gbt_name(person: dict[str, Any]) -> str:
    """One author as GB/T 7714 writes it: Han names whole, Latin names 'FAMILY G M'."""
    name, family, given = _parts(person)
    if has_han(name) or not family:
        return name
    return " ".join(p for p in (family.upper(), _initials(given, dots=False)) if p)


def apa_name(person: dict[str, Any]) -> str:
    """One author as APA writes it: 'Family, G. M.'; Han names whole."""
    name, family, given = _parts(person)
    if has_han(name) or not family:
        return name
    initials = _initials(given, dots=True)
    return f"{family}, {initials}" if initials else family


def is_chinese(meta: dict[str, Any]) -> bool:
    languages = meta.get("languages") or []
    if languages:
        return languages[0] in ("zho", "chi", "zh")
    return has_han(_first(meta.get("titles")))


def _end(text: str) -> str:
    """``text`` closed with a full stop (unless it ends in one, or in ? or !)."""
    text = text.rstrip()
    return text if not text or text[-1] in ".?!。？！" else text + "."


def gbt7714(meta: dict[str, Any], institution: str = "") -> str:
    """The record as a GB/T 7714-2015 reference entry (see the module docstring)."""
    label = (meta.get("resource_type_label") or "").lower()
    code = _GBT_CODES.get(label, "Z")
    people = [p for p in meta.get("creators") or [] if _clean(p.get("name"))]
    names = [gbt_name(p) for p in people[:GBT_MAX_AUTHORS]]
    if len(people) > GBT_MAX_AUTHORS:
        names.append("等" if is_chinese(meta) else "et al.")
    year = _clean(meta.get("year"))
    source = _first(meta.get("source"))
    publisher = _first(meta.get("publisher"))
    title = _first(meta.get("titles"))
    head = _end(", ".join(names)) + " " if names else ""
    entry = f"{head}{title}[{code}]"
    if (label == "book part" or code == "C") and source:
        entry += f"//{source}"  # a part of a book or of proceedings: //the whole. publisher, year
        where = ", ".join(p for p in (publisher, year) if p)
    elif code == "J":
        where = ", ".join(p for p in (source, year) if p)
    elif code == "D":
        where = ", ".join(p for p in (institution or publisher, year) if p)
    else:
        where = ", ".join(p for p in (publisher, year) if p)
    entry = _end(entry + (f". {where}" if where else ""))
    if meta.get("doi"):
        entry += f" DOI:{_clean(meta['doi'])}."
    return entry


def _apa_authors(people: list[dict[str, Any]]) -> str:
    names = [apa_name(p) for p in people]
    if len(names) > APA_MAX_AUTHORS:
        return ", ".join(names[:APA_MAX_AUTHORS - 1]) + ", . . . " + names[-1]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + ", & " + names[-1]


def apa(meta: dict[str, Any], url: str, institution: str = "") -> str:
    """The record as an APA 7 reference (see the module docstring)."""
    label = (meta.get("resource_type_label") or "").lower()
    people = [p for p in meta.get("creators") or [] if _clean(p.get("name"))]
    year = _clean(meta.get("year")) or "n.d."
    title = _first(meta.get("titles"))
    parts = []
    if people:
        parts.append(_end(_apa_authors(people)))
        parts.append(f"({year}).")
        parts.append(_end(title) if label not in _THESES else title)
    else:
        parts.append(_end(title) if label not in _THESES else title)
        parts.append(f"({year}).")
    if label in _THESES:
        where = institution or _first(meta.get("publisher"))
        parts.append(f"[{_THESES[label]}{', ' + where if where else ''}].")
    elif _first(meta.get("source")):
        parts.append(_end(_first(meta.get("source"))))
    elif _first(meta.get("publisher")):
        parts.append(_end(_first(meta.get("publisher"))))
    parts.append(f"https://doi.org/{_clean(meta['doi'])}" if meta.get("doi") else url)
    return " ".join(p for p in parts if p)
