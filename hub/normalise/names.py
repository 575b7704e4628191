"""Personal names: ORCID extraction and family/given splitting.

Rules (see :func:`split_name`):

- an ORCID iD given as a URL (``https://orcid.org/0000-0002-1825-0097``), in brackets
  (``(0000-0002-1825-0097)``, ``[orcid: ...]``) or after ``ORCID:`` is pulled out of the name,
  checked (ISO 7064 MOD 11-2) and kept as the bare 16-character iD;
- a name written in Chinese characters is kept as written in ``name``; when it is a plain 2-4
  character name its family name is the first character, or the first two for a compound
  surname (欧阳, 司马, 诸葛…); names with ``·`` (transliterated or minority names) are not split;
- a Latin ``Family, Given`` name is split at the first comma; trailing particles of the given
  part move to the family name (``Berg, J. van den`` -> family ``van den Berg``, given ``J.``);
  a trailing life-dates element (``Smith, John, 1950-``) and a ``Jr.``-style suffix are dropped
  from the given name;
- a Latin name without a comma (``Zhang San``, ``Mary Smith``, ``MIT Libraries``) is not split:
  its order cannot be known.
"""

from __future__ import annotations

import re
from functools import lru_cache

from hub.normalise.languages import has_han
from hub.normalise.record import Person

_ORCID_RE = re.compile(
    r"[\[(（<{]?\s*(?:orcid(?:\s*id)?\s*[:：]?\s*)?(?:https?://(?:www\.)?orcid\.org/)?"
    r"(\d{4}-\d{4}-\d{4}-\d{3}[\dXx])\s*[\])）>}]?",
    re.I,
)
_LIFE_DATES_RE = re.compile(r",\s*(?:b\.\s*|d\.\s*)?\d{4}\s*-?\s*(?:\d{4})?\s*\.?$")
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d."})
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "le", "la",
     "ter", "ten", "te", "vander", "zu", "y", "bin", "al", "el"}
)
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 单于 闻人 "
    "澹台 公冶 宗政 濮阳 淳于 太叔 申屠 仲孙 赫连 万俟 东郭 南宫 西门 呼延 端木 百里 "
    "歐陽 司馬 諸葛 東方 尉遲 長孫 鍾離 濮陽".split()
)
_HAN_NAME_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,4}")
_TRIM = " ,;，；|-–"


def orcid_checksum_ok(orcid: str) -> bool:
    """True when a ``0000-0000-0000-000X`` ORCID iD has a valid ISO 7064 MOD 11-2 check digit."""
    digits = orcid.replace("-", "")
    if len(digits) != 16:
        return False
    total = 0
    for char in digits[:15]:
        if not char.isdigit():
            return False
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[15].upper() == ("X" if check == 10 else str(check))


def extract_orcid(text: str) -> tuple[str, str]:
    """Split ``text`` into (text without the ORCID iD, the iD) ; ``(text, '')`` when it has none.

    An iD with a bad check digit is left in the text (it is probably something else).
    """
    if "-" not in text:
        return text, ""
    match = _ORCID_RE.search(text)
    if match is None or not orcid_checksum_ok(match[1]):
        return text, ""
    rest = (text[: match.start()] + " " + text[match.end():]).strip(_TRIM)
    return " ".join(rest.split()), match[1].upper()


def _split_han(name: str) -> tuple[str, str]:
    for comma in (",", "，"):
        if comma in name:
            family, _, given = name.partition(comma)
            return family.strip(), given.strip()
    if _HAN_NAME_RE.fullmatch(name):
        if len(name) > 2 and name[:2] in _COMPOUND_SURNAMES:
            return name[:2], name[2:]
        return name[0], name[1:]
    return "", ""


def _split_latin(name: str) -> tuple[str, str]:
    name = _LIFE_DATES_RE.sub("", name)
    family, _, given = name.partition(",")
    family, given = family.strip(), given.strip()
    if "," in given:
        head, _, tail = given.rpartition(",")
        if tail.strip().lower() in _SUFFIXES:
            given = head.strip()
    words = given.split()
    particles: list[str] = []
    while len(words) > 1 and words[-1].lower() in _PARTICLES:
        particles.insert(0, words.pop())
    if particles:
        family = " ".join([*particles, family])
        given = " ".join(words)
    return family, given


@lru_cache(maxsize=8192)
def _name_parts(name: str) -> tuple[str, str, str, str]:
    """(name, family, given, orcid): cached, as the same people recur across a repository."""
    text = " ".join(name.split())
    text, orcid = extract_orcid(text)
    if not text:
        return "", "", "", orcid
    if has_han(text):
        family, given = _split_han(text)
    elif "," in text:
        family, given = _split_latin(text)
    else:
        family, given = "", ""
    return text, family, given, orcid


def split_name(name: str) -> Person:
    """A Person from a name as a repository writes it: ORCID pulled out, family/given split.

    See the module docstring for the rules. ``name`` of the result is the source's form with
    whitespace collapsed and the ORCID iD removed. Each call returns a new Person.
    """
    text, family, given, orcid = _name_parts(name)
    return Person(name=text, family=family, given=given, orcid=orcid)
