"""Comparison keys: normalised titles and person names, used to find copies of one work.

- :func:`title_key`: NFKC (full-width letters, digits and punctuation become half-width), case
  folded, every character that is not a letter or a digit removed (punctuation, spaces, symbols):
  ``基于深度学习的图像识别：以ＣＮＮ为例`` and ``基于深度学习的图像识别:以CNN为例`` give one key;
  ``Deep Learning: A Survey`` and ``deep learning - a survey`` too.
- :func:`name_keys`: a name written in Chinese characters is kept as written, without spaces or
  middle dots (``张 伟`` -> ``张伟``); a Latin name gives ``family + first initial`` in lower case
  without accents (``Zhang, Wei`` -> ``zhang w``, ``Müller, Anna`` -> ``muller a``). A Latin name
  whose order is unknown (no comma: ``Wei Zhang``) gives both readings (``zhang w``, ``wei z``).
- an organisation (``Person.organisation``) gives its whole name, folded (``World Health
  Organization`` -> ``world health organization``; ``北京大学`` as written), never a family/initial
  reading of its words.
- :func:`person_key`: the key of one creator: ``orcid:<iD>`` when the record gives an ORCID iD,
  so that every form of the same person's name (``张伟``, ``Zhang, Wei``, ``Zhang W.``) shares
  one key; otherwise its first name key.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from hub.normalise.languages import has_han
from hub.normalise.record import Person

MIN_TITLE_KEY = 6  # shorter keys ("前言", "Preface") are too common to block on alone


@lru_cache(maxsize=65536)
def title_key(title: str) -> str:
    """The comparison key of a title (see the module docstring); ``''`` for an empty title."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return "".join(char for char in text if char.isalnum())


def _fold(text: str) -> str:
    """Lower case, accents removed, only letters and spaces kept."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = [c if c.isalpha() else " " for c in decomposed if not unicodedata.combining(c)]
    return " ".join("".join(kept).split())


def _latin_key(family: str, given: str) -> str:
    family, given = _fold(family), _fold(given)
    if not family:
        return ""
    return f"{family} {given[0]}" if given else family


@lru_cache(maxsize=65536)
def _keys(name: str, family: str, given: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKC", name)
    if has_han(text):
        compact = "".join(c for c in text if c.isalnum())
        return (compact,) if compact else ()
    if family:
        key = _latin_key(family, given)
        return (key,) if key else ()
    if "," in text:
        head, _, tail = text.partition(",")
        key = _latin_key(head, tail)
        return (key,) if key else ()
    words = _fold(text).split()
    if len(words) < 2:
        return tuple(words)
    first_last = f"{words[-1]} {words[0][0]}"
    last_first = f"{words[0]} {words[1][0]}"
    return (first_last,) if first_last == last_first else (first_last, last_first)


@lru_cache(maxsize=16384)
def _organisation_key(name: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKC", name)
    key = "".join(c for c in text if c.isalnum()) if has_han(text) else _fold(text)
    return (key,) if key else ()


def name_keys(person: Person) -> tuple[str, ...]:
    """Every name key of a person (one, or two when a Latin name's order is unknown)."""
    if person.organisation:
        return _organisation_key(person.name)
    return _keys(person.name, person.family, person.given)


def person_key(person: Person) -> str:
    """``orcid:<iD>`` when known, else the first name key, else ``''``."""
    if person.orcid:
        return f"orcid:{person.orcid}"
    keys = name_keys(person)
    return keys[0] if keys else ""
